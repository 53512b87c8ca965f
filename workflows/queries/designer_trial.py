"""试运行 as the designer pages read it: the designer's draft run in a throw-away sandbox.

A query, not a command: a trial writes nothing (no instance, no task, no timer, no audit
event); see :mod:`workflows.engine.trial`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..commands import panels
from ..commands.designer import deployed_files
from ..engine import trial
from ..engine.trial import MAX_STEPS, Step, TrialState
from ..policy import Actor
from ..store import AuditEvent, ProcessInstance
from .designer import draft_of
from .people import panel_choices

__all__ = ["MAX_STEPS", "Step", "TrialState", "expert_choices", "processes", "run", "sample_start_data"]


def _files(session: Session, actor: Actor) -> dict[str, str]:
    """The designer's draft, or what is deployed when they have none yet."""
    draft = draft_of(session, actor)
    return dict(draft.files) if draft is not None else deployed_files(session)[0]


def processes(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(process id, name) of the draft's executable processes; none while the draft has lint errors."""
    return trial.processes(_files(session, actor))


def sample_start_data(session: Session, process_id: str) -> dict:
    """The start data of the newest instance of ``process_id``, as a sample to edit (or ``{}``)."""
    newest = session.scalar(
        select(ProcessInstance.id)
        .where(ProcessInstance.process_id == process_id)
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )
    if newest is None:
        return {}
    data = session.scalar(
        select(AuditEvent.data).where(
            AuditEvent.instance_id == newest, AuditEvent.action == "instance.started"
        )
    )
    return dict((data or {}).get("data") or {})


def expert_choices(session: Session) -> list[tuple[str, str]]:
    """The expert pool a panel field offers in a trial (no project: no unit to avoid)."""
    return panel_choices(session, None)


def run(session: Session, actor: Actor, process_id: str, start_data: dict, taken: list[Step]) -> TrialState:
    pool = [e.username for e in panels.eligible(session, None)]
    return trial.run(_files(session, actor), process_id, start_data, taken, pool)
