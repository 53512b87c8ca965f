"""A timer batch sends its instance and timer rows at its end, in one go (issue 14): the
optimistic lock, the audit chain and exactly once stay as they were."""

from __future__ import annotations

from sqlalchemy import select, update

from workflows import commands, timers
from workflows.store import AuditEvent, ProcessInstance, audit
from workflows.timers import firing

from .conftest import T0, count_fired, days, start_at, timer_rows


def _statuses(db, ids):
    with db.reading() as s:
        return list(s.scalars(select(ProcessInstance.status).where(ProcessInstance.id.in_(ids))))


def test_a_batch_fires_every_due_timer_once_and_leaves_no_timer_row(db, kinds):
    ids = [start_at(db, T0, "wait").instance_id for _ in range(5)]
    report = timers.run_due(db, T0 + days(1))
    assert (report.fired, report.conflicts, report.incidents) == (5, 0, [])
    assert _statuses(db, ids) == ["completed"] * 5
    assert timer_rows(db) == []
    assert count_fired(db) == 5
    with db.reading() as s:
        assert audit.verify(s) == []


def test_an_instance_moved_after_the_batch_read_it_is_refused_at_the_end_and_fired_carefully(
    db, kinds, monkeypatch
):
    """The held update still says ``WHERE lock_version = :seen``: one instance moved meanwhile
    makes the straight batch fail whole (nothing of it committed); the careful attempt fires
    every instance once."""
    ids = [start_at(db, T0, "wait").instance_id for _ in range(3)]
    real_preload = commands._preload.preload
    moved = []

    def someone_moves_the_second(session, instance_ids):
        real_preload(session, instance_ids)
        if not moved:  # the first attempt only: after the batch read the rows
            moved.append(ids[1])
            session.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == ids[1])
                .values(lock_version=ProcessInstance.lock_version + 1)
            )

    real_carefully, careful = firing._fire_carefully, []

    def carefully(*args):
        careful.append(args)
        return real_carefully(*args)

    monkeypatch.setattr(commands._preload, "preload", someone_moves_the_second)
    monkeypatch.setattr(firing, "_fire_carefully", carefully)
    report = timers.run_due(db, T0 + days(1))
    assert moved == [ids[1]]
    assert len(careful) == 1  # the straight attempt was refused at its end
    assert (report.fired, report.incidents) == (3, [])
    assert _statuses(db, ids) == ["completed"] * 3
    assert timer_rows(db) == []
    with db.reading() as s:
        fired = list(s.scalars(select(AuditEvent.instance_id).where(AuditEvent.action == "timer.fired")))
        assert sorted(fired) == sorted(ids)  # once each: the refused attempt left nothing
        assert audit.verify(s) == []


def test_a_catch_up_of_chained_timers_writes_the_last_state_once(db, kinds, people):
    """A catch-up fires an instance's timers one due time after another, saving after each: the
    batch holds one update per instance, with the version it read, and the final state."""
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    with db.reading() as s:
        before = s.get(ProcessInstance, started.instance_id).lock_version
    report = timers.run_due(db, T0 + days(30))
    assert report.fired >= 2 and report.conflicts == 0
    with db.reading() as s:
        row = s.get(ProcessInstance, started.instance_id)
        assert row.lock_version == before + report.fired  # one version per step, as before
        assert audit.verify(s) == []
    assert [r.task_spec for r in timer_rows(db, started.instance_id)] == []
