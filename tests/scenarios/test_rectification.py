"""整改 rectification, the call activity every path uses (DOMAIN 3.6)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from demo import form_data as forms
from tests.scenarios.conftest import moment
from workflows.store import AuditEvent


def start(paths, **data):
    base = {"rect_subject": "绩效监控", "rect_reasons": "执行率偏低"}
    base.update(data)
    return paths.start("rectification", project=False, **base)


def round_trip(paths, iid, accepted):
    paths.do(iid, "rc_submit", forms.rectification_submit())
    paths.do(iid, "rc_verify", forms.rectification_verify(accepted))


def test_unit_states_measures_and_the_reviewer_verifies(paths):
    """R-RC-1: the unit resubmits with measures and evidence; the reviewer checks again."""
    iid = start(paths)
    assert [(t.task_spec, t.role) for t in paths.tasks(iid)] == [("rc_submit", "unit_submitter")]
    paths.do(iid, "rc_submit", forms.rectification_submit())
    assert [(t.task_spec, t.role) for t in paths.tasks(iid)] == [("rc_verify", "finance_reviewer")]


def test_returned_three_times_then_accepted(paths):
    """R-RC-2: three returns stay within the default bound of 3; the fourth submission is accepted."""
    iid = start(paths)
    for _ in range(3):
        round_trip(paths, iid, accepted=False)
        assert paths.open(iid) == ["rc_submit"]
    round_trip(paths, iid, accepted=True)
    data = paths.data(iid)
    assert paths.status(iid) == "completed"
    assert data["rectification_result"] == "accepted"
    assert data["rect_returns"] == 3 and data["rectification_rounds"] == 4


def test_a_return_beyond_the_bound_escalates_to_leadership(paths):
    """R-RC-2: rounds are bounded (default 3); exceeding the bound escalates."""
    iid = start(paths)
    for _ in range(4):
        round_trip(paths, iid, accepted=False)
    [task] = paths.tasks(iid)
    assert (task.task_spec, task.role) == ("rc_escalate", "leadership")
    paths.do(
        iid,
        "rc_escalate",
        {"rect_leadership_decision": "收回资金", "rect_leadership_comment": "收回剩余资金"},
    )
    assert paths.data(iid)["rectification_result"] == "escalated"


def test_the_bound_is_a_process_variable(paths):
    """R-RC-2: the bound is local policy: started with rectification_max_rounds=1, the second return escalates."""
    iid = start(paths, rectification_max_rounds=1)
    round_trip(paths, iid, accepted=False)
    assert paths.open(iid) == ["rc_submit"]
    round_trip(paths, iid, accepted=False)
    assert paths.open(iid) == ["rc_escalate"]


def test_each_return_is_recorded_with_the_reasons(paths, db):
    """R-RC-2: each return is recorded (process data and the audit log) with the reviewer's reasons."""
    iid = start(paths)
    round_trip(paths, iid, accepted=False)
    round_trip(paths, iid, accepted=True)
    log = paths.data(iid)["rect_log"]
    assert [entry["verdict"] for entry in log] == ["退回", "通过"]
    assert log[0]["comment"] == forms.rectification_verify(False)["rect_comment"]
    with db.reading() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.instance_id == iid, AuditEvent.action == "task.completed"
                )
            )
        )
    assert len(actions) == 4


def test_rectification_deadline_comes_from_the_caller(paths):
    """R-RA-2: the unit reports measures by a deadline."""
    iid = start(paths, rect_due_at="2028-09-30T23:59:59+08:00")
    assert paths.tasks(iid)[0].due_at == moment("2028-09-30T23:59:59").astimezone(UTC)


def test_project_shows_rectification_then_returns_to_its_stage(paths):
    """R-RC-1: while the unit rectifies, the project is in rectification; then back to its path."""
    iid = paths.start()
    paths.through_ex_ante(iid)
    paths.through_targets(iid)
    paths.fire(iid, "2027-06-01T09:00:00")
    paths.do(iid, "mn_report", forms.monitoring_report(362.0))
    paths.do(iid, "mn_review", forms.monitoring_review(False))
    assert paths.project_row(iid).stage == "rectification"
    round_trip(paths, iid, accepted=True)
    assert paths.project_row(iid).stage == "monitoring"


def test_R_RC_1_rectification_has_a_deadline_even_when_none_is_given(paths):
    """R-RC-1 (product policy: rectification_days, default 15): a return without a date is due in 15 days."""
    paths.clock_at("2027-06-20T10:00:00")
    iid = start(paths)
    [task] = paths.tasks(iid)
    assert task.due_at == moment("2027-07-05T23:59:59").astimezone(UTC)
    assert [t.task_spec for t in paths.timers(iid)] == ["rc_deadline"]


def test_R_RC_1_overdue_rectification_marks_the_project_and_notifies(paths):
    """R-RC-1: past the rectification deadline the unit, its head and finance are told; the task stays open."""
    iid = paths.start("rectification", rect_subject="评价结果整改", rect_due_at="2027-08-31T23:59:59+08:00")
    assert paths.fire(iid, "2027-08-31T23:00:00") == 0
    assert paths.fire(iid, "2027-09-01T00:30:00") == 1
    assert paths.project_row(iid).overdue is True
    assert paths.open(iid) == ["rc_submit"]
    assert {next(iter(n["to"].items())) for n in paths.notices(iid)} == {
        ("task", "rc_submit"),
        ("role", "unit_head"),
        ("role", "finance_reviewer"),
    }
