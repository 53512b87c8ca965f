"""The demo's spot checks (DOMAIN R-EV-7, R-EV-3): two of last year's graded projects sampled,
one found 不实 (veto on the project and in the score table), one 属实."""

from __future__ import annotations

from sqlalchemy import select

import demo
from tests.scenarios.test_demo_data import loaded  # noqa: F401  (the make-run fixture)
from workflows import clock
from workflows.policy import Actor
from workflows.queries import score_table
from workflows.store import AccountabilityRecord, Project, SpotCheck


def test_R_EV_7_demo_year_has_one_false_and_one_true_spot_check(db, loaded):  # noqa: F811
    year = clock.now().astimezone(clock.CHINA).year - 1
    with db.reading() as session:
        checks = {c.project_id: c for c in session.scalars(select(SpotCheck))}
        # the demo's two, and any the confirmed selection's drawn sample started (found 属实)
        verdicts = sorted(c.verdict for c in checks.values())
        assert verdicts[0] == "不实" and set(verdicts[1:]) == {"属实"}, verdicts
        [false] = [c for c in checks.values() if c.verdict == "不实"]
        vetoed = session.get(Project, false.project_id)
        assert (vetoed.name, vetoed.grade) == ("城区道路养护工程", "差")
        [record] = session.scalars(select(AccountabilityRecord)).all()
        assert record.project_id == vetoed.id and record.owner_name
        office = Actor("demo.office", frozenset({"performance_office"}))
        rows = {line.project_id: line for line in score_table.lines(session, office, year)}
        assert rows[vetoed.id].vetoed and rows[vetoed.id].grade == "差"
        for true in (c for c in checks.values() if c.verdict == "属实"):
            assert session.get(Project, true.project_id).grade != "差"
    assert demo.load(db).started == 0  # idempotent: nothing sampled twice
