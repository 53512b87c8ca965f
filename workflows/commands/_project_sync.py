"""What a save copies beside the workflow state: the engine's rule and script steps into the audit
log, and the ``project_<column>`` values the BPMN set into the project row (DESIGN 3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..engine import steps
from ..policy import Actor
from ..store import PROJECT_SYNC_COLUMNS, Project, audit
from ._domain_sync import DomainSync


def record_engine_steps(session: Session, instance, engine_steps, actor: Actor) -> None:
    """The rules and scripts the engine ran since the last save, in the audit log (what drove each
    decision: DMN inputs and the matched rule, computed totals); read by ``queries.decisions``."""
    for step in engine_steps:
        audit.append(
            session,
            action="engine.step",
            actor=actor.username,
            instance_id=instance.id,
            task_id=step.task_id,
            data=step.data,
        )


def _values_of(instance, workflow, _engine_steps) -> dict | None:
    if instance.project_id is None:
        return None
    return steps.latest_writes(workflow, {f"project_{c}": c for c in PROJECT_SYNC_COLUMNS}) or None


def _sync(session: Session, instance, values: dict, _saving) -> None:
    """Copy ``project_<column>`` values set by the BPMN into the project row (DESIGN 3)."""
    project = session.get(Project, instance.project_id)
    for column, value in values.items():
        if getattr(project, column) != value:
            setattr(project, column, value)


PROJECT_COLUMNS = DomainSync("project", _values_of, _sync)
