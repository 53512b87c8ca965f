"""What a save copies beside the workflow state: the engine's rule and script steps into the audit
log, and the ``project_<column>`` values the BPMN set into the project row (DESIGN 3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..engine import steps
from ..policy import Actor
from ..store import PROJECT_SYNC_COLUMNS, Project, audit


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


def values_of(instance, workflow) -> dict:
    if instance.project_id is None:
        return {}
    return steps.latest_writes(workflow, {f"project_{c}": c for c in PROJECT_SYNC_COLUMNS})


def sync(session: Session, instance, values: dict) -> None:
    """Copy ``project_<column>`` values set by the BPMN into the project row (DESIGN 3)."""
    if values:
        project = session.get(Project, instance.project_id)
        for column, value in values.items():
            if getattr(project, column) != value:
                setattr(project, column, value)
