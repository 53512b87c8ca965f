"""绩效目标调整 target change requests (DOMAIN R-TG-3, R-TG-6): approved targets are not changed
at will; a unit asks through ``bpmn/target_change.bpmn``, finance approves, and the approved
change becomes a new version of the targets (the earlier ones stay readable), resizes the
budget when asked (``project_amount``, synced like every ``project_*`` value), and is flagged
for re-publication until the performance office marks it re-published.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import steps
from ..errors import BusinessRuleRefused, Conflict, Forbidden, JixiaoError, NotFound
from ..policy import Actor, project_clause
from ..store import Database, ProcessInstance, Project, audit, transaction
from ..store.third_party import TargetVersion
from . import _approved_targets, _completion, _persist, instances, start_data

Unit = Database | Session
CHANGE_PROCESS = "target_change"
TARGET_PATHS = ("project_lifecycle", "target_review")  # where the first approved targets live
REQUESTERS = frozenset({"unit_submitter"})
PUBLISHERS = frozenset({"performance_office", "admin"})


def _approved_in_review(session: Session, project_id: int) -> dict | None:
    """The targets a project's review path approved (R-TG-3), read from its workflow."""
    ids = session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.project_id == project_id, ProcessInstance.process_id.in_(TARGET_PATHS))
        .order_by(ProcessInstance.id.desc())
    ).all()
    for instance_id in ids:
        _, workflow = _persist.load_instance(session, instance_id)
        found = steps.latest_writes(
            workflow, {"targets_approved": "approved", "indicators": "indicators", "tg_overall_goal": "goal"}
        )
        if found.get("approved") is True and found.get("indicators"):
            return found
    return None


def current_version(session: Session, project: Project) -> TargetVersion | None:
    """The latest approved targets, as a version; the first is recorded from the review path."""
    latest = session.scalar(
        select(TargetVersion)
        .where(TargetVersion.project_id == project.id)
        .order_by(TargetVersion.version.desc())
    )
    if latest is not None:
        return latest
    approved = _approved_in_review(session, project.id)
    if approved is None:
        return None
    first = _approved_targets.first_version(project, approved["indicators"], approved.get("goal"))
    session.add(first)
    session.flush()
    return first


def open_request(session: Session, project_id: int) -> int | None:
    return session.scalar(
        select(ProcessInstance.id).where(
            ProcessInstance.project_id == project_id,
            ProcessInstance.process_id == CHANGE_PROCESS,
            ProcessInstance.status == "running",
        )
    )


# targets change while the budget is being spent; once evaluated (or never budgeted) they are history
CLOSED_STAGES = frozenset({"not_budgeted", "evaluation", "results", "results_applied", "closed"})


def _refusal(session: Session, project: Project, actor: Actor, approved) -> JixiaoError | None:
    """Why ``actor`` may not ask to change ``project``'s targets now (None: they may), R-TG-3:
    only the project's unit, while the budget is being spent, one request at a time, and only
    once the targets are approved (``approved()``, asked last: it may read the workflow)."""
    if not (actor.is_admin or (actor.roles & REQUESTERS and actor.unit_id == project.unit_id)):
        return Forbidden("只有项目所在单位可以申请调整绩效目标")
    if project.stage in CLOSED_STAGES:
        return BusinessRuleRefused("项目已进入评价或已办结，不能再调整绩效目标")
    if open_request(session, project.id) is not None:
        return Conflict("该项目已有绩效目标调整申请在办理中")
    if not approved():
        return BusinessRuleRefused("该项目的绩效目标尚未批复，不能申请调整")
    return None


def has_approved_targets(session: Session, project: Project) -> bool:
    """:func:`current_version` without recording anything: a version, or targets its review
    path approved before versions were recorded."""
    recorded = session.scalar(select(TargetVersion.id).where(TargetVersion.project_id == project.id).limit(1))
    return recorded is not None or _approved_in_review(session, project.id) is not None


def may_request_change(session: Session, project: Project, actor: Actor) -> bool:
    """Whether :func:`request_change` would start a request for ``actor`` now (the page offers
    the button only then)."""
    return _refusal(session, project, actor, lambda: has_approved_targets(session, project)) is None


def request_change(uow: Unit, project_id: int, *, actor: Actor) -> int:
    """申请调整绩效目标: start a change request for a project whose targets are approved; refused
    before approval or while another request is open (R-TG-3). Returns the instance id."""
    with transaction(uow) as session:
        project = session.scalar(select(Project).where(Project.id == project_id, project_clause(actor)))
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在")
        version = None

        def approved() -> bool:
            nonlocal version
            version = current_version(session, project)  # the first one is recorded on first use
            return version is not None

        refusal = _refusal(session, project, actor, approved)
        if refusal is not None:
            raise refusal
        data = {
            **start_data.from_project(project),
            "indicators": version.indicators,
            "tg_overall_goal": version.overall_goal or "",
            "tc_old_indicators": version.indicators,
            "tc_old_goal": version.overall_goal or "",
            "tc_old_amount": float(version.amount),
            "tc_old_version": version.version,
        }
        started = instances.start(
            session,
            CHANGE_PROCESS,
            actor=actor,
            data=data,
            business_key=f"{project.code}-TC{version.version + 1}",
            project_id=project.id,
        )
        return started.instance_id


@_completion.on_completed(CHANGE_PROCESS)
def _new_version(session: Session, instance, data: dict, actor) -> None:
    """An approved change: the next version of the targets, to be re-published (R-TG-3)."""
    if not data.get("tc_approved"):
        return
    project = session.get(Project, instance.project_id)
    number = (
        session.scalar(select(func.max(TargetVersion.version)).where(TargetVersion.project_id == project.id))
        or 0
    ) + 1
    session.add(
        TargetVersion(
            project_id=project.id,
            version=number,
            indicators=data.get("indicators") or [],
            overall_goal=data.get("tg_overall_goal"),
            amount=Decimal(str(project.amount)),
            reason=data.get("tc_reason"),
            source=CHANGE_PROCESS,
            instance_id=instance.id,
            approved_by=actor.username,
            approved_at=clock.now(),
            republish_pending=True,
        )
    )
    audit.append(
        session,
        action="targets.changed",
        actor=actor.username,
        instance_id=instance.id,
        data={
            "project": project.id,
            "version": number,
            "old_amount": data.get("tc_old_amount"),
            "amount": str(project.amount),
        },
    )


def mark_republished(uow: Unit, version_id: int, *, actor: Actor) -> None:
    """The changed targets were published again (R-TG-3)."""
    if not (actor.is_admin or actor.roles & PUBLISHERS):
        raise Forbidden("只有绩效管理部门可以登记重新公开")
    with transaction(uow) as session:
        row = session.get(TargetVersion, version_id)
        if row is None:
            raise NotFound(f"目标版本 {version_id} 不存在")
        if not row.republish_pending:
            raise Conflict("该版本不需要重新公开")
        row.republish_pending, row.republished_at = False, clock.now()
        audit.append(
            session,
            action="targets.republished",
            actor=actor.username,
            data={"project": row.project_id, "version": row.version},
        )
