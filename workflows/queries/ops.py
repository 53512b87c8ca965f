"""The operations page (administrators): recent instances, open incidents, next timers, audit check;
and the exactly-once checks of ``jixiao audit once`` (no task completed twice, no timer fired twice)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store import AuditEvent, Incident, ProcessInstance, Timer, audit
from .paging import Order, Page, Sorts, page_of


def overview(session: Session, *, instances: int = 50, timers: int = 20) -> dict:
    return {
        "instances": session.scalars(
            select(ProcessInstance).order_by(ProcessInstance.updated_at.desc()).limit(instances)
        ).all(),
        "incidents": session.scalars(
            select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.created_at)
        ).all(),
        "timers": session.scalars(select(Timer).order_by(Timer.due_at).limit(timers)).all(),
    }


# the instances table's sortable columns (issue 12, item 7); most recently updated first
INSTANCE_SORTS = Sorts(
    {
        "id": ProcessInstance.id,
        "process": ProcessInstance.process_id,
        "status": ProcessInstance.status,
        "key": ProcessInstance.business_key,
        "updated": ProcessInstance.updated_at,
    },
    default=Order("updated", descending=True),
    tiebreak=(ProcessInstance.id,),
)


def instances_page(session: Session, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    return page_of(session, select(ProcessInstance), INSTANCE_SORTS, order, page=page, per_page=per_page)


def audit_problems(session: Session) -> list[str]:
    return audit.verify(session)


def exactly_once_counts(session: Session) -> tuple[int, int]:
    """How many task completions and timer firings the audit log holds."""
    rows = dict(
        session.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.action.in_(("task.completed", "timer.fired")))
            .group_by(AuditEvent.action)
        ).all()
    )
    return rows.get("task.completed", 0), rows.get("timer.fired", 0)


def completed_twice(session: Session) -> list[str]:
    """Tasks with more than one ``task.completed`` event (there must be none)."""
    rows = session.execute(
        select(AuditEvent.task_id, func.count())
        .where(AuditEvent.action == "task.completed")
        .group_by(AuditEvent.task_id)
        .having(func.count() > 1)
    ).all()
    return [f"task {task_id} completed {count} times" for task_id, count in rows]


def fired_twice(session: Session) -> list[str]:
    """Timers with more than one ``timer.fired`` event for the same due time (there must be none).

    A cycle timer keeps its task id and fires once per due time, so the due time is part of
    what must be unique; only the candidates (task ids seen twice) are read in full.
    """
    candidates = (
        select(AuditEvent.instance_id, AuditEvent.task_id)
        .where(AuditEvent.action == "timer.fired")
        .group_by(AuditEvent.instance_id, AuditEvent.task_id)
        .having(func.count() > 1)
    )
    pairs = session.execute(candidates).all()
    problems = []
    for instance_id, task_id in pairs:
        dues = Counter(
            (event.data or {}).get("due_at")
            for event in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "timer.fired",
                    AuditEvent.instance_id == instance_id,
                    AuditEvent.task_id == task_id,
                )
            )
        )
        problems += [
            f"timer {task_id} of instance {instance_id} due {due} fired {count} times"
            for due, count in dues.items()
            if count > 1
        ]
    return problems
