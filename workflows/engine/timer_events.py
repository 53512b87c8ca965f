"""BPMN timers as SpiffWorkflow holds them: which timers an instance waits on, and when.

For an event-based gateway ``waiting_events()`` gives no value (``MultipleEventDefinition``,
value ``None``), so the due time is read from the gateway task's
``internal_data['event_value']``, where SpiffWorkflow keeps it (ENGINE-NOTES 2). Due times
are aware UTC datetimes; a date without an offset means China time (+08:00).
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

from .. import clock
from .serializer import all_tasks


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
    for task in all_tasks(workflow):
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
