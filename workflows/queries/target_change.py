"""Target versions and change requests as the project and task pages read them (R-TG-3, R-TG-6)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..commands.target_change import CHANGE_PROCESS, open_request
from ..errors import NotFound
from ..policy import Actor, project_clause
from ..store import HumanTask, Project, audit
from ..store.third_party import TargetVersion


def versions(session: Session, project_id: int) -> list[TargetVersion]:
    """The project's approved targets, newest version first."""
    return list(
        session.scalars(
            select(TargetVersion)
            .where(TargetVersion.project_id == project_id)
            .order_by(TargetVersion.version.desc())
        )
    )


def readable_versions(session: Session, actor: Actor, project_id: int) -> list[TargetVersion]:
    """:func:`versions` of a project the actor may read (404 otherwise)."""
    if session.scalar(select(Project.id).where(Project.id == project_id, project_clause(actor))) is None:
        raise NotFound(f"项目 {project_id} 不存在")
    return versions(session, project_id)


def open_request_id(session: Session, project_id: int) -> int | None:
    return open_request(session, project_id)


def first_open_task(session: Session, instance_id: int) -> str | None:
    return session.scalar(
        select(HumanTask.id)
        .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        .order_by(HumanTask.created_at)
    )


def comparison(session: Session, task: HumanTask) -> dict | None:
    """Old and requested targets side by side for a change request's reviewers (read from the
    audit log: the start data and the unit's request, never the workflow)."""
    if task.process_id != CHANGE_PROCESS or task.task_spec == "tc_request":
        return None
    old: dict = {}
    new: dict = {}
    for event in audit.history(session, task.instance_id):
        data = (event.data or {}).get("data") or {}
        if event.action == "instance.started":
            old = data
        elif event.action == "task.completed" and (event.data or {}).get("task") == "tc_request":
            new = data
    if not new:
        return None
    old_rows = old.get("tc_old_indicators") or []
    new_rows = new.get("indicators") or []
    rows = []
    for index in range(max(len(old_rows), len(new_rows))):
        before = old_rows[index] if index < len(old_rows) else None
        after = new_rows[index] if index < len(new_rows) else None
        rows.append({"old": before, "new": after, "changed": before != after})
    return {
        "old_version": old.get("tc_old_version"),
        "old_goal": old.get("tc_old_goal") or "",
        "new_goal": new.get("tg_overall_goal") or "",
        "old_amount": old.get("tc_old_amount"),
        "new_amount": new.get("tc_new_amount"),
        "reason": new.get("tc_reason") or "",
        "rows": rows,
    }
