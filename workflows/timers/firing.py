"""One scheduler pass: fire every due timer, a batch at a time (DESIGN 5, issue 14).

:func:`fire_due_timers` fires one instance's due timers in one unit of work. A pass
(:func:`run_due`) claims due rows a batch at a time (earliest first; instances parked by an
open timer incident are left out) and fires the batch in one unit of work, one commit per
batch, its instance and fired timer rows sent together at its end
(:mod:`~workflows.commands._batch_writes`); a batch in which anything fails is fired again
with each instance under a savepoint. Exactly once:

- the batch's claim locks its due rows (``FOR UPDATE SKIP LOCKED ... LIMIT n`` on
  PostgreSQL, the write lock on SQLite) and, on PostgreSQL, their instances (``SKIP
  LOCKED``), so two schedulers never fire the same timer nor race over one instance;
  rows another scheduler holds are skipped, and an instance held elsewhere waits for the
  next pass;
- the instance's optimistic lock (``lock_version``) still turns any other concurrent
  write (a user completing the task at the deadline) into a :class:`Conflict`: that
  instance is rolled back to its savepoint and retried on the next pass;
- the fired rows disappear in the same commit that writes the ``timer.fired`` audit
  events; a crash before that commit leaves them due for the next pass.

A failure in one instance rolls back its savepoint and becomes a ``timer`` incident on that
instance (visible to administrators), in the batch's commit; the others are not undone.
Its timers stay due but are not refired while the incident is open. :func:`retry_incident`
resolves it and fires again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError

from .. import clock
from ..commands import _batch_writes, _persist, _preload, incidents
from ..engine import steps, timer_events
from ..errors import Conflict, InstanceNotFound
from ..policy import Actor
from ..store import Database, audit, transaction
from . import index

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    fired: int = 0
    instances: int = 0
    conflicts: int = 0
    incidents: list[int] = field(default_factory=list)


# A catch-up (``now`` given) fires an instance's due timers in due order, one step per
# due time, so chained timers come out as if the scheduler had waited; bounded per call.
MAX_TIMER_STEPS = 100
# SpiffWorkflow fires a timer when its due time is strictly before now; a timer due at T
# fires at T (DESIGN 5), so a catch-up step runs one microsecond after the due time.
_AT_DUE = timedelta(microseconds=1)


def fire_due_timers(
    db: Database, instance_id: int, *, now: datetime | None = None, actor: Actor | None = None
) -> int:
    """Fire the instance's timers that are due at ``now``; returns how many fired.

    One unit of work: claim the due ``timer`` rows (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL; nothing claimed → another scheduler has them → 0), then :func:`fire_claimed`,
    commit. Without ``now`` the engine reads the real clock (no freezing: the clock is
    process-wide and a scheduler thread must not freeze it for request threads); with ``now``
    (catch-up, tests) each step freezes the clock at its due time.
    """
    actor = actor or Actor.system("scheduler")
    moment = now if now is not None else clock.now()
    with transaction(db) as session:
        due = index.claim(session, instance_id, moment)
        if not due:
            return 0
        return fire_claimed(session, instance_id, due, now=now, actor=actor)[0]


def fire_claimed(session, instance_id: int, due: list, *, now: datetime | None, actor: Actor):
    """Fire an instance's claimed due rows in the caller's unit of work: load, fire + engine
    steps, save (re-indexes timers, delivers raised notices), one ``timer.fired`` audit event
    per fired timer. Returns how many fired, and whether a timer of it is still due."""
    catch_up = now is not None
    moment = now if catch_up else clock.now()
    instance, workflow = _persist.load_instance(session, instance_id)
    if instance.status != "running":  # stale rows of a finished instance
        _persist.sync_timer_index(session, instance, workflow, running=False)
        return 0, False
    fired_total = 0
    for step in range(MAX_TIMER_STEPS):
        # what was claimed, and whatever else of the instance is due (a batch claim may have
        # stopped among its rows; the saved state's timers are its rows, which every save keeps so)
        due = _due_now(instance, moment, due if step == 0 else ())
        if not due:
            break
        before = {r.task_id: (r.task_spec, r.kind, r.due_at) for r in due}
        step_at = min(r.due_at for r in due) + _AT_DUE if catch_up else None
        with clock.frozen(step_at) if catch_up else nullcontext():
            steps.fire_timers(workflow)
            # what the index will hold (sync_index writes exactly these rows)
            running = not workflow.is_completed()
            after = {t.task_id: t.due_at for t in timer_events.waiting_timers(workflow)} if running else {}
            fired = [
                (task_id, spec, kind, due_at)
                for task_id, (spec, kind, due_at) in before.items()
                if (step_at is None or due_at < step_at) and after.get(task_id) != due_at
            ]
            if not fired:  # nothing came due after all: write nothing
                break
            _persist.save(session, instance, workflow, actor)
        for task_id, spec, kind, due_at in fired:
            audit.append(
                session,
                action="timer.fired",
                actor=actor.username,
                instance_id=instance_id,
                task_id=task_id,
                data={"timer": spec, "kind": kind, "due_at": due_at.astimezone(clock.CHINA).isoformat()},
            )
        fired_total += len(fired)
        if not catch_up or instance.status != "running":
            break
    waiting = instance.timers_at_load or {}
    return fired_total, any(t.due_at <= moment for t in waiting.values())


def _due_now(instance, moment: datetime, claimed) -> list:
    due = {r.task_id: r for r in claimed}
    for timer in (instance.timers_at_load or {}).values():
        if timer.due_at <= moment:
            due.setdefault(timer.task_id, timer)
    return sorted(due.values(), key=lambda r: r.due_at)


def _fire_one(db: Database, instance_id: int, moment: datetime | None, report: PassReport) -> PassReport:
    """Fire one instance in its own unit of work, adding what happened to ``report`` (returned)."""
    actor = Actor.system("scheduler")
    try:
        fired = fire_due_timers(db, instance_id, now=moment, actor=actor)
    except (Conflict, OperationalError):
        # someone else wrote the instance (or the database refused a concurrent write):
        # nothing was committed; the rows are still due for the next pass
        report.conflicts += 1
        return report
    except InstanceNotFound:
        return report
    except Exception as exc:  # one broken instance must not stop the rest
        message = f"{type(exc).__name__}: {exc}"
        log.warning("timer incident on instance %s: %s", instance_id, message)
        report.incidents.append(
            incidents.record_incident(db, instance_id, index.INCIDENT_KIND, message, actor=actor)
        )
        return report
    if fired:
        report.instances += 1
        report.fired += fired
    return report


def _fire_in_batch(session, instance_id: int, due: list, as_of: datetime | None, report: PassReport) -> bool:
    """Fire one claimed instance inside the batch's unit of work, under a savepoint: a failure
    rolls back this instance only (and becomes its incident); the others' work stays. True when
    the instance is done for this pass (fired, or nothing left due for it)."""
    actor = Actor.system("scheduler")
    savepoint = session.begin_nested()  # rolled back, it takes back its audit events and mail too
    try:
        fired, still_due = fire_claimed(session, instance_id, due, now=as_of, actor=actor)
        savepoint.commit()
    except (Conflict, OperationalError):
        savepoint.rollback()
        report.conflicts += 1  # the rows stay due for the next pass
        return False
    except InstanceNotFound:
        savepoint.rollback()
        return False
    except Exception as exc:  # one broken instance must not stop the rest
        savepoint.rollback()
        message = f"{type(exc).__name__}: {exc}"
        log.warning("timer incident on instance %s: %s", instance_id, message)
        report.incidents.append(
            incidents.record_incident(session, instance_id, index.INCIDENT_KIND, message, actor=actor)
        )
        return False
    if fired:
        report.instances += 1
        report.fired += fired
    return bool(fired) and not still_due


def _drain(
    db: Database, moment: datetime, as_of: datetime | None, batch: int, tried: set, lock
) -> PassReport:
    """Claim and fire batches until nothing due is left for this pass: one unit of work (one
    commit) per batch of up to ``batch`` due rows.

    A batch is fired straight first, with no savepoint per instance (issue 14: two round trips
    fewer per instance, and the batch's audit rows written in one go). Should any instance of it
    fail or conflict, that attempt is rolled back whole and the batch fired again carefully, each
    instance under its own savepoint (a failure becomes its incident, the others stay fired)."""
    report = PassReport()
    while True:
        with lock:
            skip = set(tried)
        outcome = _fire_straight(db, moment, as_of, batch, skip)
        if outcome is None:
            outcome = _fire_carefully(db, moment, as_of, batch, skip)
        part, busy, not_done, any_claimed = outcome
        with lock:
            tried.update(busy)  # held by another scheduler or a user: the next pass
            # not fired, failed, refused, or due again: once per pass (a pass always ends);
            # fired instances leave no due row behind, so ``tried`` stays small
            tried.update(not_done)
        _add(report, part)
        if not any_claimed:
            return report


def _add(report: PassReport, part: PassReport) -> None:
    report.fired += part.fired
    report.instances += part.instances
    report.conflicts += part.conflicts
    report.incidents.extend(part.incidents)


def _fire_straight(db: Database, moment, as_of, batch: int, skip: set):
    """One batch without savepoints, its instance and timer rows written at its end
    (:mod:`~workflows.commands._batch_writes`); None when any instance of it failed (nothing
    committed)."""
    part, not_done = PassReport(), set()
    actor = Actor.system("scheduler")
    try:
        with transaction(db) as session:
            claimed, busy = index.claim_batch(session, moment, batch, skip)
            _preload.preload(session, claimed)  # the batch's rows in three statements, not three each
            # the instance rows and fired timer rows written in one go at the end, not two round
            # trips per instance (a conflict there fails the batch: fired again carefully)
            with _batch_writes.deferred(session):
                for instance_id, due in claimed.items():
                    fired, still_due = fire_claimed(session, instance_id, due, now=as_of, actor=actor)
                    if fired:
                        part.instances += 1
                        part.fired += fired
                    if not fired or still_due:
                        not_done.add(instance_id)
    except Exception:  # noqa: BLE001 - fired again carefully, where each failure is its own
        return None
    return part, busy, not_done, bool(claimed or busy)


def _fire_carefully(db: Database, moment, as_of, batch: int, skip: set):
    """One batch, each instance under its own savepoint (see :func:`_fire_in_batch`)."""
    part, not_done = PassReport(), set()
    with transaction(db) as session:
        claimed, busy = index.claim_batch(session, moment, batch, skip)
        _preload.preload(session, claimed)
        for instance_id, due in claimed.items():
            if not _fire_in_batch(session, instance_id, due, as_of, part):
                not_done.add(instance_id)
    return part, busy, not_done, bool(claimed or busy)


def run_due(db: Database, as_of: datetime | None = None, batch: int = 100, workers: int = 1) -> PassReport:
    """Fire everything due at ``as_of`` (a catch-up, clock frozen per step) or now (real time).

    Due rows are claimed a batch at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and a
    batch is fired in one unit of work (see :func:`_drain`: a failing instance becomes an
    incident without undoing the others). ``workers`` > 1 drains on that
    many threads, each claiming its own batches (real time only: a catch-up freezes the
    process-wide clock, so it stays on one thread). Useful on PostgreSQL; SQLite serializes
    writers anyway. Several processes do the same, each claiming disjoint batches.
    """
    moment = as_of or clock.now()
    with db.reading() as session:  # an idle pass reads one index entry and takes no write lock
        earliest = index.next_due(session)
    if earliest is None or earliest > moment:
        return PassReport()
    tried: set[int] = set()
    lock = threading.Lock()
    threads = workers if as_of is None and workers > 1 else 1
    if threads == 1:
        return _drain(db, moment, as_of, batch, tried, lock)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="jixiao-timer") as pool:
        parts = list(pool.map(lambda _: _drain(db, moment, None, batch, tried, lock), range(threads)))
    report = PassReport()
    for part in parts:
        report.fired += part.fired
        report.instances += part.instances
        report.conflicts += part.conflicts
        report.incidents.extend(part.incidents)
    return report


def retry_incident(
    db: Database, incident_id: int, *, actor: Actor, as_of: datetime | None = None
) -> PassReport:
    """Resolve a timer incident and fire the instance's due timers again (one more incident if it fails)."""
    instance_id = incidents.resolve_incident(db, incident_id, actor=actor)
    report = PassReport()
    _fire_one(db, instance_id, as_of, report)
    return report
