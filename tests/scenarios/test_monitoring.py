"""绩效运行监控 monitoring (DOMAIN 3.3), through the real bpmn/ files."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from demo import form_data as forms
from tests.scenarios.conftest import YEAR, moment
from workflows.errors import FormInvalid
from workflows.queries import tasks
from workflows.queries.project_filter import ProjectFilter
from workflows.store import Project


@pytest.fixture
def budgeted(paths):
    """A new project through ex-ante and targets, waiting for the first monitoring node."""
    iid = paths.start()
    paths.through_ex_ante(iid)
    paths.through_targets(iid)
    return iid


def three_nodes(paths):
    iid = paths.start(monitoring_nodes=["05-31", "08-31", "10-31"])
    paths.through_ex_ante(iid)
    paths.through_targets(iid)
    return iid


def test_monitoring_waits_for_the_end_of_may_node(paths, budgeted):
    """R-MN-1: the default first node is May 31 (a timer event, not a task yet)."""
    assert paths.open(budgeted) == []
    [timer] = paths.timers(budgeted)
    assert timer.due_at == moment(f"{YEAR}-05-31T18:00:00").astimezone(UTC)
    assert paths.project_row(budgeted).stage == "monitoring"


def test_default_nodes_are_may_and_august(paths, budgeted):
    """R-MN-1: two default nodes; after the second round the project goes to evaluation."""
    paths.monitoring_node(budgeted, month_after="06")
    assert paths.timers(budgeted)[0].due_at == moment(f"{YEAR}-08-31T18:00:00").astimezone(UTC)
    paths.monitoring_node(budgeted, month_after="09")
    assert paths.open(budgeted) == ["ev_self"]


def test_october_node_is_configurable(paths):
    """R-MN-1: a third node (Oct 31) is a process variable, not code."""
    iid = three_nodes(paths)
    for month in ("06", "09", "11"):
        paths.monitoring_node(iid, month_after=month)
    assert paths.open(iid) == ["ev_self"]
    assert [h["node"] for h in paths.data(iid)["monitoring_history"]] == ["05-31", "08-31", "10-31"]


def test_report_is_due_on_the_10th_of_the_month_after_the_node(paths, budgeted):
    """R-MN-2: the unit reports by the 10th of the month after the node."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    [task] = paths.tasks(budgeted)
    assert (task.task_spec, task.role) == ("mn_report", "unit_submitter")
    assert task.due_at == moment(f"{YEAR}-06-10T23:59:59").astimezone(UTC)


def test_late_report_marks_the_project_overdue(paths, budgeted):
    """R-MN-2: past the 10th the project is overdue; the report is still owed."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    assert paths.project_row(budgeted).overdue is False
    assert paths.fire(budgeted, f"{YEAR}-06-11T00:30:00") == 1
    assert paths.project_row(budgeted).overdue is True
    assert paths.open(budgeted) == ["mn_report"]


def test_R_MN_2_a_late_report_notifies_the_submitter_the_unit_head_and_finance(paths, budgeted):
    """R-MN-2: late work reaches people: the report's owner, the unit head, finance's reviewers."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    paths.fire(budgeted, f"{YEAR}-06-11T00:30:00")
    sent = paths.notices(budgeted)
    assert {next(iter(n["to"].items())) for n in sent} == {
        ("task", "mn_report"),
        ("role", "unit_head"),
        ("role", "finance_reviewer"),
    }
    assert all("逾期" in n["message"] for n in sent)
    # the deadline in the clerk's words (the 10th of the month after the May node), not ISO
    assert any(f"（期限 {YEAR}年6月10日）" in n["message"] for n in sent)
    assert not any("-06-10" in n["message"] for n in sent)


def test_execution_rate_is_computed_from_the_executed_amount(paths, budgeted):
    """R-MN-2: budget execution (executed amount → rate) is reported per project."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    report = forms.monitoring_report(362.0)
    report["mn_executed_amount"] = 162.9
    paths.do(budgeted, "mn_report", report)
    assert paths.data(budgeted)["mn_execution_rate"] == 45.0


def test_R_MN_2_execution_and_schedule_progress_reach_the_project_row(paths, budgeted, db):
    """R-MN-2 (双监控): the node's execution rate and 序时进度 land on the project row, so the
    bureau's overview reads them from a column; below 序时进度 the project is "lagging"."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    report = forms.monitoring_report(362.0)
    report["mn_executed_amount"] = 108.6  # 30% by 31 May, when 41% of the year is gone
    paths.do(budgeted, "mn_report", report)
    row = paths.project_row(budgeted)
    assert (row.executed_amount, row.execution_rate) == (Decimal("108.60"), Decimal("30.00"))
    days = 366 if YEAR % 4 == 0 else 365
    assert row.schedule_progress == Decimal(str(round((151 + (days == 366)) * 100 / days, 2)))
    with db.reading() as session:
        lagging = session.scalars(
            select(Project.id).where(
                *ProjectFilter(lagging=True).conditions(moment(f"{YEAR}-06-02T00:00:00"))
            )
        ).all()
    assert lagging == [row.id]


def test_R_MN_2_the_report_opens_with_the_approved_indicators(paths, budgeted, db):
    """R-MN-2 (双监控, target completion): the monitoring report's rows are the approved 绩效指标
    with their 年度指标值; the unit fills in what was reached by the node."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    [task] = paths.tasks(budgeted)
    with db.reading() as session:
        values = tasks.prefill(session, task, tasks.form_schema(session, task))
    assert [(r["name"], r["target_value"]) for r in values["mn_indicator_progress"]] == [
        ("完成建设任务", "100"),
        ("工程验收合格率", "100"),
        ("按期完工率", "95"),
        ("受益群众人数", "20000"),
        ("群众满意度", "90"),
    ]


def test_failed_review_returns_the_report_for_rectification(paths, budgeted):
    """R-MN-3: a failed review goes back to the unit for rectification."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    paths.do(budgeted, "mn_report", forms.monitoring_report(362.0))
    paths.do(budgeted, "mn_review", forms.monitoring_review(False))
    assert paths.open(budgeted) == ["rc_submit"]
    assert paths.project_row(budgeted).stage == "rectification"
    assert paths.data(budgeted)["rect_reasons"] == forms.monitoring_review(False)["mn_review_comment"]


def test_one_failed_review_counts_but_does_not_escalate(paths, budgeted):
    """R-MN-4: one failure is counted, not escalated."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    assert paths.project_row(budgeted).consecutive_failures == 1
    assert "lc_escalation" not in paths.open(budgeted)


def test_a_pass_resets_the_count(paths, budgeted):
    """R-MN-4: a pass in between resets the count of consecutive failures."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=True, month_after="09")
    assert paths.project_row(budgeted).consecutive_failures == 0


def test_fail_pass_fail_does_not_escalate(paths):
    """R-MN-4: failures must be consecutive: fail → pass → fail is not escalated."""
    iid = three_nodes(paths)
    for month, passed in (("06", False), ("09", True), ("11", False)):
        paths.monitoring_node(iid, passed=passed, month_after=month)
    assert paths.open(iid) == ["ev_self"]
    row = paths.project_row(iid)
    assert row.consecutive_failures == 1 and row.grade_cap is None


def test_two_consecutive_failures_escalate_to_leadership(paths, budgeted):
    """R-MN-4: fail → fail → leadership decides: recover funds / reduce budget / suspend payments."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=False, month_after="09")
    [task] = paths.tasks(budgeted)
    assert (task.task_spec, task.role) == ("lc_escalation", "leadership")
    paths.do(budgeted, "lc_escalation", forms.escalation("收回资金"))
    row = paths.project_row(budgeted)
    assert row.consecutive_failures == 2 and row.grade_cap == "中"
    assert paths.data(budgeted)["escalations"] == [
        {"node": "08-31", "decision": "收回资金", "amount_wan": 50.0}
    ]


@pytest.mark.parametrize("decision", ["调减预算", "收回资金"])
def test_R_MN_4_leadership_cut_is_applied_to_the_projects_budget(paths, budgeted, decision):
    """R-MN-4: leadership's decision to reduce the budget or recover funds changes the project's
    figures (362 万元 − 50 = 312), and results application works on the reduced budget."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=False, month_after="09")
    paths.do(budgeted, "lc_escalation", forms.escalation(decision))
    assert paths.project_row(budgeted).amount == 312
    paths.evaluate(budgeted, 75)
    assert paths.data(budgeted)["ra_cut_amount"] == 31.2  # 10% of 312


def test_R_MN_4_suspended_payments_leave_the_budget_as_it_is(paths, budgeted):
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=False, month_after="09")
    paths.do(budgeted, "lc_escalation", forms.escalation("暂停拨款"))
    assert paths.project_row(budgeted).amount == 362


def test_a_cut_needs_its_amount(paths, budgeted):
    """The form refuses 调减预算 / 收回资金 without the amount (nothing is applied)."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=False, month_after="09")
    data = forms.escalation("调减预算")
    del data["escalation_amount_wan"]
    with pytest.raises(FormInvalid) as refused:
        paths.do(budgeted, "lc_escalation", data)
    assert "escalation_amount_wan" in refused.value.fields
    assert paths.project_row(budgeted).amount == 362


def test_two_consecutive_failures_cap_the_grade_below_liang(paths, budgeted):
    """R-MN-4 / R-EV-5: after two consecutive failures even 95 points is graded 中, not 优/良."""
    paths.monitoring_node(budgeted, passed=False, month_after="06")
    paths.monitoring_node(budgeted, passed=False, month_after="09")
    paths.do(budgeted, "lc_escalation", forms.escalation())
    paths.evaluate(budgeted, 95)
    row = paths.project_row(budgeted)
    assert float(row.score) == 95.0 and row.grade == "中"


def test_serious_problems_suspend_payments(paths, budgeted):
    """R-MN-5: finance may adjust, suspend or stop payments on serious problems."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    paths.do(budgeted, "mn_report", forms.monitoring_report(362.0))
    paths.do(budgeted, "mn_review", forms.monitoring_review(False, "暂缓拨付"))
    assert paths.data(budgeted)["payment_status"] == "暂缓拨付"


def test_monitoring_node_timer_does_not_fire_early(paths, budgeted):
    """R-MN-1: nothing is reported before the node."""
    assert paths.fire(budgeted, f"{YEAR}-05-30T09:00:00") == 0
    assert paths.open(budgeted) == []
    assert datetime(YEAR, 5, 31, tzinfo=UTC) < paths.timers(budgeted)[0].due_at


def test_R_MN_2_the_report_shows_the_nodes_schedule_progress_held_to_the_process(paths, budgeted, db):
    """R-MN-2 (双监控, 绩效监控情况表): the report opens with the node's 序时进度, worked out by the
    process (monitoring_round's mn_prepare), shown not typed; a typed other value is refused."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    [task] = paths.tasks(budgeted)
    days = 366 if YEAR % 4 == 0 else 365
    may_31 = round((151 + (days == 366)) * 100 / days, 2)
    with db.reading() as session:
        schema = tasks.form_schema(session, task)
        values = tasks.prefill(session, task, schema)
        held = tasks.bound_fields(session, task, schema)
    assert float(values["mn_schedule_progress"]) == may_31
    assert "mn_schedule_progress" in held
    with pytest.raises(FormInvalid) as refused:
        paths.do(budgeted, "mn_report", {**forms.monitoring_report(362.0), "mn_schedule_progress": 90})
    assert list(refused.value.fields) == ["mn_schedule_progress"]
    paths.do(budgeted, "mn_report", forms.monitoring_report(362.0))
    assert float(paths.data(budgeted)["mn_schedule_progress"]) == may_31


def test_R_MN_2_the_execution_rate_is_against_the_adjusted_budget(paths, budgeted):
    """R-MN-2: 预算执行率 = 截至节点已执行金额 ÷ 调整后预算数, as the form shows it and the project
    row records it (a budget adjusted down to 300 万元: 150 executed is 50%)."""
    paths.fire(budgeted, f"{YEAR}-06-01T09:00:00")
    report = {
        **forms.monitoring_report(362.0),
        "mn_budget_amount": 300.0,
        "mn_executed_amount": 150.0,
        "mn_projected_amount": 290.0,
    }
    paths.do(budgeted, "mn_report", report)
    assert paths.data(budgeted)["mn_execution_rate"] == 50.0
    assert paths.project_row(budgeted).execution_rate == Decimal("50.00")
