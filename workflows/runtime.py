"""The commands: each one unit of work that leaves the database consistent (DESIGN 2).

A command loads the instance, acts, runs engine steps until the workflow waits, saves
the workflow state (spec by reference), syncs the read tables (``human_task``,
``timer``, project columns), appends audit events and commits. Anything raised before
the commit rolls everything back. A second writer on the same instance gets
:class:`~workflows.errors.Conflict`, never a lost update (``lock_version``).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, clock, engine, forms, notifications, specs, timers
from .db import Database
from .errors import (
    Conflict,
    Forbidden,
    InstanceNotFound,
    NotClaimedByYou,
    ScriptError,
    TaskAlreadyCompleted,
    TaskNotFound,
    TreeTooDeep,
)
from .store import PROJECT_SYNC_COLUMNS, HumanTask, Incident, ProcessInstance, Project, User

# Roles whose tasks are scoped to the project's budget unit (DOMAIN 2: the unit's own staff).
UNIT_SCOPED_ROLES = frozenset({"unit_submitter", "unit_head"})


@dataclass(frozen=True)
class Actor:
    """Who runs a command: a user with roles and a unit, or the system itself."""

    username: str
    roles: frozenset[str] = frozenset()
    unit_id: int | None = None
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(username=name, is_system=True)

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(username=user.username, roles=user.roles, unit_id=user.unit_id)


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


# --- deciders (pure) ---------------------------------------------------------------


def may_see(actor: Actor, task: HumanTask) -> bool:
    """Whether the actor may see (and claim) a task: role and unit scope, or assignment."""
    if actor.is_system:
        return True
    if task.assignee is not None and task.assignee == actor.username:
        return True
    if task.role == "expert":  # an expert sees only tasks assigned to them (DESIGN 8)
        return False
    if task.role not in actor.roles:
        return False
    if task.role in UNIT_SCOPED_ROLES and task.unit_id is not None:
        return actor.unit_id == task.unit_id
    return True


def may_complete(actor: Actor, task: HumanTask) -> bool:
    if actor.is_system:
        return True
    if task.assignee is not None:
        return task.assignee == actor.username
    return may_see(actor, task)


# --- loading and saving ------------------------------------------------------------


def _load_instance(session: Session, instance_id: int):
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise InstanceNotFound(f"no process instance {instance_id}")
    specs.ensure_loaded(instance.definition)
    return instance, engine.load_workflow(instance.workflow_state)


def _open_task(session: Session, task_id: str, *, for_update: bool = False) -> HumanTask:
    query = select(HumanTask).where(HumanTask.id == task_id)
    task = session.scalar(query.with_for_update() if for_update else query)
    if task is None:
        raise TaskNotFound(f"no task {task_id}")
    if task.status != "open":
        raise TaskAlreadyCompleted(f"task {task_id} is already {task.status}")
    return task


def _run_engine(workflow) -> None:
    try:
        workflow.do_engine_steps()
    except (SpiffWorkflowException, ScriptError) as exc:
        raise ScriptError(_engine_error_text(exc)) from exc


def _engine_error_text(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    task = getattr(exc, "task", None)
    if task is not None:
        text = f"{task.task_spec.bpmn_id or task.task_spec.name}: {text}"
    return text


def _save(
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
    open_rows = _sync_human_tasks(session, instance, workflow, actor, completed_task_id, now)
    timers.sync_index(session, instance, workflow, running=not completed)
    _sync_project(session, instance, workflow)
    # BPMN-raised notices (data key ``notify``) become notification rows (issue 5)
    notifications.deliver_raised(session, instance, workflow, actor.username)
    open_titles = [row.title for row in open_rows]
    # the instance row changes last, so one flush writes it once (one lock_version step)
    was_running = instance.status == "running"
    engine.prune_finished_subprocesses(workflow)
    instance.workflow_state = engine.dump_workflow(workflow)
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


def _ready_user_tasks(workflow):
    return [t for t in engine.all_tasks(workflow) if t.task_spec.manual and t.state == TaskState.READY]


def _sync_human_tasks(session, instance, workflow, actor, completed_task_id, now) -> list[HumanTask]:
    ready = {str(t.id): t for t in _ready_user_tasks(workflow)}
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


def _human_task_row(instance, task, unit_id, now) -> HumanTask:
    ts = task.task_spec
    assignee = _task_expression(task, "assignee")
    priority = _task_expression(task, "priority")
    due_at = timers.deadline_of(task)
    if due_at is None:
        due_value = _task_expression(task, "dueAt")
        due_at = timers.parse_due(due_value) if due_value else None
    return HumanTask(
        id=str(task.id),
        instance_id=instance.id,
        process_id=instance.process_id,
        project_id=instance.project_id,
        unit_id=unit_id,
        task_spec=ts.bpmn_id or ts.name,
        title=(ts.bpmn_name or ts.bpmn_id or ts.name)[:200],
        form=specs.user_task_form(ts),
        role=specs.task_property(ts, "role") or ts.lane,
        assignee=str(assignee) if assignee else None,
        priority=int(priority) if priority is not None else 50,
        due_at=due_at,
        status="open",
        created_at=now,
    )


def _task_expression(task, prop: str) -> Any:
    source = specs.task_property(task.task_spec, prop)
    if not source:
        return None
    try:
        return task.workflow.script_engine.evaluate(task, source)
    except Exception as exc:
        raise ScriptError(f"{task.task_spec.bpmn_id}: property {prop} = {source!r} failed: {exc}") from exc


_UNSET = object()


def _sync_project(session: Session, instance: ProcessInstance, workflow) -> None:
    """Copy ``project_<column>`` values set by the BPMN into the project row (DESIGN 3).

    The value of a column is the one its latest *writer* left: the last completed task
    whose value differs from its parent's. Tasks that merely carry an older copy (a join
    completing after a parallel branch wrote the value) do not count.
    """
    if instance.project_id is None:
        return
    keys = {f"project_{c}": c for c in PROJECT_SYNC_COLUMNS}
    latest: dict[str, tuple[float, Any]] = {}
    for task in engine.all_tasks(workflow):
        if task.state != TaskState.COMPLETED:
            continue
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
    if values:
        project = session.get(Project, instance.project_id)
        for column, value in values.items():
            if getattr(project, column) != value:
                setattr(project, column, value)


def _views(rows: Iterable[HumanTask]) -> list[TaskView]:
    return [TaskView(r.id, r.title, r.task_spec, r.role, r.assignee, r.form, r.due_at) for r in rows]


def _write_conflict(exc: OperationalError) -> Conflict:
    return Conflict(f"the database refused a concurrent write: {str(exc.orig)[:120]}")


# --- commands ----------------------------------------------------------------------


def start(
    db: Database,
    process_id: str,
    *,
    actor: Actor,
    data: dict | None = None,
    business_key: str | None = None,
    project_id: int | None = None,
) -> CommandResult:
    """Start the latest deployed version of ``process_id``."""
    with db.unit_of_work() as session:
        definition = specs.latest_definition(session, process_id)
        spec_hash = specs.ensure_loaded(definition)
        workflow = engine.new_workflow(spec_hash)
        if data:
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(data)
        _run_engine(workflow)
        now = clock.now()
        instance = ProcessInstance(
            definition_id=definition.id,
            process_id=process_id,
            business_key=business_key,
            project_id=project_id,
            status="running",
            workflow_state="",
            started_by=actor.username,
            started_at=now,
            updated_at=now,
        )
        session.add(instance)
        session.flush()
        audit.append(
            session,
            action="instance.started",
            actor=actor.username,
            instance_id=instance.id,
            data={
                "process_id": process_id,
                "version": definition.version,
                "business_key": business_key,
                "data": data or {},
            },
        )
        open_rows = _save(session, instance, workflow, actor)
        result = CommandResult(instance.id, instance.status, instance.lock_version, _views(open_rows))
        session.commit()
        return result


def complete_task(db: Database, task_id: str, data: dict | None, *, actor: Actor) -> CommandResult:
    """Complete a user task with form data; the next owners see their tasks on commit."""
    data = dict(data or {})
    try:
        with db.unit_of_work() as session:
            row = _open_task(session, task_id)
            if not may_complete(actor, row):
                if row.assignee is not None:
                    raise NotClaimedByYou(f"task {task_id} is claimed by {row.assignee}")
                raise Forbidden(f"{actor.username} may not complete task {task_id}")
            instance, workflow = _load_instance(session, row.instance_id)
            schema = specs.form_schema(instance.definition, row.form) if row.form else None
            clean, dropped = forms.accept(schema, data)
            task = workflow.get_task_from_id(UUID(task_id))
            if task.state != TaskState.READY:
                raise TaskAlreadyCompleted(f"task {task_id} is not ready")
            task.data.update(clean)
            try:
                task.run()
            except (SpiffWorkflowException, ScriptError) as exc:
                raise ScriptError(_engine_error_text(exc)) from exc
            _run_engine(workflow)
            if row.assignee is None:
                row.assignee = actor.username
            audit.append(
                session,
                action="task.completed",
                actor=actor.username,
                instance_id=instance.id,
                task_id=task_id,
                data={"task": row.task_spec, "data": clean, "dropped_keys": dropped},
            )
            row.draft = None
            open_rows = _save(session, instance, workflow, actor, completed_task_id=task_id)
            result = CommandResult(instance.id, instance.status, instance.lock_version, _views(open_rows))
            session.commit()
            return result
    except OperationalError as exc:
        raise _write_conflict(exc) from exc


def save_draft(db: Database, task_id: str, data: dict, *, actor: Actor) -> None:
    """Keep unfinished form data on the task without completing it (not validated)."""
    with db.unit_of_work() as session:
        row = _open_task(session, task_id)
        if not may_complete(actor, row):
            raise Forbidden(f"{actor.username} may not edit task {task_id}")
        instance = session.get(ProcessInstance, row.instance_id)
        schema = specs.form_schema(instance.definition, row.form) if row.form else None
        row.draft, _ = forms.filter_declared(schema or {}, data)
        audit.append(
            session,
            action="task.draft_saved",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
        )
        session.commit()


def _set_assignee(
    db: Database,
    task_id: str,
    *,
    actor: Actor,
    new: str | None,
    expect: str | None | object,
    action: str,
    check,
) -> None:
    with db.unit_of_work() as session:
        row = _open_task(session, task_id)
        check(session, row)
        query = update(HumanTask).where(HumanTask.id == task_id, HumanTask.status == "open")
        if expect is not _ANY:
            query = query.where(
                HumanTask.assignee.is_(None) if expect is None else HumanTask.assignee == expect
            )
        if session.execute(query.values(assignee=new)).rowcount != 1:
            raise Conflict(f"task {task_id} was claimed or completed by someone else")
        audit.append(
            session,
            action=action,
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"assignee": new, "previous": row.assignee},
        )
        session.commit()


_ANY = object()


def claim(db: Database, task_id: str, *, actor: Actor) -> None:
    def check(_session, row):
        if not may_see(actor, row):
            raise Forbidden(f"{actor.username} may not claim task {task_id}")
        if row.assignee is not None and row.assignee != actor.username:
            raise Conflict(f"task {task_id} is already claimed by {row.assignee}")

    _set_assignee(
        db, task_id, actor=actor, new=actor.username, expect=None, action="task.claimed", check=check
    )


def unclaim(db: Database, task_id: str, *, actor: Actor) -> None:
    def check(_session, row):
        if row.assignee != actor.username and "admin" not in actor.roles and not actor.is_system:
            raise NotClaimedByYou(f"task {task_id} is not claimed by {actor.username}")
        if row.role == "expert":
            raise Forbidden("an expert's task is assigned by the process, not claimed")

    def current(session):
        return session.scalar(select(HumanTask.assignee).where(HumanTask.id == task_id))

    with db.reading() as s:
        previous = current(s)
    _set_assignee(db, task_id, actor=actor, new=None, expect=previous, action="task.unclaimed", check=check)


def assign(db: Database, task_id: str, username: str, *, actor: Actor) -> None:
    """Hand a task to a colleague holding the task's role (and unit, where scoped)."""

    def check(session, row):
        target = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
        if target is None:
            raise Forbidden(f"no active user {username!r}")
        acting_is_holder = row.assignee == actor.username or (row.assignee is None and may_see(actor, row))
        if not (acting_is_holder or "admin" in actor.roles or actor.is_system):
            raise Forbidden(f"{actor.username} may not assign task {task_id}")
        if not may_see(Actor.of(target), row) and not (row.role == "expert" and "expert" in target.roles):
            raise Forbidden(f"{username} does not hold role {row.role} for this unit")

    _set_assignee(db, task_id, actor=actor, new=username, expect=_ANY, action="task.assigned", check=check)


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
    PostgreSQL; nothing claimed → another scheduler has them → 0), load, ``refresh_timers``
    + engine steps, save (re-indexes timers, delivers raised notices), one ``timer.fired``
    audit event per fired timer, commit. Without ``now`` the engine reads the real clock
    (no freezing: the clock is process-wide and a scheduler thread must not freeze it for
    request threads); with ``now`` (catch-up, tests) each step freezes the clock at its
    due time.
    """
    actor = actor or Actor.system("scheduler")
    catch_up = now is not None
    moment = now if catch_up else clock.now()
    with db.unit_of_work() as session:
        due = timers.claim(session, instance_id, moment)
        if not due:
            return 0
        instance, workflow = _load_instance(session, instance_id)
        if instance.status != "running":  # stale rows of a finished instance
            timers.sync_index(session, instance, workflow, running=False)
            session.commit()
            return 0
        fired_total = 0
        for step in range(MAX_TIMER_STEPS):
            if step:  # the first step fires what was claimed
                due = timers.due_rows(session, instance_id, moment)
            if not due:
                break
            before = {r.task_id: (r.task_spec, r.kind, r.due_at) for r in due}
            step_at = min(r.due_at for r in due) + _AT_DUE if catch_up else None
            with clock.frozen(step_at) if catch_up else nullcontext():
                workflow.refresh_timers()
                _run_engine(workflow)
                # what the index will hold (sync_index writes exactly these rows)
                running = not workflow.is_completed()
                after = {t.task_id: t.due_at for t in timers.waiting_timers(workflow)} if running else {}
                fired = [
                    (task_id, spec, kind, due_at)
                    for task_id, (spec, kind, due_at) in before.items()
                    if (step_at is None or due_at < step_at) and after.get(task_id) != due_at
                ]
                if not fired:  # nothing came due after all: write nothing
                    break
                _save(session, instance, workflow, actor)
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
        session.commit()
        return fired_total


def correlate_message(
    db: Database, name: str, *, business_key: str, payload: Any = None, actor: Actor
) -> list[int]:
    """Deliver a message to every running instance with ``business_key`` that waits for it."""
    with db.reading() as session:
        ids = list(
            session.scalars(
                select(ProcessInstance.id).where(
                    ProcessInstance.business_key == business_key, ProcessInstance.status == "running"
                )
            )
        )
    delivered = []
    for instance_id in ids:
        with db.unit_of_work() as session:
            instance, workflow = _load_instance(session, instance_id)
            try:
                workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
            except WorkflowException:
                continue  # this instance is not waiting for the message
            _run_engine(workflow)
            audit.append(
                session,
                action="message.correlated",
                actor=actor.username,
                instance_id=instance_id,
                data={"message": name, "payload": payload},
            )
            _save(session, instance, workflow, actor)
            session.commit()
            delivered.append(instance_id)
    return delivered


def cancel(db: Database, instance_id: int, *, actor: Actor, reason: str = "") -> None:
    with db.unit_of_work() as session:
        instance, workflow = _load_instance(session, instance_id)
        if instance.status != "running":
            raise Conflict(f"instance {instance_id} is {instance.status}")
        workflow.cancel()
        instance.status = "cancelled"
        instance.completed_at = clock.now()
        _save(session, instance, workflow, actor)
        audit.append(
            session,
            action="instance.cancelled",
            actor=actor.username,
            instance_id=instance_id,
            data={"reason": reason},
        )
        session.commit()


def record_incident(db: Database, instance_id: int, kind: str, message: str, *, actor: Actor) -> int:
    """Record a failure on an instance in its own transaction (visible to administrators)."""
    with db.unit_of_work() as session:
        incident = Incident(
            instance_id=instance_id, kind=kind, message=message[:4000], created_at=clock.now()
        )
        session.add(incident)
        session.flush()
        audit.append(
            session,
            action="incident.opened",
            actor=actor.username,
            instance_id=instance_id,
            data={"kind": kind, "message": message[:500]},
        )
        session.commit()
        return incident.id


def resolve_incident(db: Database, incident_id: int, *, actor: Actor) -> None:
    with db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.resolved_at is not None:
            raise Conflict(f"incident {incident_id} is not open")
        incident.resolved_at = clock.now()
        audit.append(
            session,
            action="incident.resolved",
            actor=actor.username,
            instance_id=incident.instance_id,
            data={"incident": incident_id},
        )
        session.commit()
