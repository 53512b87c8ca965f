"""The demo's monthly poverty-fund evaluation (DOMAIN R-AS-2): this year's June, published, a red
light, a 细散小 project and badly filled indicators fed back; one unit has rectified."""

from __future__ import annotations

from sqlalchemy import select

import demo.poverty
from tests.scenarios.test_demo_data import loaded  # noqa: F401  (the make-run fixture)
from workflows import clock
from workflows.store import BudgetUnit, HumanTask, PovertyIssue, PovertyMonth, PovertyScore


def test_R_AS_2_the_demo_year_has_a_published_june_ranking_and_feedback(db, loaded):  # noqa: F811
    year = clock.now().astimezone(clock.CHINA).year
    with db.reading() as session:
        month = session.scalar(
            select(PovertyMonth).where(PovertyMonth.fiscal_year == year, PovertyMonth.month == 6)
        )
        assert month.published
        units = {uid: code for uid, code in session.execute(select(BudgetUnit.id, BudgetUnit.code))}
        scores = {
            units[s.unit_id]: s
            for s in session.scalars(select(PovertyScore).where(PovertyScore.month_id == month.id))
        }
        assert (scores["360922-002"].rank, scores["360922-001"].rank) == (1, 2) and scores[
            "360922-001"
        ].supervise
        kinds = {(units[i.unit_id], i.kind): i for i in session.scalars(select(PovertyIssue))}
        assert set(kinds) == {
            ("360922-001", "red_light"),
            ("360922-001", "small"),
            ("360922-002", "indicator"),
        }
        assert (
            kinds[("360922-002", "indicator")].rectified_at
            and not kinds[("360922-001", "red_light")].rectified_at
        )
        waiting = session.scalars(
            select(HumanTask.unit_id).where(HumanTask.task_spec == "pr_rectify", HumanTask.status == "open")
        ).all()
        assert [units[u] for u in waiting] == ["360922-001"]
    assert demo.poverty.load(db) == 0  # idempotent
