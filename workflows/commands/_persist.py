"""Loading an instance and saving it with everything screens read from it.

A save writes the workflow state (spec by reference) and, in the same transaction,
syncs the read tables: ``human_task`` (the lane gives the role; the project gives the
unit; an ``assignee`` expression; the boundary-timer deadline becomes ``due_at``), the
``timer`` index, the ``project_*`` columns, the notices the BPMN raised, and the audit
log's record of the rule and script steps the engine ran (``engine.step``). A second
writer on the same instance gets :class:`~workflows.errors.Conflict` (``lock_version``).

The hot path (load, save) runs prebuilt Core statements, not the ORM (issue 14: the ORM
cost several times the engine's own work per completion): one statement reads the
instance with its version, deployment, project unit and (on SQLite, where the unit of work
already holds the write lock) its audit chain head; the save writes only what changed,
``UPDATE process_instance ... WHERE lock_version = :seen`` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .. import clock, engine
from ..engine import decisions, specs, steps
from ..errors import Conflict, InstanceNotFound, ScriptError, TaskAlreadyCompleted, TaskNotFound, TreeTooDeep
from ..policy import Actor, may_read_task
from ..store import (
    AuditChain,
    Deployment,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    Project,
    Timer,
    audit,
)
from ..store.database import UNIT_OF_WORK
from ..store.prepared import Prepared
from . import (
    _approved_targets,
    _assessment_tables,
    _batch_writes,
    _completion,
    _domain_sync,
    _poverty_tables,
    _project_sync,
    department_wide_sync,
    notices,
    score_records,
)
from ._read_tables import (  # noqa: F401 - sync_timer_index, TaskView: used through this module
    OPEN_TASKS,
    PRELOADED,
    TASK_AND_OPEN,
    TaskView,
    human_task_row,
    sync_human_tasks,
    sync_timer_index,
    sync_timers,
    waiting,
)


@dataclass(frozen=True)
class InstanceSummary:
    """The instance's columns as the command left them (an answer needs no second read)."""

    process_id: str
    version: int
    business_key: str | None
    project_id: int | None
    current_step: str | None
    started_by: str
    started_at: datetime
    completed_at: datetime | None


@dataclass
class CommandResult:
    instance_id: int
    status: str
    lock_version: int
    next_tasks: list[TaskView] = field(default_factory=list)
    instance: InstanceSummary | None = None


@dataclass
class LoadedInstance:
    """A process instance as the write path holds it: its row's columns, its version's spec
    hash and deployment, and what its read rows held when it was loaded."""

    id: int
    definition_id: int
    process_id: str
    business_key: str | None
    project_id: int | None
    status: str
    lock_version: int
    started_by: str
    started_at: datetime
    completed_at: datetime | None
    spec_hash: str
    version: int
    deployment_id: int
    content_hash: str
    unit_id: int | None  # the project's unit (human_task.unit_id)
    current_step: str | None = None
    # the timers the saved state waited on (= its ``timer`` rows, which every save keeps equal)
    timers_at_load: dict[str, datetime] | None = None
    # (status, definition_id) as the row holds them: a save leaves those indexed columns alone
    # when they did not change (each costs an index page per commit on SQLite)
    stored: tuple | None = None
    open_rows: list | None = None  # its open human_task rows, read with it (a timer batch): the next save's

    def form_schema(self, session: Session, form: str) -> dict | None:
        return specs.form_schema_of(session, self.deployment_id, self.content_hash, form)


_pi, _pd, _dep = ProcessInstance.__table__, ProcessDefinition.__table__, Deployment.__table__
_ht, _tm, _ac, _pj = HumanTask.__table__, Timer.__table__, AuditChain.__table__, Project.__table__
_INSTANCE_COLUMNS = (
    _pi.c.id,
    _pi.c.definition_id,
    _pi.c.process_id,
    _pi.c.business_key,
    _pi.c.project_id,
    _pi.c.status,
    _pi.c.lock_version,
    _pi.c.started_by,
    _pi.c.started_at,
    _pi.c.completed_at,
    _pd.c.spec_hash,
    _pd.c.version,
    _pd.c.deployment_id,
    _dep.c.content_hash,
    func.coalesce(_pj.c.unit_id, _pi.c.unit_id).label("unit_id"),
    _pi.c.current_step,
)
# the rows load_instance reads (``_preload`` reads a batch's at once)
LOAD_ROWS = select(*_INSTANCE_COLUMNS, _pi.c.workflow_state).select_from(
    _pi.join(_pd, _pd.c.id == _pi.c.definition_id)
    .join(_dep, _dep.c.id == _pd.c.deployment_id)
    .outerjoin(_pj, _pj.c.id == _pi.c.project_id)
)
_LOAD = LOAD_ROWS.where(_pi.c.id == bindparam("instance_id"))
_LOAD_WITH_HEAD = Prepared(
    _LOAD.add_columns(_ac.c.seq.label("audit_seq"), _ac.c.last_hash.label("audit_hash")).outerjoin(
        _ac, _ac.c.chain == bindparam("chain")
    )
)
_LOAD = Prepared(_LOAD)
_SAVE_COLUMNS = {
    "workflow_state": bindparam("b_state"),
    "lock_version": bindparam("b_version"),
    "current_step": bindparam("b_step"),
    "updated_at": bindparam("b_at"),
    "completed_at": bindparam("b_completed_at"),
}
_SAVE_WHERE = (_pi.c.id == bindparam("b_id"), _pi.c.lock_version == bindparam("b_seen"))
_SAVE_INSTANCE = Prepared(
    update(_pi)
    .where(*_SAVE_WHERE)
    .values(definition_id=bindparam("b_definition_id"), status=bindparam("b_status"), **_SAVE_COLUMNS)
)
# the usual save: status and version unchanged, their indexes untouched
_SAVE_STATE = Prepared(update(_pi).where(*_SAVE_WHERE).values(**_SAVE_COLUMNS))


def result_of(instance: LoadedInstance, open_tasks: list[TaskView]) -> CommandResult:
    """The command's answer: the instance as the save left it and its open tasks (:func:`save`'s)."""
    summary = InstanceSummary(
        instance.process_id,
        instance.version,
        instance.business_key,
        instance.project_id,
        instance.current_step,
        instance.started_by,
        instance.started_at,
        instance.completed_at,
    )
    return CommandResult(instance.id, instance.status, instance.lock_version, open_tasks, summary)


def write_conflict(exc: OperationalError) -> Conflict:
    return Conflict(f"the database refused a concurrent write: {str(exc.orig)[:120]}")


def _head_query(session: Session) -> Prepared | None:
    """How a unit of work reads the audit chain head with the instance: on SQLite, where it already
    holds the write lock. PostgreSQL locks the head at the first append (``audit._head``): locking
    it with the read would make a second loader wait where it gets its conflict answer now."""
    if session.info.get(UNIT_OF_WORK) and session.get_bind().dialect.name == "sqlite":
        return _LOAD_WITH_HEAD
    return None


def load_instance(session: Session, instance_id: int) -> tuple[LoadedInstance, Any]:
    """The instance and its workflow, in one statement (with its audit chain head where the
    unit of work holds SQLite's write lock)."""
    with_head = _head_query(session)
    preloaded = session.info.get(PRELOADED)
    row, open_rows = preloaded.pop(instance_id, (None, None)) if preloaded else (None, None)
    primed = row is None and with_head is not None
    if primed:
        params = {"instance_id": instance_id, "chain": audit.chain_name(instance_id)}
        row = next(iter(with_head.all(session, params)), None)
    elif row is None:
        row = next(iter(_LOAD.all(session, {"instance_id": instance_id})), None)
    if row is None:
        raise InstanceNotFound(f"no process instance {instance_id}")
    if primed:
        audit.prime(session, instance_id, row.audit_seq, row.audit_hash)
    specs.ensure_spec(session, row.definition_id, row.spec_hash)
    workflow = engine.load_workflow(row.workflow_state)
    instance = LoadedInstance(*row[: len(_INSTANCE_COLUMNS)])
    instance.stored, instance.open_rows = (instance.status, instance.definition_id), open_rows
    instance.timers_at_load = waiting(workflow, running=instance.status == "running")
    return instance, workflow


def insert_instance(
    session: Session,
    definition: ProcessDefinition,
    *,
    business_key: str | None,
    project_id: int | None,
    started_by: str,
    started_at: datetime,
    unit_id: int | None = None,
) -> LoadedInstance:
    """A new ``process_instance`` row (its state comes with the first :func:`save`)."""
    values = {
        "definition_id": definition.id,
        "process_id": definition.process_id,
        "business_key": business_key,
        "project_id": project_id,
        "unit_id": unit_id if project_id is None else None,
        "status": "running",
        "workflow_state": "",
        "lock_version": 1,
        "started_by": started_by,
        "started_at": started_at,
        "updated_at": started_at,
    }
    instance_id = session.connection().execute(insert(_pi).values(values)).inserted_primary_key[0]
    if project_id is not None:
        unit_id = session.scalar(select(_pj.c.unit_id).where(_pj.c.id == project_id))
    audit.prime(session, instance_id, None, None)  # a new instance: a new chain
    return LoadedInstance(
        id=instance_id,
        definition_id=definition.id,
        process_id=definition.process_id,
        business_key=business_key,
        project_id=project_id,
        status="running",
        lock_version=1,
        started_by=started_by,
        started_at=started_at,
        completed_at=None,
        spec_hash=definition.spec_hash,
        version=definition.version,
        deployment_id=definition.deployment_id,
        content_hash=None,
        unit_id=unit_id,
        timers_at_load={},
        stored=("running", definition.id),
    )


def open_task(session: Session, task_id: str, actor: Actor) -> HumanTask:
    """The open task ``task_id``; one the actor may not read is not found (ids cannot be probed)."""
    task = (
        session.scalar(select(HumanTask).where(HumanTask.id == task_id)) if len(task_id or "") <= 36 else None
    )
    _check_open(task, task_id, actor)
    return task


def open_task_and_siblings(session: Session, task_id: str, actor: Actor) -> tuple[Any, list]:
    """``open_task`` for completing it, in one Core statement: the task's row and every open
    task row of its instance (which the save syncs)."""
    rows = TASK_AND_OPEN.all(session, {"task_id": task_id}) if len(task_id or "") <= 36 else []
    task = next((r for r in rows if r.id == task_id), None)
    _check_open(task, task_id, actor)
    return task, [r for r in rows if r.status == "open" and r.instance_id == task.instance_id]


def _check_open(task, task_id: str, actor: Actor) -> None:
    if task is None or not may_read_task(actor, task):
        raise TaskNotFound(f"no task {task_id}")
    if task.status != "open":
        raise TaskAlreadyCompleted(
            "该任务已办结，不能重复提交" if task.status == "completed" else "该任务已取消"
        )


# The domain tables every save keeps equal to the workflow, written in this order (_domain_sync)
DOMAIN_TABLES = (
    _project_sync.PROJECT_COLUMNS,
    department_wide_sync.ROW,
    _approved_targets.FIRST_VERSION,  # R-TG-3 version 1
    _assessment_tables.TABLES,  # R-AS-1
    _poverty_tables.TABLES,  # R-AS-2
    score_records.SCORE_TABLE,  # R-EV-3, R-EV-7 (reads the project's values)
)


def save(
    session: Session,
    instance: LoadedInstance,
    workflow,
    actor: Actor,
    *,
    completed_task_id: str | None = None,
    open_rows: list | None = None,
) -> list[TaskView]:
    """Persist the workflow and everything screens read from it; returns the open human tasks.

    ``open_rows``: the instance's open ``human_task`` rows when the caller has read them.
    """
    limit = engine.MAX_TREE_DEPTH - engine.DEPTH_SAFETY_MARGIN
    # a tree is never deeper than it has tasks: walked only when it could be too deep
    deep = any(len(wf.tasks) >= limit for wf in engine.all_workflows(workflow))
    if deep and (depth := engine.tree_depth(workflow)) >= limit:
        raise TreeTooDeep(
            f"instance {instance.id}: the task tree is {depth} levels deep, near SpiffWorkflow's limit of "
            f"{engine.MAX_TREE_DEPTH}; a review loop in this process is unbounded. Nothing was saved."
        )
    now = clock.now()
    was_running = instance.status == "running"
    # everything that reads (and may touch) the workflow, expressions included, before it is dumped
    if open_rows is None:
        open_rows, instance.open_rows = instance.open_rows, None
    if open_rows is None:
        open_rows = OPEN_TASKS.all(session, {"instance_id": instance.id})
    open_by_id = {row.id: row for row in open_rows}
    ready = steps.ready_user_tasks(workflow)
    completed = not ready and workflow.is_completed()  # a workflow with a ready task is not
    created = [human_task_row(instance, t, now) for t in ready if t.id not in open_by_id]
    waiting_now = waiting(workflow, running=not completed)
    raised = notices.take_raised(workflow)
    engine_steps = decisions.take_unrecorded(workflow)  # marks them recorded in the saved state
    taken = _domain_sync.take_all(DOMAIN_TABLES, instance, workflow, engine_steps)  # before the pruning
    engine.prune_finished_subprocesses(workflow)
    state = engine.dump_workflow(workflow)
    if len(state) > engine.MAX_WORKFLOW_STATE_CHARS:
        # issue 14: a 100-million-character string once became one 200 MB row
        raise ScriptError(
            f"instance {instance.id}: the saved state would be {len(state):,} characters, over the limit of "
            f"{engine.MAX_WORKFLOW_STATE_CHARS:,}; a script or form put too much into the task data. "
            "Nothing was saved."
        )
    titles = [t.title for t in ready]
    current_step = "、".join(titles)[:200] if titles else None
    status, completed_at = instance.status, instance.completed_at
    if completed and was_running:
        status, completed_at = "completed", now
    # the instance row first: a concurrent writer is refused before anything else is written
    unchanged = instance.stored == (status, instance.definition_id)
    statement = _SAVE_STATE if unchanged else _SAVE_INSTANCE
    params = {
        "b_id": instance.id,
        "b_seen": instance.lock_version,
        "b_definition_id": instance.definition_id,
        "b_status": status,
        "b_state": state,
        "b_version": instance.lock_version + 1,
        "b_step": current_step,
        "b_at": now,
        "b_completed_at": completed_at,
    }
    holding = _batch_writes.held(session)
    if holding is not None:  # a timer batch: sent with the batch's others, checked then
        holding.update(statement, _SAVE_INSTANCE, params)
    elif statement.execute(session, params) != 1:
        raise Conflict("该流程刚被他人更新，请刷新后重试")
    instance.lock_version += 1
    instance.status, instance.completed_at, instance.current_step = status, completed_at, current_step
    instance.stored = (status, instance.definition_id)
    _project_sync.record_engine_steps(session, instance, engine_steps, actor)
    open_views = sync_human_tasks(
        session, instance, ready, open_by_id, created, actor, completed_task_id, now
    )
    sync_timers(session, instance, waiting_now)
    saving = _domain_sync.Saving(actor=actor, now=now, engine_steps=engine_steps, taken=taken)
    _domain_sync.write_all(DOMAIN_TABLES, session, instance, saving)
    notices.deliver(session, instance, raised, actor.username)
    if was_running and status == "completed":
        audit.append(session, action="instance.completed", actor=actor.username, instance_id=instance.id)
        _completion.run(session, instance, workflow, actor)  # results into domain tables
    session.flush()  # ORM rows a caller or a notice changed: refused here, not at commit (a no-op when clean)
    return open_views
