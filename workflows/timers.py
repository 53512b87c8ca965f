"""The due-time index and the claiming of BPMN timers (DESIGN 5, ENGINE-NOTES 2).

Whenever an instance is saved, each timer it waits on gets a ``timer`` row with its due
time (aware, stored as UTC; expressions without an offset are read as China time,
+08:00); a timer that no longer waits (fired, or its task completed first) loses its
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

from dataclasses import dataclass
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent, EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from . import clock, engine
from .store import Incident, Timer

# The incident kind the scheduler records; an open one parks the instance's timers.
INCIDENT_KIND = "timer"


def _read_naive_dates_as_china_time() -> None:
    """A timer date without an offset means China time (+08:00), as on the command line.

    SpiffWorkflow reads it with the machine's offset captured at import (ENGINE-NOTES 2),
    UTC on our servers: "2026-05-31T18:00" would fire eight hours late. Its parser reads
    the module's ``LOCALTZ`` at call time, so the index and the firing agree on this value.
    """
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.LOCALTZ = clock.CHINA


_read_naive_dates_as_china_time()


def parse_due(value) -> datetime | None:
    """An aware UTC datetime from a timer's computed value (ISO string, datetime or cycle dict)."""
    if value is None:
        return None
    if isinstance(value, dict):  # cycle timers: {'cycles', 'next', 'duration'}
        value = value.get("next")
    if isinstance(value, datetime):
        moment = value
    else:
        moment = TimerEventDefinition.get_datetime(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.CHINA)
    moment = moment.astimezone(UTC)
    # SpiffWorkflow's parser hands back our clock's datetime subclass; store plain datetimes
    return datetime(*moment.timetuple()[:6], moment.microsecond, tzinfo=UTC)


def _timer_definition(task_spec):
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        for inner in definition.event_definitions:
            if isinstance(inner, TimerEventDefinition):
                return inner
    return None


def _kind(task_spec) -> str:
    if isinstance(task_spec, BoundaryEvent):
        return "boundary"
    if isinstance(task_spec, StartEvent):
        return "start"
    if isinstance(task_spec, EventBasedGateway):
        return "gateway"
    if isinstance(getattr(task_spec, "event_definition", None), MultipleEventDefinition):
        return "multiple"
    return "intermediate"


@dataclass
class WaitingTimer:
    task_id: str
    task_spec: str
    kind: str
    due_at: datetime
    interrupting: bool
    attached_to: str | None


def waiting_timers(workflow) -> list[WaitingTimer]:
    """Every timer the instance waits on, with its due time."""
    found = []
    for task in engine.all_tasks(workflow):
        # READY too: do_engine_steps ends with refresh_timers(), which marks a timer that came
        # due during the command READY without running it; indexed, the next pass runs it.
        if task.state not in (TaskState.WAITING, TaskState.READY):
            continue
        definition = _timer_definition(task.task_spec)
        if definition is None:
            continue
        # For an event-based gateway the value sits on the gateway task, not in waiting_events().
        value = task.internal_data.get("event_value")
        if value is None and not isinstance(definition, CycleTimerEventDefinition):
            # not evaluated yet (SpiffWorkflow computes it on the first check)
            definition.has_fired(task)
            value = task.internal_data.get("event_value")
        due = parse_due(value)
        if due is None:
            continue
        attached = None
        if isinstance(task.task_spec, BoundaryEvent) and task.parent is not None:
            main = [
                c
                for c in task.parent.children
                if c.task_spec.manual or not isinstance(c.task_spec, BoundaryEvent)
            ]
            attached = str(main[0].id) if main else None
        found.append(
            WaitingTimer(
                task_id=str(task.id),
                task_spec=task.task_spec.bpmn_id or task.task_spec.name,
                kind=_kind(task.task_spec),
                due_at=due,
                interrupting=bool(getattr(task.task_spec, "cancel_activity", True)),
                attached_to=attached,
            )
        )
    return found


def deadline_of(user_task) -> datetime | None:
    """The earliest interrupting boundary timer guarding a user task: its deadline."""
    parent = user_task.parent
    if parent is None:
        return None
    dues = []
    for sibling in parent.children:
        if sibling is user_task or not isinstance(sibling.task_spec, BoundaryEvent):
            continue
        if not getattr(sibling.task_spec, "cancel_activity", True):
            continue  # a non-interrupting timer is a reminder, not the deadline
        if _timer_definition(sibling.task_spec) is None:
            continue
        due = parse_due(sibling.internal_data.get("event_value"))
        if due is not None:
            dues.append(due)
    return min(dues) if dues else None


def sync_index(session: Session, instance, workflow, running: bool = True) -> None:
    """Make the instance's ``timer`` rows equal to the timers it now waits on."""
    waiting = {t.task_id: t for t in waiting_timers(workflow)} if running else {}
    existing = {r.task_id: r for r in rows_of(session, instance.id)}
    for task_id, row in existing.items():
        if task_id not in waiting:
            session.delete(row)  # flushed with the instance's own write
    for task_id, timer in waiting.items():
        row = existing.get(task_id)
        if row is None:
            session.add(
                Timer(
                    instance_id=instance.id,
                    task_id=task_id,
                    task_spec=timer.task_spec,
                    kind=timer.kind,
                    due_at=timer.due_at,
                    interrupting=timer.interrupting,
                    attached_to=timer.attached_to,
                )
            )
        elif row.due_at != timer.due_at:
            row.due_at = timer.due_at


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


def due_rows(session: Session, instance_id: int, moment: datetime) -> list[Timer]:
    return list(
        session.scalars(
            select(Timer)
            .where(Timer.instance_id == instance_id, Timer.due_at <= moment)
            .order_by(Timer.due_at, Timer.id)
        )
    )


def claim(session: Session, instance_id: int, moment: datetime) -> list[Timer]:
    """Lock the instance's due rows for this transaction; [] when another scheduler holds them.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED``: a concurrent scheduler gets nothing and moves
    on, and once the holder commits the fired rows are gone (or no longer due). A crash
    before the commit rolls back and releases them, still due. On SQLite a writing unit
    of work holds the database write lock (``BEGIN IMMEDIATE``), which serializes firing.
    """
    query = (
        select(Timer)
        .where(Timer.instance_id == instance_id, Timer.due_at <= moment)
        .order_by(Timer.due_at, Timer.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


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
