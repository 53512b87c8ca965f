"""部门整体支出 department-wide expenditure (DOMAIN 4), through the real bpmn/ files.

The performance office opens a fiscal year with its budget approval date; every budget unit
gets one ``department_wide`` cycle: targets within 20 days (R-DW-1), monitoring at the end of
June (R-MN-6), self-evaluation of the year after it ends (R-DW-2); finance scores each stage
and the scores are what ``queries.department_wide.scores`` hands the unit's assessment.
"""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy import func, select

from demo import department_wide as dw_forms
from tests import factories
from tests.scenarios.conftest import YEAR, in_role, moment
from workflows import commands, policy
from workflows.errors import Forbidden, FormInvalid
from workflows.queries import department_wide
from workflows.store import DepartmentWide, FiscalYear, HumanTask, ProcessInstance

OFFICE = policy.Actor("kong.office", frozenset({"performance_office"}))
APPROVED = date(YEAR, 1, 20)  # targets due 20 days later: February 9


@pytest.fixture
def units(paths):
    """Two budget units of the level (the scenarios' unit and one more)."""
    with paths.db.unit_of_work() as uow:
        paths.unit_id = factories.unit(uow, "360922-001", "万载县农业农村局")
        other = factories.unit(uow, "360922-002", "万载县教育局")
        uow.commit()
    return paths.unit_id, other


@pytest.fixture
def opened(paths, units):
    """The year opened on January 25; the scenarios' unit's cycle instance id."""
    paths.clock_at(f"{YEAR}-01-25T09:00:00")
    commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    return instance_of(paths, units[0])


def instance_of(paths, unit_id) -> int:
    with paths.db.reading() as session:
        return session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.process_id == "department_wide", ProcessInstance.unit_id == unit_id
            )
        )


def row(paths, iid) -> DepartmentWide:
    with paths.db.reading() as session:
        found = session.scalar(select(DepartmentWide).where(DepartmentWide.instance_id == iid))
        session.expunge(found)
        return found


def through_targets(paths, iid, score=90.0):
    paths.do(iid, "dw_targets", dw_forms.targets("万载县农业农村局"))
    paths.do(iid, "dw_targets_review", dw_forms.review("dw_tr", "通过", score))


def through_monitoring(paths, iid, score=88.0):
    paths.fire(iid, f"{YEAR}-07-01T09:00:00")
    paths.do(iid, "dw_monitoring", dw_forms.monitoring_report())
    paths.do(iid, "dw_monitoring_review", dw_forms.review("dw_mr", "通过", score))


# --- opening the year ------------------------------------------------------------------


def test_opening_a_year_starts_one_cycle_per_unit_in_that_unit(paths, units, opened):
    """Each unit gets its own cycle (business key DW<year>-<unit code>); its targets task is that unit's."""
    with paths.db.reading() as session:
        instances = session.execute(
            select(ProcessInstance.business_key, ProcessInstance.unit_id).where(
                ProcessInstance.process_id == "department_wide"
            )
        ).all()
        tasks = session.execute(
            select(HumanTask.unit_id, HumanTask.role, HumanTask.task_spec).where(HumanTask.status == "open")
        ).all()
    assert sorted(instances) == [(f"DW{YEAR}-360922-001", units[0]), (f"DW{YEAR}-360922-002", units[1])]
    assert sorted(tasks) == sorted((u, "unit_submitter", "dw_targets") for u in units)
    with paths.db.reading() as session:
        assert session.get(FiscalYear, YEAR).budget_approved_on == APPROVED


def test_opening_a_year_twice_starts_nothing_twice(paths, units, opened):
    """Idempotent: a second opening starts only units still missing (a unit created since)."""
    again = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    assert again.started == {"department_wide": []}
    with paths.db.unit_of_work() as uow:
        later = factories.unit(uow, "360922-003", "万载县卫生健康委员会")
        uow.commit()
    third = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    assert len(third.started["department_wide"]) == 1
    with paths.db.reading() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.process_id == "department_wide")
        )
    assert count == 3
    assert instance_of(paths, later) == third.started["department_wide"][0]


@pytest.mark.parametrize(
    ("year", "approved", "field"),
    [
        (YEAR, None, "budget_approved_on"),  # a year without its approval date
        (YEAR, date(YEAR - 1, 12, 30), "budget_approved_on"),  # a date outside the year
        (YEAR, date(YEAR + 1, 1, 2), "budget_approved_on"),
        (1899, date(1899, 1, 2), "year"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(paths, units, year, approved, field):
    with pytest.raises(FormInvalid) as refused:
        commands.open_fiscal_year(paths.db, year, approved, actor=OFFICE)
    assert field in refused.value.fields
    with paths.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(FiscalYear)) == 0
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_reopening_with_another_approval_date_is_refused(paths, units, opened):
    with pytest.raises(FormInvalid) as refused:
        commands.open_fiscal_year(paths.db, YEAR, date(YEAR, 2, 1), actor=OFFICE)
    assert "budget_approved_on" in refused.value.fields


def test_only_the_performance_office_opens_a_year(paths, units):
    with pytest.raises(Forbidden):
        commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=in_role("finance_reviewer", None))


# --- R-DW-1 ----------------------------------------------------------------------------


def test_R_DW_1_targets_are_due_20_days_after_the_budget_approval(paths, opened):
    [task] = paths.tasks(opened)
    assert task.task_spec == "dw_targets"
    assert task.due_at == moment(f"{YEAR}-02-09T23:59:59").astimezone(UTC)
    assert row(paths, opened).due_at == task.due_at
    assert row(paths, opened).stage == "targets"


def test_R_DW_1_the_deadline_fires_at_day_20_and_not_day_19(paths, opened):
    """Approved January 20: nothing fires at the end of day 19 (Feb 8); at the end of day 20 it does."""
    assert paths.fire(opened, f"{YEAR}-02-08T23:59:59") == 0
    assert paths.fire(opened, f"{YEAR}-02-09T12:00:00") == 0
    assert row(paths, opened).overdue is False
    assert paths.fire(opened, f"{YEAR}-02-09T23:59:59") == 1
    assert row(paths, opened).overdue is True
    assert paths.open(opened) == ["dw_targets"]  # still owed


def test_R_DW_1_late_targets_notify_the_submitter_the_unit_head_and_finance(paths, opened):
    paths.fire(opened, f"{YEAR}-02-10T09:00:00")
    sent = paths.notices(opened)
    assert {next(iter(n["to"].items())) for n in sent} == {
        ("task", "dw_targets"),
        ("role", "unit_head"),
        ("role", "finance_reviewer"),
    }
    assert any(f"（期限 {YEAR}年2月9日）" in n["message"] for n in sent)
    assert all("万载县农业农村局" in n["message"] for n in sent)


def test_R_DW_1_finance_returns_targets_and_returns_are_bounded(paths, opened):
    paths.do(opened, "dw_targets", dw_forms.targets("万载县农业农村局"))
    assert row(paths, opened).stage == "targets_review"
    paths.do(opened, "dw_targets_review", dw_forms.review("dw_tr", "退回修改", 60.0))
    assert paths.open(opened) == ["dw_targets"]
    for _ in range(3):
        paths.do(opened, "dw_targets", dw_forms.targets("万载县农业农村局"))
        paths.do(opened, "dw_targets_review", dw_forms.review("dw_tr", "退回修改", 60.0))
    # the fourth return passes the bound (3): the stage closes with finance's score
    assert paths.open(opened) == []
    assert row(paths, opened).stage == "monitoring_wait"
    assert row(paths, opened).targets_score == 60


def test_R_DW_1_targets_with_weights_not_adding_to_100_are_refused(paths, opened):
    data = dw_forms.targets("万载县农业农村局")
    data["indicators"][0]["weight"] = 10
    with pytest.raises(FormInvalid):
        paths.do(opened, "dw_targets", data)


# --- R-MN-6 ----------------------------------------------------------------------------


def test_R_MN_6_monitoring_waits_for_the_end_of_june(paths, opened):
    through_targets(paths, opened)
    assert paths.open(opened) == []
    assert row(paths, opened).stage == "monitoring_wait"
    [timer] = paths.timers(opened)
    assert timer.due_at == moment(f"{YEAR}-06-30T18:00:00").astimezone(UTC)
    assert paths.fire(opened, f"{YEAR}-06-30T17:59:00") == 0
    assert paths.open(opened) == []
    assert paths.fire(opened, f"{YEAR}-06-30T18:00:00") == 1
    [task] = paths.tasks(opened)
    assert (task.task_spec, task.role, task.unit_id) == ("dw_monitoring", "unit_submitter", paths.unit_id)
    assert task.due_at == moment(f"{YEAR}-07-10T23:59:59").astimezone(UTC)


def test_R_MN_6_finance_scores_the_monitoring_report(paths, opened):
    through_targets(paths, opened)
    through_monitoring(paths, opened, score=87.5)
    assert row(paths, opened).monitoring_score == 87.5
    assert row(paths, opened).stage == "self_evaluation_wait"


# --- R-DW-2 ----------------------------------------------------------------------------


def test_R_DW_2_self_evaluation_opens_after_year_end_due_end_of_february(paths, opened):
    """Seed 000 (the default): last year's department-wide self-evaluation by the end of February."""
    through_targets(paths, opened)
    through_monitoring(paths, opened)
    assert paths.fire(opened, f"{YEAR}-12-31T23:00:00") == 0
    paths.fire(opened, f"{YEAR + 1}-01-02T09:00:00")
    [task] = paths.tasks(opened)
    assert task.task_spec == "dw_self_evaluation"
    assert task.due_at == moment(f"{YEAR + 1}-02-29T23:59:59").astimezone(UTC)  # 2028: a leap year


def test_R_DW_2_finance_scores_the_self_evaluation_and_the_scores_reach_the_assessment(paths, units, opened):
    through_targets(paths, opened, score=90.0)
    through_monitoring(paths, opened, score=88.0)
    paths.fire(opened, f"{YEAR + 1}-01-02T09:00:00")
    paths.do(opened, "dw_self_evaluation", dw_forms.self_evaluation())
    paths.do(opened, "dw_self_evaluation_review", dw_forms.review("dw_sr", "通过", 93.5))
    assert paths.status(opened) == "completed"
    with paths.db.reading() as session:
        scored = department_wide.scores(session, YEAR)
    assert scored[units[0]] == {"targets": 90, "monitoring": 88, "self_evaluation": 93.5, "overdue": False}
    assert scored[units[1]]["targets"] is None
    assert row(paths, opened).stage == "completed"


def test_R_DW_2_a_bureau_following_seed_002_sets_the_end_of_april(paths, units):
    """The due month is a process variable (self_evaluation_due_month), not code."""
    iid = commands.start(
        paths.db,
        "department_wide",
        actor=OFFICE,
        data={
            "fiscal_year": YEAR,
            "budget_approved_on": APPROVED.isoformat(),
            "unit_name": "万载县教育局",
            "self_evaluation_due_month": 4,
        },
        business_key="DW-TEST",
        unit_id=units[1],
    ).instance_id
    paths.unit_id = units[1]
    through_targets(paths, iid)
    through_monitoring(paths, iid)
    paths.fire(iid, f"{YEAR + 1}-01-02T09:00:00")
    [task] = paths.tasks(iid)
    assert task.due_at == moment(f"{YEAR + 1}-04-30T23:59:59").astimezone(UTC)


# --- R-RL-1 on the year's status -----------------------------------------------------


def test_year_status_shows_a_finance_reviewer_only_their_offices_units(paths, units, opened):
    reviewer = policy.Actor(
        "li.reviewer", frozenset({"finance_reviewer"}), office_units=frozenset({units[1]})
    )
    with paths.db.reading() as session:
        mine = department_wide.year_status(session, reviewer, YEAR)
        everyone = department_wide.year_status(session, OFFICE, YEAR)
    assert [u.unit_id for u in mine.units] == [units[1]]
    assert [u.unit_code for u in everyone.units] == ["360922-001", "360922-002"]
    assert everyone.units[0].stage_label == "填报绩效目标"
    assert everyone.units[0].open_task_ids
