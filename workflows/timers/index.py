"""The due-time index and the claiming of BPMN timers (DESIGN 5, ENGINE-NOTES 2).

Whenever an instance is saved, each timer it waits on gets a ``timer`` row with its due
time (``workflows.commands`` keeps the rows, ``workflows.engine.timer_events`` reads the
timers); a timer that no longer waits (fired, or its task completed first) loses its
row in the same transaction. Every waiting kind is indexed: boundary (interrupting
deadlines and non-interrupting reminders), intermediate catch (calendar nodes), timer
start events, and event-based gateways — for a gateway ``waiting_events()`` gives no
value (``MultipleEventDefinition``, value ``None``), so the due time is read from the
gateway task's ``internal_data['event_value']``, where SpiffWorkflow keeps it.

The scheduler reads only due rows. An instance with an open ``timer`` incident is left
out of every due query until the incident is resolved (retry), so a broken instance is
not refired every pass. Claiming (:func:`claim`) locks the instance's due rows inside
the firing transaction, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a second scheduler
skips them, and a crash before the commit releases them still due.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from ..store import Incident, ProcessInstance, Timer

# The incident kind the scheduler records; an open one parks the instance's timers.
INCIDENT_KIND = "timer"


def rows_of(session: Session, instance_id: int) -> list[Timer]:
    return list(session.scalars(select(Timer).where(Timer.instance_id == instance_id)))


def _parked():
    """An open timer incident on the row's instance: leave it alone until resolved."""
    return exists().where(
        and_(
            Incident.instance_id == Timer.instance_id,
            Incident.kind == INCIDENT_KIND,
            Incident.resolved_at.is_(None),
        )
    )


_tm = Timer.__table__
_pi = ProcessInstance.__table__
_CLAIMED = (_tm.c.id, _tm.c.instance_id, _tm.c.task_id, _tm.c.task_spec, _tm.c.kind, _tm.c.due_at)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def due_rows(session: Session, instance_id: int, moment: datetime) -> list:
    """The instance's due rows (Core rows: what the last save wrote, never a stale ORM copy)."""
    return list(
        session.execute(
            select(*_CLAIMED)
            .where(_tm.c.instance_id == instance_id, _tm.c.due_at <= moment)
            .order_by(_tm.c.due_at, _tm.c.id)
        )
    )


def claim(session: Session, instance_id: int, moment: datetime) -> list:
    """Lock the instance's due rows for this transaction; [] when another scheduler holds them.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED``: a concurrent scheduler gets nothing and moves
    on, and once the holder commits the fired rows are gone (or no longer due). A crash
    before the commit rolls back and releases them, still due. On SQLite a writing unit
    of work holds the database write lock (``BEGIN IMMEDIATE``), which serializes firing.
    """
    query = (
        select(*_CLAIMED)
        .where(_tm.c.instance_id == instance_id, _tm.c.due_at <= moment)
        .order_by(_tm.c.due_at, _tm.c.id)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query))


def claim_batch(
    session: Session, moment: datetime, limit: int, skip: set[int]
) -> tuple[dict[int, list], set[int]]:
    """Claim up to ``limit`` due rows at once, earliest first, grouped by instance (in due order);
    and the instances left out because another writer holds them (PostgreSQL).

    One statement for a whole batch: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
    schedulers (threads or processes) claim disjoint batches and none waits for another;
    the write lock on SQLite. Instances parked by an open incident and those in ``skip``
    (tried already in this pass) are left out.
    """
    query = select(*_CLAIMED).where(_tm.c.due_at <= moment, ~_parked())
    if skip:
        query = query.where(_tm.c.instance_id.not_in(sorted(skip)))
    query = query.order_by(_tm.c.due_at, _tm.c.id).limit(limit)
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True, of=_tm)
    claimed: dict[int, list] = {}
    for row in session.execute(query):
        claimed.setdefault(row.instance_id, []).append(row)
    if claimed and _is_postgres(session):
        # the instances too (SKIP LOCKED): when a batch boundary split an instance's due rows
        # between two schedulers, only the one holding the instance fires it (both its timers),
        # the other leaves it for the next pass instead of racing (and deadlocking) over it
        held = set(
            session.execute(
                select(_pi.c.id).where(_pi.c.id.in_(sorted(claimed))).with_for_update(skip_locked=True)
            ).scalars()
        )
        return {i: rows for i, rows in claimed.items() if i in held}, set(claimed) - held
    return claimed, set()


def next_due(session: Session) -> datetime | None:
    """The earliest due time of any timer the scheduler may fire: one indexed query."""
    return session.scalar(select(Timer.due_at).where(~_parked()).order_by(Timer.due_at).limit(1))


def due_instances(session: Session, moment: datetime, limit: int = 500) -> list[int]:
    """Instances with a timer due at ``moment`` (not parked by an incident), earliest first.

    On PostgreSQL rows another scheduler is firing right now are skipped (``SKIP LOCKED``),
    so concurrent schedulers spread over different instances.
    """
    query = (
        select(Timer.instance_id)
        .where(Timer.due_at <= moment, ~_parked())
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Timer)
    return list(dict.fromkeys(session.scalars(query)))


def parked_instances(session: Session) -> list[int]:
    """Instances whose due timers wait for an incident to be resolved."""
    return list(
        session.scalars(
            select(Incident.instance_id)
            .where(Incident.kind == INCIDENT_KIND, Incident.resolved_at.is_(None))
            .distinct()
        )
    )
