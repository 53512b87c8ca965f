"""The year's reports upward as data (DOMAIN R-RA-4, R-SM-1): which exist, where each stands, and
what the document says — the bureau's figures for the year (every unit: the document is the
same whoever reads it) and the narrative the performance office wrote.

The figures come from the dashboard's indexed queries and the results list, never from workflows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..commands.annual_reports import KINDS, PROCESS
from ..errors import NotFound
from ..policy import Actor
from ..store import AuditEvent, HumanTask, ProcessInstance
from . import dashboard, exports
from .project_filter import ProjectFilter

BUREAU = Actor.system("annual-report")  # every unit's figures, whoever reads the document
DRAFT_READERS = policy.TASK_OVERSIGHT_ROLES  # the performance office, leadership, admin


@dataclass
class Report:
    instance_id: int
    year: int
    kind: str
    title: str
    status: str  # drafting, approving, released, cancelled
    due_at: datetime | None
    released_at: datetime | None
    open_task: HumanTask | None


@dataclass
class Facts:
    board: dashboard.Dashboard
    results: list = field(default_factory=list)  # exports.ResultLine, graded projects by unit


def _year_and_kind(instance: ProcessInstance) -> tuple[int, str]:
    year, _, kind = (instance.business_key or "AR0-").removeprefix("AR").partition("-")
    return int(year or 0), kind


def report_title(business_key: str | None) -> str:
    """The report an ``annual_report`` instance writes, by its business key (AR2026-evaluation)."""
    year, kind = _year_and_kind_of(business_key)
    return f"{year}年度{KINDS.get(kind, kind)}"


def _year_and_kind_of(business_key: str | None) -> tuple[int, str]:
    year, _, kind = (business_key or "AR0-").removeprefix("AR").partition("-")
    return int(year or 0), kind


def _last_due(session: Session, instance_id: int) -> datetime | None:
    """The 报送期限 the report's steps had (the latest step's), once none is open."""
    return session.scalar(
        select(HumanTask.due_at)
        .where(HumanTask.instance_id == instance_id, HumanTask.due_at.is_not(None))
        .order_by(HumanTask.created_at.desc())
        .limit(1)
    )


def _report(session: Session, instance: ProcessInstance) -> Report:
    year, kind = _year_and_kind_of(instance.business_key)
    task = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "open")
    )
    if instance.status == "completed":
        status = "released"
    elif task is None:
        status = "cancelled" if instance.status != "running" else "drafting"
    else:
        status = "approving" if task.task_spec == "ar_approve" else "drafting"
    return Report(
        instance_id=instance.id,
        year=year,
        kind=kind,
        title=f"{year}年度{KINDS.get(kind, kind)}",
        status=status,
        due_at=task.due_at if task is not None else _last_due(session, instance.id),  # kept once released
        released_at=instance.completed_at if instance.status == "completed" else None,
        open_task=task,
    )


def listing(session: Session, actor: Actor) -> list[Report]:
    """The reports the actor may read, newest year first: drafts for the performance office and
    leadership, released ones for every overseer."""
    if not (actor.is_admin or actor.roles & policy.OVERSIGHT_ROLES):
        return []
    rows = session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == PROCESS)).all()
    reports = [_report(session, r) for r in rows]
    if not (actor.is_admin or actor.roles & DRAFT_READERS):
        reports = [r for r in reports if r.status == "released"]
    return sorted(reports, key=lambda r: (-r.year, r.kind, -r.instance_id))


def readable(session: Session, actor: Actor, instance_id: int) -> Report:
    for report in listing(session, actor):
        if report.instance_id == instance_id:
            return report
    raise NotFound(f"no report {instance_id}")


def narrative(session: Session, instance_id: int) -> dict:
    """What the performance office last wrote for the report (its latest 编制 submission)."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.action == "task.completed")
        .order_by(AuditEvent.id)
    ).all()
    text: dict = {}
    for event in events:
        data = event.data or {}
        if data.get("task") == "ar_draft":
            text = dict(data.get("data") or {})
    return text


def facts(session: Session, year: int) -> Facts:
    """The bureau's figures for the year: the dashboard for every unit, and the graded projects."""
    scope = ProjectFilter(year=year)
    board = dashboard.build(session, BUREAU, scope, units_per_page=10_000)
    return Facts(board=board, results=list(exports.result_lines(session, BUREAU, scope)))


def grade_shares(board: dashboard.Dashboard) -> list[tuple[str, int, Decimal]]:
    """(grade, count, share of the graded in %) for the report's grade chart."""
    graded = [g for g in board.by_grade if g.key in dashboard.GRADES]
    total = sum(g.count for g in graded)
    return [
        (g.key, g.count, (Decimal(g.count * 100) / total).quantize(Decimal("0.1")) if total else Decimal(0))
        for g in graded
    ]
