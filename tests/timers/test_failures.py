"""Failures: a broken instance becomes an incident, is parked, retried; a crash leaves timers due."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import commands, policy, timers
from workflows.errors import Conflict
from workflows.store import Incident, ProcessInstance, Project

from .conftest import REPO, T0, china, count_fired, fired_events, start_at, timer_rows

END_OF_MAY = china("2026-05-31T18:00:00+08:00")
GOOD = {"fiscal_year": 2026, "next_check": "2026-06-10T00:00:00+08:00"}
BROKEN = {"fiscal_year": 2026, "next_check": "下个月十号"}  # not an ISO 8601 date


def _incidents(db):
    with db.reading() as s:
        return list(s.scalars(select(Incident).order_by(Incident.id)))


def _status(db, instance_id):
    with db.reading() as s:
        return s.get(ProcessInstance, instance_id).status


def test_a_broken_timer_expression_becomes_an_incident_while_the_others_fire(db, kinds):
    first = start_at(db, T0, "calendar", data=GOOD).instance_id
    broken = start_at(db, T0, "calendar", data=BROKEN).instance_id
    last = start_at(db, T0, "calendar", data=GOOD).instance_id
    report = timers.run_due(db, END_OF_MAY)
    assert report.fired == 2 and len(report.incidents) == 1
    [incident] = _incidents(db)
    assert incident.instance_id == broken and incident.kind == "timer"
    assert "after_may" in incident.message or "下个月十号" in incident.message
    # the others moved on to their next calendar node; the broken one is unchanged, still due
    assert [r.task_spec for r in timer_rows(db, first)] == ["after_may"]
    assert [r.task_spec for r in timer_rows(db, last)] == ["after_may"]
    assert [r.task_spec for r in timer_rows(db, broken)] == ["end_of_may"]
    assert fired_events(db, broken) == []


def test_an_instance_with_an_open_timer_incident_is_not_refired_every_pass(db, kinds):
    broken = start_at(db, T0, "calendar", data=BROKEN).instance_id
    timers.run_due(db, END_OF_MAY)
    for day in range(1, 4):
        report = timers.run_due(db, END_OF_MAY + timedelta(days=day))
        assert report.incidents == [] and report.fired == 0
    assert len(_incidents(db)) == 1
    with db.reading() as s:
        assert timers.index.due_instances(s, END_OF_MAY + timedelta(days=9)) == []
        assert timers.index.next_due(s) is None  # the scheduler does not wake up for it either
        assert timers.index.parked_instances(s) == [broken]


def test_retrying_a_timer_incident_fires_again_once_the_cause_is_gone(db, kinds, monkeypatch):
    instance_id = start_at(db, T0, "gateway").instance_id
    real_load = commands._persist.load_instance

    def unavailable(session, iid):
        raise RuntimeError("attachment store unavailable")

    monkeypatch.setattr(commands._persist, "load_instance", unavailable)
    report = timers.run_due(db, T0 + timedelta(days=3))
    assert len(report.incidents) == 1
    monkeypatch.setattr(commands._persist, "load_instance", real_load)
    assert timers.run_due(db, T0 + timedelta(days=3)).fired == 0  # parked while open
    retried = timers.retry_incident(
        db,
        report.incidents[0],
        actor=policy.Actor("admin", frozenset({"admin"})),
        as_of=T0 + timedelta(days=3),
    )
    assert retried.fired == 1 and retried.incidents == []
    assert _status(db, instance_id) == "completed"
    [incident] = _incidents(db)
    assert incident.resolved_at is not None
    assert count_fired(db) == 1


def test_a_retry_that_fails_again_opens_a_new_incident(db, kinds):
    start_at(db, T0, "calendar", data=BROKEN)
    [first] = timers.run_due(db, END_OF_MAY).incidents
    again = timers.retry_incident(db, first, actor=policy.Actor.system("admin"), as_of=END_OF_MAY)
    assert len(again.incidents) == 1
    assert [(i.id == first, i.resolved_at is None) for i in _incidents(db)] == [(True, False), (False, True)]


def test_a_crash_between_claim_and_commit_leaves_the_timer_due_and_it_fires_once_later(
    db, kinds, database_url
):
    instance_id = start_at(db, T0, "gateway").instance_id
    db.dispose()
    # a scheduler process that dies (os._exit: no rollback, no cleanup) after claiming the
    # rows and writing the fired state, before its commit
    crash = textwrap.dedent(
        """
        import os
        from workflows import clock, commands, timers
        from workflows.store import Database
        real_save = commands._persist.save
        def save_then_die(*args, **kwargs):
            real_save(*args, **kwargs)
            os._exit(17)
        commands._persist.save = save_then_die
        moment = clock.parse_moment("2026-05-04T09:00:00+08:00")
        with clock.frozen(moment):
            timers.run_due(Database(os.environ["JIXIAO_DATABASE_URL"]), moment)
        """
    )
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url}
    died = subprocess.run([sys.executable, "-c", crash], cwd=REPO, env=env, capture_output=True, text=True)
    assert died.returncode == 17, died.stderr
    [row] = timer_rows(db, instance_id)
    assert row.task_spec == "wait_report" and row.due_at <= china("2026-05-04T09:00:00+08:00")
    assert count_fired(db) == 0 and _incidents(db) == []
    assert _status(db, instance_id) == "running"
    report = timers.run_due(db, china("2026-05-04T09:00:05+08:00"))
    assert report.fired == 1
    assert timers.run_due(db, china("2026-05-05T00:00:00+08:00")).fired == 0
    assert count_fired(db) == 1
    assert _status(db, instance_id) == "completed"


@pytest.mark.postgres
def test_the_deadline_firing_while_a_user_completes_the_task_leaves_the_user_a_conflict(
    db, kinds, people, monkeypatch
):
    """The optimistic lock stays: the user who loaded before the deadline fired gets a Conflict."""
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    real_load = commands._persist.load_instance
    fired = {}

    def deadline_fires_meanwhile(session, instance_id):
        loaded = real_load(session, instance_id)
        if not fired:  # the user's command has loaded the instance; now the scheduler runs
            fired["report"] = timers.run_due(db, china("2026-05-11T09:00:00+08:00"))
        return loaded

    monkeypatch.setattr(commands._persist, "load_instance", deadline_fires_meanwhile)
    with pytest.raises(Conflict):
        commands.complete_task(db, started.next_tasks[0].id, {"note": "迟了"}, actor=people.submitter)
    assert fired["report"].fired == 2
    assert count_fired(db) == 2
    with db.reading() as s:
        assert s.get(Project, people.project_id).overdue is True


def test_resolving_the_incident_lets_the_next_pass_fire_the_instance(db, kinds, monkeypatch):
    instance_id = start_at(db, T0, "gateway").instance_id
    real_load = commands._persist.load_instance
    monkeypatch.setattr(
        commands._persist, "load_instance", lambda s, i: (_ for _ in ()).throw(RuntimeError("flaky"))
    )
    [incident_id] = timers.run_due(db, T0 + timedelta(days=3)).incidents
    monkeypatch.setattr(commands._persist, "load_instance", real_load)
    commands.resolve_incident(db, incident_id, actor=policy.Actor.system("admin"))
    assert timers.run_due(db, T0 + timedelta(days=3)).fired == 1
    assert _status(db, instance_id) == "completed"
