"""What must be published for a fiscal year, read from tables (DOMAIN R-TG-3, R-RA-4, R-EV-4, R-AS-1).

- 绩效目标 approved targets (R-TG-3): every project of the year whose targets were approved
  (its stage is past the target review);
- 评价结果 evaluation results (R-RA-4): every project whose results were fed back
  (``ra_feedback`` done); the reviewer's 涉密或敏感 mark (``ra_sensitive``) excludes it;
- 重点评价报告 key-evaluation reports (R-EV-4): every project a third party evaluated;
- 考核通报 the unit ranking of each published cycle (R-AS-1), published by the process itself.
A project whose results are marked sensitive is sensitive in every kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import AuditEvent, HumanTask, Project

APPROVED_STAGES = ("budgeted", "monitoring", "evaluation", "results", "results_applied", "rectification")
PROJECT_KINDS = ("targets", "results", "key_report")


@dataclass(frozen=True)
class Item:
    kind: str
    project_id: int
    sensitive: bool


def _done(session: Session, project_ids: list[int], task_spec: str) -> list[tuple[int, str]]:
    return session.execute(
        select(HumanTask.project_id, HumanTask.id).where(
            HumanTask.project_id.in_(project_ids),
            HumanTask.task_spec == task_spec,
            HumanTask.status == "completed",
        )
    ).all()


def sensitive_projects(session: Session, project_ids: list[int]) -> set[int]:
    """Projects whose latest results feedback marked them 涉密或敏感 (R-RA-4)."""
    feedback = dict(
        (task_id, project_id) for project_id, task_id in _done(session, project_ids, "ra_feedback")
    )
    if not feedback:
        return set()
    latest: dict[int, bool] = {}
    for task_id, data in session.execute(
        select(AuditEvent.task_id, AuditEvent.data)
        .where(AuditEvent.task_id.in_(list(feedback)), AuditEvent.action == "task.completed")
        .order_by(AuditEvent.id)
    ).all():
        latest[feedback[task_id]] = bool(((data or {}).get("data") or {}).get("ra_sensitive"))
    return {project_id for project_id, sensitive in latest.items() if sensitive}


def project_items(session: Session, year: int) -> list[Item]:
    projects = session.execute(select(Project.id, Project.stage).where(Project.fiscal_year == year)).all()
    ids = [p.id for p in projects]
    if not ids:
        return []
    sensitive = sensitive_projects(session, ids)
    items = [Item("targets", p.id, p.id in sensitive) for p in projects if p.stage in APPROVED_STAGES]
    fed_back = sorted({project_id for project_id, _ in _done(session, ids, "ra_feedback")})
    items += [Item("results", pid, pid in sensitive) for pid in fed_back]
    evaluated = sorted({project_id for project_id, _ in _done(session, ids, "ev_third_party")})
    items += [Item("key_report", pid, pid in sensitive) for pid in evaluated]
    return items
