"""校验审计链 as a use case: the readers of the audit log verify what was appended since the
last verification; the administrator, explicitly, every chain from its first event
(``store.audit_check``). Each verification moves the checkpoints of the chains it found intact
in its own unit of work; the full one is itself recorded in the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import clock, policy
from ..errors import Forbidden
from ..store import Database, audit, audit_check, transaction
from ..store.audit_check import Verification


def verify_audit_log(target: Database | Session, *, actor: policy.Actor, full: bool = False) -> Verification:
    """The events since the checkpoints (``full``: every event), recomputed; the breaks found."""
    if not (actor.is_system or policy.may_read_audit_log(actor)):
        raise Forbidden("无权查看审计日志")
    if full and not (actor.is_system or actor.is_admin):
        raise Forbidden("只有系统管理员可以全面核验审计链")
    with transaction(target) as session:
        now = clock.now()
        if not full:
            result, intact = audit_check.since_checkpoints(session)
            audit_check.advance(session, intact, now)
            return result
        result, intact, broken = audit_check.everything(session)
        audit_check.forget(session, broken)
        audit_check.advance(session, intact, now)
        audit.append(
            session,
            action="audit.verified",
            actor=actor.username,
            data={"events": result.events, "chains": result.chains, "breaks": len(result.breaks)},
        )
        return result
