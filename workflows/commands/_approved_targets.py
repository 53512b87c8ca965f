"""The first version of a project's approved targets, recorded when the review approves them (R-TG-3).

The target review's approval step writes ``targets_approved = True``; the save that runs it
copies the indicators just approved into ``target_version`` (version 1), so screens and the
monthly evaluation of poverty-fund projects (R-AS-2: badly filled indicators) read approved
targets from a table, never from a workflow. A project approved before this was recorded gets
its first version lazily (``target_change.current_version``), the same row.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import steps
from ..store import Project, TargetVersion, audit
from ._domain_sync import DomainSync

APPROVED_KEY = "targets_approved"  # what the target review's approval step writes (bpmn/target_review)


def first_version(project: Project, indicators: list, goal: str | None, **extra) -> TargetVersion:
    return TargetVersion(
        project_id=project.id,
        version=1,
        indicators=indicators,
        overall_goal=goal,
        amount=Decimal(str(project.amount)),
        source="target_review",
        approved_at=clock.now(),
        **extra,
    )


def _taken(instance, workflow, engine_steps) -> dict | None:
    """The targets a step of this save approved (indicators and goal), read before the save prunes
    finished call activities; None when no step approved targets."""
    if instance.project_id is None or not any(
        (step.data.get("outputs") or {}).get(APPROVED_KEY) is True for step in engine_steps
    ):
        return None
    found = steps.latest_writes(workflow, {"indicators": "indicators", "tg_overall_goal": "goal"})
    return found if found.get("indicators") else None


def _record(session: Session, instance, approved: dict, saving) -> None:
    actor_name = saving.actor.username
    if session.scalar(
        select(TargetVersion.id).where(TargetVersion.project_id == instance.project_id).limit(1)
    ):
        return
    project = session.get(Project, instance.project_id)
    session.add(first_version(project, approved["indicators"], approved.get("goal"), instance_id=instance.id))
    audit.append(
        session,
        action="targets.approved",
        actor=actor_name,
        instance_id=instance.id,
        data={"project": project.id, "version": 1, "indicators": len(approved["indicators"])},
    )


FIRST_VERSION = DomainSync("approved_targets", _taken, _record)  # R-TG-3 version 1
