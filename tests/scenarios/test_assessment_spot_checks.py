"""自评准确性 in the unit assessment (DOMAIN R-AS-1 with R-EV-7): a cycle's sheet counts the unit's
spot-check verdicts reached in the assessment year; a unit nobody checked reads 未抽查, with no
score for the item and no rank among the units scored on it."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.scenarios.conftest import in_role
from tests.scenarios.test_disclosure import anonymous  # noqa: F401 (the fixture)
from tests.scenarios.test_spot_check import check, graded, spot_check  # noqa: F401 (the fixture)
from workflows import clock, commands
from workflows.queries import assessment, ranking_export
from workflows.store import AssessmentCycle, AssessmentScore, BudgetUnit, HumanTask, Project, SpotCheck

OFFICE = in_role("performance_office", None)
LEADER = in_role("leadership", None)


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


def test_R_AS_1_R_EV_7_a_unit_never_spot_checked_has_no_accuracy_score_and_no_rank(
    paths,
    graded,  # noqa: F811
    anonymous,  # noqa: F811
):
    """Spot checks sample projects at random (R-EV-7): a unit nobody checked is not scored 0 on
    自评准确性 nor ranked among the units scored on it (R-AS-1), even with as high a total; the
    通报 (public page too) shows 未抽查 for its score and rank and lists it after the ranked."""
    sampled = graded(95)
    check(paths, spot_check(paths, sampled))  # found 属实
    with paths.db.reading() as session:
        decided = session.scalar(select(SpotCheck.decided_at))
        unit = session.scalar(
            select(BudgetUnit.name)
            .join(Project, Project.unit_id == BudgetUnit.id)
            .where(Project.id == paths.project_row(sampled).id)
        )
    year = decided.astimezone(clock.CHINA).year
    iid, sheet = _december_sheet(paths, year)
    (task,) = paths.tasks(iid, "as_score_december")
    judgement = {row["unit_id"]: (0 if name == unit else 10) for name, row in sheet.items()}
    commands.score_cycle(paths.db, task.id, judgement, actor=OFFICE)
    with paths.db.reading() as session:
        rows = {
            name: (score.rank, score.accuracy, score.total)
            for score, name in session.execute(
                select(AssessmentScore, BudgetUnit.name).join(
                    BudgetUnit, BudgetUnit.id == AssessmentScore.unit_id
                )
            )
        }
    assert rows[unit][:2] == (1, Decimal("10.00"))
    assert rows["万载县教育局"] == (None, None, Decimal("90.00"))  # 30 + 30 + 20 + 10, no 0 for accuracy
    assert rows["万载县教育局"][2] == rows[unit][2]  # as high a total, still not ranked with it
    assert all(rank is None for name, (rank, _a, _t) in rows.items() if name != unit)
    (approve,) = paths.tasks(iid, "as_approve_december")
    commands.complete_task(paths.db, approve.id, {"as_decision": "同意"}, actor=LEADER)
    page = anonymous.get(f"/public/{year}").text.split('id="public-rankings"')[1]
    ranked_at, unchecked_at = page.index(f'data-unit="{unit}"'), page.index('data-unit="万载县教育局"')
    assert ranked_at < unchecked_at  # listed after the ranked units
    row = page[unchecked_at:].split("</tr>")[0]
    rank_cell = row.split('class="num rank">')[1].split("</td>")[0]
    accuracy_cell = row.split('data-points="accuracy"')[1].split("</td>")[0]
    assert rank_cell == "未抽查" and accuracy_cell.endswith(">未抽查")
    assert "0.00" not in accuracy_cell and "（未抽查）" not in page
    assert "不参与排名" in page
    with paths.db.reading() as session:  # the workbook filed with the 通报 says the same
        cycle_id = session.scalar(select(AssessmentCycle.id).where(AssessmentCycle.cycle == "december"))
        book = ranking_export.unit_ranking(assessment.ranking(session, OFFICE, cycle_id))
    sheet_rows = [list(r) for r in load_workbook(BytesIO(book)).active.iter_rows(values_only=True)]
    unchecked = next(r for r in sheet_rows if "万载县教育局" in r)
    ranked_row = next(r for r in sheet_rows if unit in r)
    assert ranked_row[0] == 1 and unchecked[0] == "未抽查" and unchecked[5] == "未抽查"
    assert sheet_rows.index(ranked_row) < sheet_rows.index(unchecked)
