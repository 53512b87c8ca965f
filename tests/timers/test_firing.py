"""Firing: deadlines, reminders, escalation, restarts, catch-up (clock-driven, no sleeping)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from workflows import clock, commands, timers
from workflows.store import AuditEvent, HumanTask, Notification, ProcessInstance, Project

from .conftest import REPO, T0, china, count_fired, fired_events, start_at, timer_rows

DEADLINE = china("2026-05-11T09:00:00+08:00")
REMINDER = china("2026-05-08T09:00:00+08:00")


def _tasks(db, instance_id):
    with db.reading() as s:
        return {
            r.task_spec: r.status
            for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))
        }


def _notices(db):
    with db.reading() as s:
        return sorted((n.username, n.kind) for n in s.scalars(select(Notification)))


def test_deadline_fires_at_the_deadline_and_not_one_second_before(db, kinds):
    started = start_at(db, T0, "deadline")
    timers.run_due(db, REMINDER)  # the reminder, so only the deadline is left
    assert timers.run_due(db, DEADLINE - timedelta(seconds=1)).fired == 0
    assert _tasks(db, started.instance_id) == {"submit": "open"}
    assert timers.run_due(db, DEADLINE).fired == 1
    assert _tasks(db, started.instance_id) == {"submit": "cancelled"}
    [event] = [e for e in fired_events(db) if e.data["timer"] == "deadline_timer"]
    assert event.data["due_at"] == DEADLINE.isoformat()


def test_reminder_fires_before_the_deadline_without_cancelling_the_task(db, kinds, people, mails):
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    assert timers.run_due(db, REMINDER - timedelta(seconds=1)).fired == 0
    assert timers.run_due(db, REMINDER).fired == 1
    assert _tasks(db, started.instance_id) == {"submit": "open"}
    assert [r.task_spec for r in timer_rows(db)] == ["deadline_timer"]
    # the owner (unclaimed: the unit's submitters) gets the notice, in-app and by mail
    assert _notices(db) == [("zhang.san", "reminder")]
    assert [m.to for m in mails.sent] == ["zhang@a.example"]


def test_reminder_goes_to_the_assignee_once_the_task_is_claimed(db, kinds, people):
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    factories.user(db, "sun.qi", "unit_submitter", unit_code="U-A")  # a colleague in the pool
    commands.claim(db, started.next_tasks[0].id, actor=people.submitter)
    timers.run_due(db, REMINDER)
    assert _notices(db) == [("zhang.san", "reminder")]


def test_deadline_escalates_marks_overdue_and_notifies_unit_head_and_finance(db, kinds, people, mails):
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    report = timers.run_due(db, DEADLINE)
    assert report.fired == 2  # the reminder (due earlier) and the deadline, in due order
    assert [e.data["timer"] for e in fired_events(db)] == ["reminder", "deadline_timer"]
    with db.reading() as s:
        assert s.get(Project, people.project_id).overdue is True
        assert s.get(ProcessInstance, started.instance_id).status == "completed"
    # unit head of the project's unit only (not 乙局's), the finance reviewer, and the reminder
    assert _notices(db) == [("li.si", "escalation"), ("wang.wu", "escalation"), ("zhang.san", "reminder")]
    assert sorted(m.to for m in mails.sent) == ["li@finance.example", "wang@a.example", "zhang@a.example"]
    assert timer_rows(db) == []


def test_a_second_pass_fires_nothing_more(db, kinds):
    start_at(db, T0, "deadline")
    assert timers.run_due(db, DEADLINE).fired == 2
    assert timers.run_due(db, DEADLINE + timedelta(days=1)).fired == 0
    assert count_fired(db) == 2


def test_a_timer_survives_a_restart_and_fires_from_a_new_process(db, kinds, database_url):
    started = start_at(db, T0, "gateway")
    db.dispose()  # this process lets go; a fresh one opens the same database
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url}
    out = subprocess.run(
        [sys.executable, "-m", "workflows.cli", "timers", "run-due", "--as-of", "2026-05-04T09:00:00+08:00"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "fired 1 timer(s) in 1 instance(s)" in out.stdout
    with db.reading() as s:
        assert s.get(ProcessInstance, started.instance_id).status == "completed"
    assert len(fired_events(db, started.instance_id)) == 1


def _outcome(db, instance_id):
    """What a person could observe of an instance, without timestamps of the firing itself."""
    with db.reading() as s:
        instance, workflow = commands._persist.load_instance(s, instance_id)
        events = [
            (e.action, e.data.get("timer"), e.data.get("due_at"))
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
            )
            if e.action not in ("instance.started",)
        ]
        project = s.get(Project, instance.project_id) if instance.project_id else None
        return {
            "status": instance.status,
            "data": {k: v for k, v in workflow.data.items()},
            "tasks": sorted(
                (r.task_spec, r.status, r.due_at)
                for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))
            ),
            "timers": [(r.task_spec, r.due_at) for r in timers.index.rows_of(s, instance_id)],
            "events": events,
            "overdue": project.overdue if project else None,
        }


def test_run_due_as_of_gives_the_same_outcome_as_waiting(db, kinds, people):
    chained = {"fiscal_year": 2026, "next_check": "2026-06-10T00:00:00+08:00"}
    waited = [
        start_at(db, T0, "deadline", project_id=people.project_id).instance_id,
        start_at(db, T0, "calendar", data=chained).instance_id,
        start_at(db, T0, "gateway").instance_id,
    ]
    caught_up = [
        start_at(db, T0, "deadline", project_id=people.project_id).instance_id,
        start_at(db, T0, "calendar", data=chained).instance_id,
        start_at(db, T0, "gateway").instance_id,
    ]
    end = china("2026-07-01T00:00:00+08:00")
    # waiting: the scheduler wakes at each due time and fires what is due then (real-time path)
    with db.unit_of_work() as s:  # park the catch-up group while we wait for the other
        from workflows.store import Incident

        for i in caught_up:
            s.add(
                Incident(instance_id=i, kind=timers.INCIDENT_KIND, message="held for the test", created_at=T0)
            )
        s.commit()
    with db.reading() as s:
        due = timers.index.next_due(s)
    while due is not None and due <= end:
        clock.set_now(due + timedelta(microseconds=1))
        timers.run_due(db)
        with db.reading() as s:
            due = timers.index.next_due(s)
    clock.set_now(None)
    with db.unit_of_work() as s:
        for incident in s.scalars(select(Incident)):
            s.delete(incident)
        s.commit()
    # catching up: one operator command long after
    with clock.frozen(end):
        timers.run_due(db, end)
    for a, b in zip(waited, caught_up, strict=True):
        assert _outcome(db, a) == _outcome(db, b)
    assert _outcome(db, waited[1])["status"] == "completed"
