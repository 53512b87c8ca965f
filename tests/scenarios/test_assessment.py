"""考核 assessment of units (DOMAIN 6 R-AS-1), through the real ``unit_assessment`` BPMN."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from demo import form_data as forms
from tests import factories
from tests.scenarios.conftest import YEAR, in_role
from workflows import commands, domain
from workflows.errors import BusinessRuleRefused, Forbidden
from workflows.store import AssessmentCycle, AssessmentScore, BudgetUnit, DisclosureDue, ProcessInstance

OFFICE = in_role("performance_office", None)
LEADER = in_role("leadership", None)


@pytest.fixture
def year(paths):
    """Three units besides the scenarios' own; the year's assessment started on Sept 10 before."""
    with paths.db.unit_of_work() as uow:
        paths.unit_id = factories.unit(uow, "360922-001", "万载县农业农村局")
        for code, name in (("360922-002", "万载县教育局"), ("360922-003", "万载县卫生健康委员会")):
            factories.unit(uow, code, name)
        uow.commit()
    return commands.start_assessment_year(paths.db, YEAR, actor=OFFICE)


def cycle(paths, name="july") -> AssessmentCycle | None:
    with paths.db.reading() as session:
        row = session.scalar(
            select(AssessmentCycle).where(AssessmentCycle.fiscal_year == YEAR, AssessmentCycle.cycle == name)
        )
        if row is not None:
            session.expunge(row)
        return row


def scores(paths, name="july") -> dict[str, AssessmentScore]:
    with paths.db.reading() as session:
        rows = session.execute(
            select(AssessmentScore, BudgetUnit.name)
            .join(BudgetUnit, BudgetUnit.id == AssessmentScore.unit_id)
            .join(AssessmentCycle, AssessmentCycle.id == AssessmentScore.cycle_id)
            .where(AssessmentCycle.cycle == name)
        ).all()
        session.expunge_all()
        return {unit: score for score, unit in rows}


def judge(paths, iid, points: dict[str, float], spec="as_score_july"):
    (task,) = paths.tasks(iid, spec)
    by_name = {row["unit_name"]: row["unit_id"] for row in task.draft["units"]}
    return commands.score_cycle(paths.db, task.id, {by_name[n]: p for n, p in points.items()}, actor=OFFICE)


def test_R_AS_1_the_july_cycle_starts_on_july_1_and_not_june_30(paths, year):
    paths.fire(year, f"{YEAR}-06-30T23:59:00")
    assert paths.open(year) == [] and cycle(paths) is None
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    assert paths.open(year) == ["as_score_july"]
    opened = cycle(paths)
    assert opened.status == "scoring" and opened.published is False


def test_R_AS_1_the_scoring_sheet_is_completed_only_on_its_page_so_its_facts_cannot_be_edited(paths, year):
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    (task,) = paths.tasks(year, "as_score_july")
    tampered = [{**row, "late_tasks": 0, "spot_false": 0, "judgement": 10} for row in task.draft["units"]]
    with pytest.raises(BusinessRuleRefused, match="考核评分表页面"):
        commands.complete_task(paths.db, task.id, {"units": tampered}, actor=OFFICE)
    assert paths.open(year) == ["as_score_july"] and cycle(paths).status == "scoring"


def test_R_AS_1_the_sheet_is_pre_filled_from_the_years_facts(paths, year):
    """A return of the unit's targets (R-TG-2) counts against the quality of its targets."""
    iid = paths.start("target_review", is_new=False)
    paths.do(iid, "tg_set", forms.performance_targets("农村人居环境整治项目"))
    paths.do(iid, "tg_review", forms.targets_decision("退回调整"))
    paths.do(iid, "tg_set", forms.performance_targets("农村人居环境整治项目"))
    paths.do(iid, "tg_review", forms.targets_decision("通过"))
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    (task,) = paths.tasks(year, "as_score_july")
    sheet = {row["unit_name"]: row for row in task.draft["units"]}
    assert sheet["万载县农业农村局"]["target_returns"] == 1
    assert sheet["万载县教育局"]["target_returns"] == 0 and sheet["万载县教育局"]["late_tasks"] == 0
    judge(paths, year, {"万载县农业农村局": 8, "万载县教育局": 8, "万载县卫生健康委员会": 8})
    rows = scores(paths)
    # DMN unit_assessment_weights: targets 30 less 5 per return; nobody spot-checked: no accuracy
    # score, the other items converted to the full points (30 + 30 + 20 = 80 of 80 -> 90), + 8
    assert rows["万载县农业农村局"].target_quality == Decimal("25.00")
    assert rows["万载县教育局"].total == Decimal("98.00") and rows["万载县教育局"].accuracy is None
    assert rows["万载县农业农村局"].rank == 3


def test_R_AS_1_ties_share_a_rank_and_the_next_is_skipped(paths, year):
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    judge(paths, year, {"万载县农业农村局": 9, "万载县教育局": 9, "万载县卫生健康委员会": 6.5})
    rows = scores(paths)
    assert [rows[u].rank for u in ("万载县农业农村局", "万载县教育局", "万载县卫生健康委员会")] == [1, 1, 3]
    assert rows["万载县卫生健康委员会"].total == Decimal("96.50")  # 80 (nobody checked) -> 90, + 6.5
    assert cycle(paths).status == "approving" and paths.open(year) == ["as_approve_july"]


def test_R_AS_1_leadership_approves_and_the_ranking_is_published(paths, year):
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    judge(paths, year, {"万载县农业农村局": 9, "万载县教育局": 7, "万载县卫生健康委员会": 8})
    (task,) = paths.tasks(year, "as_approve_july")
    commands.complete_task(paths.db, task.id, {"as_decision": "同意"}, actor=LEADER)
    published = cycle(paths)
    assert published.published is True and published.published_at is not None
    assert published.approved_by == LEADER.username


def test_R_AS_1_returned_ranking_is_scored_again_from_the_sheet_as_sent(paths, year):
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    judge(paths, year, {"万载县农业农村局": 9, "万载县教育局": 7, "万载县卫生健康委员会": 8})
    (task,) = paths.tasks(year, "as_approve_july")
    commands.complete_task(paths.db, task.id, {"as_decision": "退回", "as_comment": "请复核"}, actor=LEADER)
    assert paths.open(year) == ["as_score_july"] and cycle(paths).status == "scoring"
    (again,) = paths.tasks(year, "as_score_july")
    assert {r["unit_name"]: r["judgement"] for r in again.draft["units"]}["万载县农业农村局"] == 9


def test_R_AS_1_the_december_cycle_starts_on_december_1(paths, year):
    paths.fire(year, f"{YEAR}-07-01T00:00:00")
    paths.fire(year, f"{YEAR}-11-30T23:59:00")
    assert paths.open(year) == ["as_score_july"]
    paths.fire(year, f"{YEAR}-12-01T00:00:00")
    assert sorted(paths.open(year)) == ["as_score_december", "as_score_july"]
    judge(
        paths,
        year,
        {"万载县农业农村局": 5, "万载县教育局": 5, "万载县卫生健康委员会": 5},
        spec="as_score_december",
    )
    assert {s.rank for s in scores(paths, "december").values()} == {1}


def test_R_AS_1_starting_the_year_twice_keeps_one_instance(paths, year):
    assert commands.start_assessment_year(paths.db, YEAR, actor=OFFICE) == year
    with paths.db.reading() as session:
        ids = list(
            session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == "unit_assessment"))
        )
        assert ids == [year]
        due = {d.kind: d.due_on.isoformat() for d in session.scalars(select(DisclosureDue))}
    assert due["ranking_july"] == f"{YEAR}-07-31" and due["results"] == f"{YEAR + 1}-08-31"


def test_R_AS_1_only_the_performance_office_starts_the_assessment(paths):
    with pytest.raises(Forbidden):
        commands.start_assessment_year(paths.db, YEAR, actor=in_role("unit_submitter", None))


def test_R_AS_1_competition_ranking():
    assert domain.competition_ranks([90, 90, 80]) == [1, 1, 3]
    assert domain.competition_ranks([70, 95.5, 95.5, 95.5]) == [4, 1, 1, 1]


def test_R_AS_1_the_cli_starts_the_year_once(paths, database_url):
    from click.testing import CliRunner

    from workflows import cli

    runs = [
        CliRunner().invoke(
            cli.main, ["--database-url", database_url, "assessment", "start", str(YEAR)], obj={}
        )
        for _ in range(2)
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert runs[0].output == runs[1].output and "unit assessment 2027: instance" in runs[0].output
