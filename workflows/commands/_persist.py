"""Loading an instance and saving it with everything screens read from it.

A save writes the workflow state (spec by reference) and, in the same transaction,
syncs the read tables: ``human_task`` (the lane gives the role; the project gives the
unit; an ``assignee`` expression; the boundary-timer deadline becomes ``due_at``), the
``timer`` index, the ``project_*`` columns, the notices the BPMN raised, and the audit
log's record of the rule and script steps the engine ran (``engine.step``). A second
writer on the same instance gets :class:`~workflows.errors.Conflict` (``lock_version``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import clock, engine
from ..engine import decisions, specs, steps, timer_events
from ..errors import Conflict, InstanceNotFound, ScriptError, TaskAlreadyCompleted, TaskNotFound, TreeTooDeep
from ..policy import Actor, may_read_task
from ..store import PROJECT_SYNC_COLUMNS, HumanTask, ProcessInstance, Project, Timer, audit
from . import notices


@dataclass
class TaskView:
    id: str
    title: str
    task_spec: str
    role: str | None
    assignee: str | None
    form: str | None
    due_at: datetime | None


@dataclass
class CommandResult:
    instance_id: int
    status: str
    lock_version: int
    next_tasks: list[TaskView] = field(default_factory=list)


def views(rows: Iterable[HumanTask]) -> list[TaskView]:
    return [TaskView(r.id, r.title, r.task_spec, r.role, r.assignee, r.form, r.due_at) for r in rows]


def result_of(instance: ProcessInstance, open_rows: Iterable[HumanTask]) -> CommandResult:
    return CommandResult(instance.id, instance.status, instance.lock_version, views(open_rows))


def write_conflict(exc: OperationalError) -> Conflict:
    return Conflict(f"the database refused a concurrent write: {str(exc.orig)[:120]}")


def load_instance(session: Session, instance_id: int):
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise InstanceNotFound(f"no process instance {instance_id}")
    specs.ensure_loaded(instance.definition)
    return instance, engine.load_workflow(instance.workflow_state)


def open_task(session: Session, task_id: str, actor: Actor) -> HumanTask:
    """The open task ``task_id``; one the actor may not read is not found (ids cannot be probed)."""
    task = (
        session.scalar(select(HumanTask).where(HumanTask.id == task_id)) if len(task_id or "") <= 36 else None
    )
    if task is None or not may_read_task(actor, task):
        raise TaskNotFound(f"no task {task_id}")
    if task.status != "open":
        raise TaskAlreadyCompleted(f"task {task_id} is already {task.status}")
    return task


def save(
    session: Session,
    instance: ProcessInstance,
    workflow,
    actor: Actor,
    *,
    completed_task_id: str | None = None,
) -> list[HumanTask]:
    """Persist the workflow and everything screens read from it; returns the open human tasks."""
    depth = engine.tree_depth(workflow)
    if depth >= engine.MAX_TREE_DEPTH - engine.DEPTH_SAFETY_MARGIN:
        raise TreeTooDeep(
            f"instance {instance.id}: the task tree is {depth} levels deep, near SpiffWorkflow's limit of "
            f"{engine.MAX_TREE_DEPTH}; a review loop in this process is unbounded. Nothing was saved."
        )
    now = clock.now()
    completed = workflow.is_completed()
    record_engine_steps(session, instance, workflow, actor)
    open_rows = _sync_human_tasks(session, instance, workflow, actor, completed_task_id, now)
    sync_timer_index(session, instance, workflow, running=not completed)
    _sync_project(session, instance, workflow)
    # BPMN-raised notices (data key ``notify``) become notification rows
    notices.deliver_raised(session, instance, workflow, actor.username)
    open_titles = [row.title for row in open_rows]
    # the instance row changes last, so one flush writes it once (one lock_version step)
    was_running = instance.status == "running"
    engine.prune_finished_subprocesses(workflow)
    state = engine.dump_workflow(workflow)
    if len(state) > engine.MAX_WORKFLOW_STATE_CHARS:
        # issue 14: a 100-million-character string once became one 200 MB row
        raise ScriptError(
            f"instance {instance.id}: the saved state would be {len(state):,} characters, over the limit of "
            f"{engine.MAX_WORKFLOW_STATE_CHARS:,}; a script or form put too much into the task data. "
            "Nothing was saved."
        )
    instance.workflow_state = state
    instance.updated_at = now
    instance.current_step = "、".join(open_titles)[:200] if open_titles else None
    if completed and was_running:
        instance.status = "completed"
        instance.completed_at = now
    instance_id = instance.id  # read before the flush: a failed flush leaves the session unusable
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(f"instance {instance_id} was changed by someone else; reload and try again") from None
    if was_running and instance.status == "completed":
        audit.append(session, action="instance.completed", actor=actor.username, instance_id=instance_id)
        session.flush()
    return open_rows


def record_engine_steps(session: Session, instance: ProcessInstance, workflow, actor: Actor) -> None:
    """The rules and scripts the engine ran since the last save, in the audit log (what drove each
    decision: DMN inputs and the matched rule, computed totals); read by ``queries.decisions``."""
    for step in decisions.take_unrecorded(workflow):
        audit.append(
            session,
            action="engine.step",
            actor=actor.username,
            instance_id=instance.id,
            task_id=step.task_id,
            data=step.data,
        )


def _sync_human_tasks(session, instance, workflow, actor, completed_task_id, now) -> list[HumanTask]:
    ready = {t.id: t for t in steps.ready_user_tasks(workflow)}
    open_rows = {
        row.id: row
        for row in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "open")
        )
    }
    for task_id, row in open_rows.items():
        if task_id in ready:
            continue
        row.status = "completed" if task_id == completed_task_id else "cancelled"
        row.completed_at = now
        if task_id == completed_task_id:
            row.completed_by = actor.username
        else:
            audit.append(
                session,
                action="task.cancelled",
                actor=actor.username,
                instance_id=instance.id,
                task_id=task_id,
                data={"task": row.task_spec},
            )
    unit_id = None
    if instance.project_id is not None:
        unit_id = session.scalar(select(Project.unit_id).where(Project.id == instance.project_id))
    still_open = []
    for task_id, task in ready.items():
        if task_id in open_rows:
            still_open.append(open_rows[task_id])
            continue
        row = _human_task_row(instance, task, unit_id, now)
        session.add(row)
        still_open.append(row)
        audit.append(
            session,
            action="task.created",
            actor=actor.username,
            instance_id=instance.id,
            task_id=task_id,
            data={"task": row.task_spec, "role": row.role, "assignee": row.assignee},
        )
    return still_open


def _human_task_row(instance, task: steps.ReadyUserTask, unit_id, now) -> HumanTask:
    assignee = task.expression("assignee")
    priority = task.expression("priority")
    due_at = task.deadline
    if due_at is None:
        due_value = task.expression("dueAt")
        due_at = timer_events.parse_due(due_value) if due_value else None
    return HumanTask(
        id=task.id,
        instance_id=instance.id,
        process_id=instance.process_id,
        project_id=instance.project_id,
        unit_id=unit_id,
        task_spec=task.task_spec,
        title=task.title,
        form=task.form,
        role=task.role,
        assignee=str(assignee) if assignee else None,
        priority=int(priority) if priority is not None else 50,
        due_at=due_at,
        status="open",
        created_at=now,
    )


def _sync_project(session: Session, instance: ProcessInstance, workflow) -> None:
    """Copy ``project_<column>`` values set by the BPMN into the project row (DESIGN 3)."""
    if instance.project_id is None:
        return
    values = steps.latest_writes(workflow, {f"project_{c}": c for c in PROJECT_SYNC_COLUMNS})
    if values:
        project = session.get(Project, instance.project_id)
        for column, value in values.items():
            if getattr(project, column) != value:
                setattr(project, column, value)


def sync_timer_index(session: Session, instance, workflow, running: bool = True) -> None:
    """Make the instance's ``timer`` rows equal to the timers it now waits on."""
    waiting = {t.task_id: t for t in timer_events.waiting_timers(workflow)} if running else {}
    existing = {r.task_id: r for r in session.scalars(select(Timer).where(Timer.instance_id == instance.id))}
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
