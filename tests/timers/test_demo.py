"""The `make run` demo (bpmn/demo_deadline.bpmn): a deadline minutes away escalates by itself."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from workflows import clock, commands, timers
from workflows.queries import inbox
from workflows.store import HumanTask, Notification, Project
from workflows.timers.scheduler import TimerScheduler

from .conftest import REPO, T0, start_at, timer_rows


def _deploy_demo(deploy):
    return deploy(REPO / "bpmn")


def test_the_demo_deadline_is_minutes_away_and_set_by_a_process_variable(db, deploy, people):
    _deploy_demo(deploy)
    started = start_at(db, T0, "demo_deadline", data={"deadline_minutes": 5}, project_id=people.project_id)
    assert [(r.task_spec, r.due_at - T0) for r in timer_rows(db)] == [
        ("reminder", timedelta(minutes=4)),
        ("deadline", timedelta(minutes=5)),
    ]
    assert started.next_tasks[0].due_at == T0 + timedelta(minutes=5)


def test_the_demo_reminds_the_owner_then_escalates_and_asks_for_a_late_report(db, deploy, people):
    _deploy_demo(deploy)
    started = start_at(db, T0, "demo_deadline", data={"deadline_minutes": 3}, project_id=people.project_id)
    assert timers.run_due(db, T0 + timedelta(minutes=2)).fired == 1
    assert timers.run_due(db, T0 + timedelta(minutes=3)).fired == 1
    with db.reading() as s:
        assert s.get(Project, people.project_id).overdue is True
        tasks = {
            r.task_spec: r.status
            for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == started.instance_id))
        }
        notices = sorted((n.username, n.kind) for n in s.scalars(select(Notification)))
    assert tasks == {"submit_report": "cancelled", "late_report": "open"}
    assert notices == [("li.si", "escalation"), ("wang.wu", "escalation"), ("zhang.san", "reminder")]


def test_the_late_report_is_due_as_long_again_and_shows_its_date_in_the_inbox(db, deploy, people):
    """The late report the deadline asks for is a late filing with a deadline of its own (补报期限,
    a boundary timer in the BPMN): the unit's inbox shows its due date, never 无期限."""
    _deploy_demo(deploy)
    started = start_at(db, T0, "demo_deadline", data={"deadline_minutes": 3}, project_id=people.project_id)
    timers.run_due(db, T0 + timedelta(minutes=3))
    with db.reading() as s:
        late = s.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == started.instance_id, HumanTask.task_spec == "late_report"
            )
        ).one()
        [row] = [
            r
            for r in inbox.tasks(s, people.submitter, "claimable", now=T0 + timedelta(minutes=3)).items
            if r.id == late.id
        ]
    # asked for as the deadline fired (a microsecond past it), due 3 minutes on
    assert timedelta(0) <= late.due_at - (T0 + timedelta(minutes=6)) < timedelta(seconds=1)
    assert row.due_at == late.due_at
    assert [(r.task_spec, r.due_at) for r in timer_rows(db, started.instance_id)] == [
        ("late_deadline", late.due_at)
    ]


def test_a_late_report_left_unfiled_past_its_deadline_is_closed_and_escalated(db, deploy, people):
    _deploy_demo(deploy)
    started = start_at(db, T0, "demo_deadline", data={"deadline_minutes": 3}, project_id=people.project_id)
    timers.run_due(db, T0 + timedelta(minutes=3))
    assert timers.run_due(db, T0 + timedelta(minutes=5)).fired == 0
    assert timers.run_due(db, T0 + timedelta(minutes=6, seconds=1)).fired == 1
    with db.reading() as s:
        tasks = {
            r.task_spec: r.status
            for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == started.instance_id))
        }
        unfiled = sorted(
            (n.username, n.subject) for n in s.scalars(select(Notification)) if "未补报" in n.subject
        )
    assert tasks == {"submit_report": "cancelled", "late_report": "cancelled"}
    assert unfiled == [("li.si", "监控情况逾期未补报"), ("wang.wu", "监控情况逾期未补报")]
    assert timer_rows(db, started.instance_id) == []


def test_submitting_in_time_ends_the_demo_without_escalation(db, deploy, people):
    _deploy_demo(deploy)
    started = start_at(db, T0, "demo_deadline", data={"deadline_minutes": 3}, project_id=people.project_id)
    with clock.frozen(T0 + timedelta(minutes=1)):
        done = commands.complete_task(
            db, started.next_tasks[0].id, {"executed_amount": 300}, actor=people.submitter
        )
    assert done.status == "completed" and timer_rows(db) == []


def test_the_background_scheduler_fires_the_demo_by_itself(db, deploy, people):
    """In-process APScheduler job (what the server starts): no one calls run_due."""
    _deploy_demo(deploy)
    # started 3 minutes (less a little) ago in real time: the deadline is due now
    started = start_at(
        db,
        clock.now() - timedelta(minutes=3),
        "demo_deadline",
        data={"deadline_minutes": 3},
        project_id=people.project_id,
    )
    scheduler = TimerScheduler(db, max_sleep=0.2).start()
    try:
        for _ in range(600):  # a bound on waiting, not a timing assertion
            with db.reading() as s:
                if s.get(Project, people.project_id).overdue:
                    break
            clock_sleep(0.05)
    finally:
        scheduler.shutdown()
    with db.reading() as s:
        assert s.get(Project, people.project_id).overdue is True
        assert (
            s.scalars(
                select(HumanTask.status).where(
                    HumanTask.instance_id == started.instance_id, HumanTask.task_spec == "late_report"
                )
            ).one()
            == "open"
        )
    assert scheduler.fired == 2


def clock_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
