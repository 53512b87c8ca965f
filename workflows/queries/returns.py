"""Which decisions send work back (DOMAIN 3.2 R-TG-2 退回调整, 3.3 R-MN-3, rectification).

A decision returns the work when one of its recorded values is a return verdict of the
forms' vocabulary. The task page shows the last one as a banner; the inbox marks the row.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store import AuditEvent, ProcessInstance

RETURN_VALUES = frozenset({"退回", "退回调整", "退回修改", "退回整改", "不通过"})


def verdicts(data: dict | None) -> list[str]:
    """The return verdicts among a decision's values (empty when it did not return the work)."""
    return [v for v in (data or {}).values() if isinstance(v, str) and v in RETURN_VALUES]


def returned_instances(session: Session, instance_ids: list[int]) -> set[int]:
    """Of these instances, those whose project's (or, without a project, whose own) latest
    decision returned the work: one windowed query over the audit log, no workflow loaded."""
    if not instance_ids:
        return set()
    wanted = set(instance_ids)
    projects = dict(
        session.execute(
            select(ProcessInstance.id, ProcessInstance.project_id).where(ProcessInstance.id.in_(wanted))
        ).all()
    )
    project_ids = {p for p in projects.values() if p is not None}
    scope = [i for i, p in projects.items() if p is None]
    if project_ids:
        scope += list(
            session.scalars(select(ProcessInstance.id).where(ProcessInstance.project_id.in_(project_ids)))
        )
    group = func.coalesce(ProcessInstance.project_id, -AuditEvent.instance_id)
    ranked = (
        select(
            group.label("grp"),
            AuditEvent.data,
            func.row_number()
            .over(partition_by=group, order_by=(AuditEvent.at.desc(), AuditEvent.id.desc()))
            .label("n"),
        )
        .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(AuditEvent.instance_id.in_(scope), AuditEvent.action == "task.completed")
        .subquery()
    )
    latest = session.execute(select(ranked.c.grp, ranked.c.data).where(ranked.c.n == 1)).all()
    returned_groups = {grp for grp, data in latest if verdicts((data or {}).get("data"))}
    return {i for i in wanted if (projects.get(i) if projects.get(i) is not None else -i) in returned_groups}
