"""The operations page (administrators): recent instances, open incidents, next timers, audit check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Incident, ProcessInstance, Timer, audit


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


def audit_problems(session: Session) -> list[str]:
    return audit.verify(session)
