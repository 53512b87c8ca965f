"""自评准确性 in the unit assessment (DOMAIN R-AS-1 with R-EV-7): a cycle's sheet counts the unit's
spot-check verdicts reached in the assessment year; a unit nobody checked reads 未抽查."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests import factories
from tests.scenarios.conftest import in_role
from tests.scenarios.test_spot_check import check, graded, spot_check  # noqa: F401 (the fixture)
from workflows import clock, commands
from workflows.store import AssessmentCycle, AssessmentScore, BudgetUnit, HumanTask, Project, SpotCheck

OFFICE = in_role("performance_office", None)


def _december_sheet(paths, year: int) -> tuple[int, dict[str, dict]]:
    with paths.db.unit_of_work() as uow:
        factories.unit(uow, "360922-002", "万载县教育局")  # a unit nobody checked
        uow.commit()
    iid = commands.start_assessment_year(paths.db, year, actor=OFFICE)
    paths.fire(iid, f"{year}-12-01T00:00:00")
    with paths.db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.task_spec == "as_score_december"))
        return iid, {row["unit_name"]: row for row in task.draft["units"]}


def test_R_AS_1_R_EV_7_accuracy_counts_the_years_spot_check_verdicts(paths, graded):  # noqa: F811
    found_false, found_true = graded(95), graded(92)
    check(paths, spot_check(paths, found_false), false_at=0)
    check(paths, spot_check(paths, found_true))
    with paths.db.reading() as session:
        decided = [row.decided_at for row in session.scalars(select(SpotCheck))]
        unit = session.scalar(
            select(BudgetUnit.name)
            .join(Project, Project.unit_id == BudgetUnit.id)
            .where(Project.id == paths.project_row(found_false).id)
        )
    year = max(d for d in decided).astimezone(clock.CHINA).year
    assert max(decided) < clock.parse_moment(f"{year}-12-01T00:00:00")
    iid, sheet = _december_sheet(paths, year)
    assert (sheet[unit]["spot_checked"], sheet[unit]["spot_false"]) == (2, 1)
    others = [row for name, row in sheet.items() if name != unit]
    assert others and all("spot_checked" not in row for row in others)  # 未抽查
    (task,) = paths.tasks(iid, "as_score_december")
    commands.score_cycle(paths.db, task.id, {}, actor=OFFICE)
    with paths.db.reading() as session:
        points = session.scalar(
            select(AssessmentScore.accuracy)
            .join(AssessmentCycle, AssessmentCycle.id == AssessmentScore.cycle_id)
            .join(BudgetUnit, BudgetUnit.id == AssessmentScore.unit_id)
            .where(BudgetUnit.name == unit, AssessmentCycle.cycle == "december")
        )
    assert points == Decimal("5.00")  # half the 10 points: one check of two found 不实
