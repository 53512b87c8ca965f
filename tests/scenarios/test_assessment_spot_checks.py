"""自评准确性 in the unit assessment (DOMAIN R-AS-1 with R-EV-7): a cycle's sheet counts the unit's
spot-check verdicts reached in the assessment year; a unit nobody checked reads 未抽查, with no
score for the item, its other items converted to the full points, and ranked with the others."""

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


def test_R_AS_1_R_EV_7_a_unit_never_spot_checked_is_ranked_on_its_other_items_converted(
    paths,
    graded,  # noqa: F811
    anonymous,  # noqa: F811
):
    """Spot checks sample projects at random (R-EV-7): a unit nobody checked is not scored 0 on
    自评准确性 it never had the chance to earn, yet ranked with every other unit (R-AS-1): its
    other scored items are converted in proportion to their full points (80 of 80 -> 90 with the
    DMN's weights). The 通报 (public page too) and its workbook show 未抽查 for that item."""
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
    # the checked unit: 80 + 10 for accuracy + 0 judgement; 教育局: 80 converted to 90, + 10
    assert rows[unit][1:] == (Decimal("10.00"), Decimal("90.00")) and rows[unit][0] > 1
    assert rows["万载县教育局"] == (1, None, Decimal("100.00"))
    assert all(rank is not None for rank, _a, _t in rows.values())
    (approve,) = paths.tasks(iid, "as_approve_december")
    commands.complete_task(paths.db, approve.id, {"as_decision": "同意"}, actor=LEADER)
    page = anonymous.get(f"/public/{year}").text.split('id="public-rankings"')[1]
    checked_at, unchecked_at = page.index(f'data-unit="{unit}"'), page.index('data-unit="万载县教育局"')
    assert unchecked_at < checked_at  # in rank order, 未抽查 or not
    row = page[unchecked_at:].split("</tr>")[0]
    rank_cell = row.split('class="num rank">')[1].split("</td>")[0]
    accuracy_cell = row.split('data-points="accuracy"')[1].split("</td>")[0]
    assert rank_cell == "1" and accuracy_cell.endswith(">未抽查") and "<strong>100.0" in row
    assert "0.00" not in accuracy_cell and "（未抽查）" not in page
    assert "其余计分项得分按满分比例折算后计入总分" in page
    with paths.db.reading() as session:  # the workbook filed with the 通报 says the same
        cycle_id = session.scalar(select(AssessmentCycle.id).where(AssessmentCycle.cycle == "december"))
        book = ranking_export.unit_ranking(assessment.ranking(session, OFFICE, cycle_id))
    sheet_rows = [list(r) for r in load_workbook(BytesIO(book)).active.iter_rows(values_only=True)]
    unchecked = next(r for r in sheet_rows if "万载县教育局" in r)
    checked_row = next(r for r in sheet_rows if unit in r)
    assert unchecked[0] == 1 and unchecked[5] == "未抽查" and checked_row[0] == rows[unit][0]
    assert checked_row[5] == 10
    note = next(r[0] for r in sheet_rows if r and isinstance(r[0], str) and r[0].startswith("注："))
    assert "其余计分项得分按满分比例折算后计入总分" in note  # why its points do not add up
