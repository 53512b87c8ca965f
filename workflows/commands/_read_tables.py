"""The read tables a save keeps equal to the workflow: ``human_task`` and the ``timer`` index.

Prebuilt Core statements (issue 14: the ORM cost more than the engine's own work). The open
``human_task`` rows are read once (with the task being completed, or by the save); the
``timer`` rows only when the timers the instance waits on changed since it was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from ..engine import steps, timer_events
from ..errors import Conflict
from ..store import HumanTask, Timer, audit
from ..store.prepared import Prepared
from . import _batch_writes

_ht, _tm = HumanTask.__table__, Timer.__table__


@dataclass
class TaskView:
    id: str
    title: str
    task_spec: str
    role: str | None
    assignee: str | None
    form: str | None
    due_at: datetime | None
    opened: bool = False  # opened by the command that answers with it (not open before it)


# session.info key: instance rows (and their open task rows) a batch read ahead, by instance id
# (``_preload``); load_instance takes an instance's from there instead of reading it again
PRELOADED = "jixiao_preloaded"

_TASK_COLUMNS = (
    _ht.c.id,
    _ht.c.instance_id,
    _ht.c.task_spec,
    _ht.c.title,
    _ht.c.form,
    _ht.c.role,
    _ht.c.unit_id,
    _ht.c.assignee,
    _ht.c.due_at,
    _ht.c.status,
    _ht.c.completed_by,
)
_of_task = _ht.alias("of_task")
# the task asked for, and every open task of its instance (their views and the sync need them)
TASK_AND_OPEN = Prepared(
    select(*_TASK_COLUMNS).where(
        or_(
            _ht.c.id == bindparam("task_id"),
            and_(
                _ht.c.status == "open",
                _ht.c.instance_id
                == select(_of_task.c.instance_id)
                .where(_of_task.c.id == bindparam("task_id"))
                .scalar_subquery(),
            ),
        )
    )
)
OPEN_TASKS = Prepared(
    select(*_TASK_COLUMNS).where(_ht.c.instance_id == bindparam("instance_id"), _ht.c.status == "open")
)
_COMPLETE_TASK = Prepared(
    update(_ht)
    .where(_ht.c.id == bindparam("b_id"), _ht.c.status == "open")
    .values(
        status="completed",
        completed_at=bindparam("b_at"),
        completed_by=bindparam("b_by"),
        assignee=bindparam("b_assignee"),
        draft=None,
    )
)
_CANCEL_TASKS = (
    update(_ht)
    .where(_ht.c.id.in_(bindparam("b_ids", expanding=True)), _ht.c.status == "open")
    .values(status="cancelled", completed_at=bindparam("b_at"))
)
_INSERT_TASKS = Prepared(insert(_ht))
_TIMER_ROWS = Prepared(
    select(_tm.c.id, _tm.c.task_id, _tm.c.due_at).where(_tm.c.instance_id == bindparam("instance_id"))
)
_DELETE_TIMERS = _tm.delete().where(_tm.c.id.in_(bindparam("b_ids", expanding=True)))
_MOVE_TIMER = Prepared(update(_tm).where(_tm.c.id == bindparam("b_id")).values(due_at=bindparam("b_due")))
_INSERT_TIMERS = Prepared(insert(_tm))
_OF_TASK = (_tm.c.instance_id == bindparam("b_instance"), _tm.c.task_id == bindparam("b_task"))
_DELETE_TIMER = Prepared(_tm.delete().where(*_OF_TASK))
_MOVE_TIMER_OF = Prepared(update(_tm).where(*_OF_TASK).values(due_at=bindparam("b_due")))


def sync_human_tasks(session, instance, ready, open_by_id, created, actor, completed_task_id, now):
    ready_ids = {t.id for t in ready}
    cancelled = []
    for task_id, row in open_by_id.items():
        if task_id in ready_ids:
            continue
        if task_id == completed_task_id:
            done = _COMPLETE_TASK.execute(
                session,
                {
                    "b_id": task_id,
                    "b_at": now,
                    "b_by": actor.username,
                    "b_assignee": row.assignee or actor.username,
                },
            )
            if done != 1:
                raise Conflict(f"task {task_id} was completed by someone else")
            continue
        cancelled.append(task_id)
        audit.append(
            session,
            action="task.cancelled",
            actor=actor.username,
            instance_id=instance.id,
            task_id=task_id,
            data={"task": row.task_spec},
        )
    if cancelled:
        session.connection().execute(_CANCEL_TASKS, {"b_ids": cancelled, "b_at": now})
    for row in created:
        audit.append(
            session,
            action="task.created",
            actor=actor.username,
            instance_id=instance.id,
            task_id=row["id"],
            data={"task": row["task_spec"], "role": row["role"], "assignee": row["assignee"]},
        )
    if created:
        _INSERT_TASKS.execute_many(session, created)
    new_by_id = {row["id"]: row for row in created}
    return [_view(open_by_id[t.id]) if t.id in open_by_id else _view_of_new(new_by_id[t.id]) for t in ready]


def _view(row) -> TaskView:
    return TaskView(row.id, row.title, row.task_spec, row.role, row.assignee, row.form, row.due_at)


def _view_of_new(row: dict) -> TaskView:
    names = ("id", "title", "task_spec", "role", "assignee", "form", "due_at")
    return TaskView(*(row[name] for name in names), opened=True)


def human_task_row(instance, task: steps.ReadyUserTask, now) -> dict:
    """The task's inbox row. Its unit scope is the instance's (a project's unit, a unit's yearly
    cycle), unless the task names one with ``unitId``: a bureau-wide process sending work to
    several units, one task each (a multi-instance task over the units)."""
    assignee = task.expression("assignee")
    priority = task.expression("priority")
    unit_id = task.expression("unitId")
    due_at = task.deadline
    if due_at is None:
        due_value = task.expression("dueAt")
        due_at = timer_events.parse_due(due_value) if due_value else None
    return {
        "id": task.id,
        "instance_id": instance.id,
        "process_id": instance.process_id,
        "project_id": instance.project_id,
        "unit_id": int(unit_id) if unit_id not in (None, "") else instance.unit_id,
        "task_spec": task.task_spec,
        "title": task.title,
        "form": task.form,
        "role": task.role,
        "assignee": str(assignee) if assignee else None,
        "priority": int(priority) if priority is not None else 50,
        "due_at": due_at,
        "status": "open",
        "created_at": now,
        "completed_at": None,
        "completed_by": None,
        "draft": None,
    }


def waiting(workflow, running: bool) -> dict:
    """The timers the workflow waits on, by task id (none once it is no longer running)."""
    found = timer_events.waiting_timers(workflow) if running else []
    return {t.task_id: t for t in found}


def sync_timer_index(session: Session, instance, workflow, running: bool = True) -> None:
    """Make the instance's ``timer`` rows equal to the timers it now waits on."""
    sync_timers(session, instance, waiting(workflow, running), trust_load=False)


def sync_timers(session: Session, instance, waiting: dict, trust_load: bool = True) -> None:
    """Write the ``timer`` rows that differ from ``waiting``; with ``trust_load``, nothing at all
    when the instance waits on exactly the timers it waited on when loaded, and rows that only
    go or move are written by task id without reading them first (issue 14: one round trip)."""
    at_load = getattr(instance, "timers_at_load", None) if trust_load else None
    if at_load is not None:
        stored = {k: t.due_at for k, t in at_load.items()}
        if stored == {k: t.due_at for k, t in waiting.items()}:
            return  # the rows equal the timers at load (every save keeps them so): nothing changed
        if set(waiting) <= set(stored):  # no new row: delete and move by (instance, task)
            holding = _batch_writes.held(session)
            if holding is not None:  # a timer batch: one statement for the batch's (_batch_writes)
                holding.timer_rows.extend((instance.id, k) for k in stored if k not in waiting)
            else:
                gone = [{"b_instance": instance.id, "b_task": k} for k in stored if k not in waiting]
                _DELETE_TIMER.execute_many(session, gone)
            for task_id, timer in waiting.items():
                if stored[task_id] != timer.due_at:
                    _MOVE_TIMER_OF.execute(
                        session, {"b_instance": instance.id, "b_task": task_id, "b_due": timer.due_at}
                    )
            instance.timers_at_load = dict(waiting)
            return
    _batch_writes.send(session)  # the rows as they are now, held deletions included
    existing = {r.task_id: r for r in _TIMER_ROWS.all(session, {"instance_id": instance.id})}
    gone = [row.id for task_id, row in existing.items() if task_id not in waiting]
    if gone:
        session.connection().execute(_DELETE_TIMERS, {"b_ids": gone})
    new = []
    for task_id, timer in waiting.items():
        row = existing.get(task_id)
        if row is None:
            new.append(
                {
                    "instance_id": instance.id,
                    "task_id": task_id,
                    "task_spec": timer.task_spec,
                    "kind": timer.kind,
                    "due_at": timer.due_at,
                    "interrupting": timer.interrupting,
                    "attached_to": timer.attached_to,
                }
            )
        elif row.due_at != timer.due_at:
            _MOVE_TIMER.execute(session, {"b_id": row.id, "b_due": timer.due_at})
    if new:
        _INSERT_TIMERS.execute_many(session, new)
    if trust_load and hasattr(instance, "timers_at_load"):
        instance.timers_at_load = dict(waiting)
