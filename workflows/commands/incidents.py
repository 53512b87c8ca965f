"""Incidents: a failure on one instance (a script error, a timer that could not fire), retryable."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import clock
from ..errors import Conflict
from ..policy import Actor
from ..store import Database, Incident, audit, transaction

Unit = Database | Session


def record_incident(uow: Unit, instance_id: int, kind: str, message: str, *, actor: Actor) -> int:
    """Record a failure on an instance (visible to administrators); its own unit of work
    when given a Database, so it survives the rollback of the work that failed."""
    with transaction(uow) as session:
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
        return incident.id


def resolve_incident(uow: Unit, incident_id: int, *, actor: Actor) -> int:
    """Mark an incident resolved; returns its instance id."""
    with transaction(uow) as session:
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
        return incident.instance_id
