"""真实性核查 spot checks as pages read them (DOMAIN R-EV-7): a project's checks with their
findings and the accountability they led to; the year's checks for the performance office."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..policy import Actor
from ..store import AccountabilityRecord, BudgetUnit, ProcessInstance, Project, SpotCheck


def of_project(session: Session, project_id: int) -> list[dict]:
    """The project's spot checks (whose readability the caller has checked), newest first."""
    checks = session.execute(
        select(SpotCheck, ProcessInstance.current_step)
        .outerjoin(ProcessInstance, ProcessInstance.id == SpotCheck.instance_id)
        .where(SpotCheck.project_id == project_id)
        .order_by(SpotCheck.fiscal_year.desc())
    ).all()
    return [_json(check, step) for check, step in checks]


def accountability_of(session: Session, project_id: int) -> list[AccountabilityRecord]:
    return list(
        session.scalars(
            select(AccountabilityRecord)
            .where(AccountabilityRecord.project_id == project_id)
            .order_by(AccountabilityRecord.recorded_at)
        )
    )


def accountability_json(record: AccountabilityRecord) -> dict:
    return {
        "unit": record.unit_name,
        "owner": record.owner_name,
        "reason": record.reason,
        "recorded_at": record.recorded_at.isoformat(),
    }


def _json(check: SpotCheck, step: str | None) -> dict:
    return {
        "id": check.id,
        "project_id": check.project_id,
        "fiscal_year": check.fiscal_year,
        "instance_id": check.instance_id,
        "status": check.status,
        "current_step": step,
        "verdict": check.verdict,
        "findings": check.findings or [],
        "overdue": check.overdue,
        "veto_applied": check.veto_applied,
        "veto_grade": check.veto_grade,
        "recovery_wan": None if check.recovery_wan is None else float(check.recovery_wan),
        "started_by": check.started_by,
        "started_at": check.started_at.isoformat(),
    }


def of_year(session: Session, actor: Actor, year: int) -> list[dict]:
    """The year's spot checks the actor may read, by unit then project."""
    rows = session.execute(
        select(SpotCheck, ProcessInstance.current_step, Project.code, Project.name, BudgetUnit.name)
        .join(Project, Project.id == SpotCheck.project_id)
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == SpotCheck.instance_id)
        .where(SpotCheck.fiscal_year == year, policy.project_clause(actor))
        .order_by(BudgetUnit.code, Project.code)
    ).all()
    return [
        {**_json(check, step), "project_code": code, "project_name": name, "unit": unit}
        for check, step, code, name, unit in rows
    ]


def candidates(session: Session, actor: Actor, year: int, limit: int = 500) -> list[dict]:
    """The year's projects not yet spot-checked, for the office to pick on the page."""
    taken = select(SpotCheck.project_id).where(SpotCheck.fiscal_year == year)
    rows = session.execute(
        select(Project.id, Project.code, Project.name, BudgetUnit.name, Project.grade, Project.stage)
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(Project.fiscal_year == year, Project.id.not_in(taken), policy.project_clause(actor))
        .order_by(BudgetUnit.code, Project.code)
        .limit(limit)
    ).all()
    return [
        {"id": i, "code": code, "name": name, "unit": unit, "grade": grade, "stage": stage}
        for i, code, name, unit, grade, stage in rows
    ]
