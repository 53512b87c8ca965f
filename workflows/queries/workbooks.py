"""A task's form as the workbook a unit fills in Excel (:mod:`workflows.engine.form_workbook`).

The workbook carries what the form shows now (the draft, else the latest recorded values) under
the project's 申报表 header, so a unit can download it, fill it offline and upload it again; the
columns of rows bound to the approved targets come greyed and locked, as the page shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..engine import form_workbook
from ..errors import NotFound, TaskNotFound
from ..policy import Actor
from ..store import AuditEvent, HumanTask, Project
from . import projects, tasks
from .project_header import header_for


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes


def _completion(session: Session, task: HumanTask) -> AuditEvent | None:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.task_id == task.id, AuditEvent.action == "task.completed")
        .order_by(AuditEvent.id.desc())
    ).first()


def _readable(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """The task page's readers, and for a completed form whoever reads it in the project's history
    (a reviewer exports the unit's approved 申报表; an expert never another expert's sheet)."""
    try:
        return tasks.readable_task(session, actor, task_id)
    except TaskNotFound:
        task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
        if task is None or task.status != "completed" or task.project_id is None:
            raise
        projects.readable_project(session, actor, task.project_id)  # NotFound if not theirs
        event = _completion(session, task)
        experts = {task.id} if task.role == "expert" else set()
        if event is None or not policy.readable_history(actor, [event], experts):
            raise
        return task


def _values(session: Session, task: HumanTask, schema: dict) -> dict:
    """An open task: what its form holds now. A completed one: what it recorded when completed
    (the approved 申报表, the submitted 自评表), from the audit log."""
    if task.status != "completed":
        return tasks.prefill(session, task, schema)
    event = _completion(session, task)
    return dict(((event.data or {}).get("data") or {}) if event is not None else {})


def task_workbook(session: Session, actor: Actor, task_id: str) -> Download:
    """The task's form as a workbook; :class:`NotFound` for a task without a form."""
    task = _readable(session, actor, task_id)
    schema = tasks.form_schema(session, task)
    if not schema or not schema.get("properties"):
        raise NotFound(f"task {task_id} has no form to fill in Excel")
    project = session.get(Project, task.project_id) if task.project_id else None
    title = str(schema.get("title") or task.title)
    if project is not None:
        title = f"{project.fiscal_year}年度{title}"
    content = form_workbook.write(
        schema,
        _values(session, task, schema),
        title=title,
        header=header_for(schema, project),
        sheet=str(schema.get("title") or "表单")[:31],
        # an open form's rows held to the approved targets: greyed and locked in the sheet
        bound=tasks.bound_tables(session, task, schema) if task.status != "completed" else {},
    )
    stem = f"{project.code}-" if project is not None else ""
    return Download(f"{stem}{schema.get('title') or task.title}.xlsx", content)
