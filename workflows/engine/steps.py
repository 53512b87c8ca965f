"""What a command does to a workflow, in SpiffWorkflow's terms (so commands never import it).

Run engine steps, put start data in, complete a user task, deliver a message, fire due
timers, and read off a workflow what the read tables need: its ready user tasks (with
their form, lane, properties and deadline) and the ``project_*`` values its tasks wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..errors import ScriptError, TaskAlreadyCompleted, TaskNotFound
from . import specs, timer_events
from .serializer import all_tasks


def error_text(exc: BaseException) -> str:
    """One line naming the BPMN element that failed, for incidents and 422 answers."""
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    refusal = _sandbox_refusal(exc)
    if refusal is not None and str(refusal) not in text:
        text = f"{text}: {refusal}"  # SpiffWorkflow's DMN engine words the error without its cause
    task = getattr(exc, "task", None)
    if task is not None:
        text = f"{task.task_spec.bpmn_id or task.task_spec.name}: {text}"
    return text


def _sandbox_refusal(exc: BaseException | None) -> ScriptError | None:
    """The sandbox's own error somewhere under ``exc`` (a refusal, the time or memory limit)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ScriptError):
            return exc
        exc = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    return None


def run(workflow) -> None:
    """Run automatic work until the workflow waits for people, timers or messages."""
    try:
        workflow.do_engine_steps()
    except (SpiffWorkflowException, ScriptError) as exc:
        raise ScriptError(error_text(exc)) from exc


def put_start_data(workflow, data: dict) -> None:
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)


def complete_user_task(workflow, task_id: str, data: dict) -> None:
    """Complete a ready user task with (already validated) form data, then run on."""
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except Exception as exc:  # SpiffWorkflow raises TaskNotFoundException for an unknown id
        raise TaskNotFound(f"no task {task_id} in this instance") from exc
    if task.state != TaskState.READY:
        raise TaskAlreadyCompleted("该任务当前不可办理（可能已办结），请刷新后重试")
    task.data.update(data)
    try:
        task.run()
    except (SpiffWorkflowException, ScriptError) as exc:
        raise ScriptError(error_text(exc)) from exc
    run(workflow)


def replace_instance_item(workflow, task_id: str, value: Any) -> str:
    """Give a ready multi-instance child another input item (an expert panel member replaced,
    R-EX-1); returns the item's name. The input collection keeps its original members."""
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except Exception as exc:
        raise TaskNotFound(f"no task {task_id} in this instance") from exc
    item = getattr(task.parent.task_spec, "input_item", None) if task.parent else None
    if item is None:
        raise TaskNotFound(f"task {task_id} is not one instance of a multi-instance task")
    if task.state != TaskState.READY:
        raise TaskAlreadyCompleted("该任务当前不可办理（可能已办结），请刷新后重试")
    item.set(task, value)
    if "item" in task.internal_data:
        task.internal_data["item"] = value
    return item.bpmn_id


def deliver_message(workflow, name: str, payload: Any) -> bool:
    """Deliver a message; False when the workflow is not waiting for it."""
    try:
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
    except WorkflowException:
        return False
    run(workflow)
    return True


def fire_timers(workflow) -> None:
    """Mark due timers ready and run on (ENGINE-NOTES 2: refresh, then engine steps)."""
    workflow.refresh_timers()
    run(workflow)


def cancel(workflow) -> None:
    workflow.cancel()


@dataclass(frozen=True)
class ReadyUserTask:
    """A ready user task as the ``human_task`` table needs it."""

    id: str
    task_spec: str
    title: str
    form: str | None
    role: str | None
    deadline: datetime | None
    _task: Any

    def expression(self, prop: str) -> Any:
        """Evaluate the user task's property ``prop`` (assignee, priority, dueAt, unitId) in the sandbox."""
        source = specs.task_property(self._task.task_spec, prop)
        if not source:
            return None
        try:
            return self._task.workflow.script_engine.evaluate(self._task, source)
        except Exception as exc:
            raise ScriptError(f"{self.task_spec}: property {prop} = {source!r} failed: {exc}") from exc


def ready_user_tasks(workflow) -> list[ReadyUserTask]:
    found = []
    for task in all_tasks(workflow):
        if not (task.task_spec.manual and task.state == TaskState.READY):
            continue
        ts = task.task_spec
        found.append(
            ReadyUserTask(
                id=str(task.id),
                task_spec=ts.bpmn_id or ts.name,
                title=(ts.bpmn_name or ts.bpmn_id or ts.name)[:200],
                form=specs.user_task_form(ts),
                role=specs.task_property(ts, "role") or ts.lane,
                deadline=timer_events.deadline_of(task),
                _task=task,
            )
        )
    return found


_UNSET = object()


def latest_writes(workflow, keys: dict[str, str]) -> dict[str, Any]:
    """For data keys ``{key: column}``, the value each key's latest *writer* left.

    The writer is the last completed task whose value differs from its parent's; tasks
    that merely carry an older copy (a join completing after a parallel branch wrote the
    value) do not count. Values in the workflow's own data win.
    """
    latest: dict[str, tuple[float, Any]] = {}
    for task in _completed(workflow):
        parent_data = task.parent.data if task.parent is not None else {}
        for key, column in keys.items():
            value = task.data.get(key, _UNSET)
            if value is _UNSET or parent_data.get(key, _UNSET) == value:
                continue
            if column not in latest or task.last_state_change >= latest[column][0]:
                latest[column] = (task.last_state_change, value)
    values = {column: value for column, (_, value) in latest.items()}
    for key, column in keys.items():
        if key in workflow.data:
            values[column] = workflow.data[key]
    return values


def _completed(workflow) -> Iterator:
    return (t for t in all_tasks(workflow) if t.state == TaskState.COMPLETED)
