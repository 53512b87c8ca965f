"""真实性核查 authenticity spot checks (DOMAIN R-EV-7, seed 002 (五)) and the confirmation of
the level's consolidated score table (R-EV-3).

``start_spot_checks`` starts one ``spot_check`` process per sampled project (the selection
workbench draws the sample; the performance office may also pick projects on the page). The
core indicators the unit must prove are the ones its self-evaluation claimed (产出 and 效益
indicators of the 自评表), else the approved targets' 产出/效益 indicators: read from the audit
log of the project's instances (the data of completed tasks), never from a workflow.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid
from ..policy import Actor
from ..store import (
    AuditEvent,
    Database,
    ProcessInstance,
    Project,
    ScoreTableConfirmation,
    ScoreTableRow,
    SpotCheck,
    audit,
    transaction,
)
from . import instances, start_data

Unit = Database | Session
SPOT_CHECKERS = frozenset({"performance_office", "admin"})  # 财政部门组织力量核查 (002 (五))
CONFIRMERS = frozenset({"performance_office", "admin"})
CLAIMED = ("ev_output_indicators", "ev_outcome_indicators")  # the 自评表's 产出 and 效益 rows
CORE_LEVELS = ("产出指标", "效益指标")  # the targets' core levels when there is no self-evaluation yet


def _may(actor: Actor, roles: frozenset[str]) -> bool:
    return actor.is_system or actor.is_admin or bool(actor.roles & roles)


def core_indicators(session: Session, project_id: int) -> list[dict]:
    """The project's core indicators as rows of the evidence form (latest recorded first wins)."""
    instance_ids = select(ProcessInstance.id).where(ProcessInstance.project_id == project_id)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id.in_(instance_ids), AuditEvent.action == "task.completed")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    targets = None
    for event in events:
        data = (event.data or {}).get("data") or {}
        if any(data.get(key) for key in CLAIMED):
            return [
                {
                    "indicator": r.get("name", ""),
                    "target_value": str(r.get("target_value") or ""),
                    "claimed_value": str(r.get("actual_value") or r.get("score") or ""),
                }
                for key in CLAIMED
                for r in data.get(key) or []
            ]
        if targets is None and data.get("indicators"):
            targets = [
                {
                    "indicator": r.get("name", ""),
                    "target_value": f"{r.get('direction', '')}{r.get('target_value', '')}{r.get('unit') or ''}",
                    "claimed_value": "",
                }
                for r in data["indicators"]
                if r.get("level1") in CORE_LEVELS
            ]
    return targets or []


def start_spot_checks(uow: Unit, year: int, project_ids: list[int], *, actor: Actor) -> list[int]:
    """Start a spot check for each sampled project of ``year`` (the fiscal year self-evaluated);
    all or nothing. Returns the spot checks' ids."""
    if not _may(actor, SPOT_CHECKERS):
        raise Forbidden("只有绩效管理科可以发起真实性核查")
    ids = list(dict.fromkeys(int(i) for i in project_ids))
    if not ids:
        raise FormInvalid({"project_ids": ["请选择要核查的项目"]})
    with transaction(uow) as session:
        projects = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(ids)))}
        missing = [i for i in ids if i not in projects]
        if missing:
            raise FormInvalid({"project_ids": [f"项目不存在：{', '.join(map(str, missing))}"]})
        other_year = [p.code for p in projects.values() if p.fiscal_year != year]
        if other_year:
            raise FormInvalid({"project_ids": [f"项目不属于 {year} 年度：{'、'.join(other_year)}"]})
        taken = session.scalars(
            select(SpotCheck.project_id).where(SpotCheck.project_id.in_(ids), SpotCheck.fiscal_year == year)
        ).all()
        if taken:
            codes = "、".join(projects[i].code for i in taken)
            raise Conflict(f"以下项目本年度已在核查：{codes}")
        started = []
        for project_id in ids:
            started.append(_start_one(session, projects[project_id], year, actor))
        return started


def _start_one(session: Session, project: Project, year: int, actor: Actor) -> int:
    data = {
        **start_data.from_project(project),
        "sc_indicators": core_indicators(session, project.id),
        "sc_project_graded": project.grade is not None,
        "sc_project_score": None if project.score is None else float(project.score),
    }
    result = instances.start(
        session,
        "spot_check",
        actor=actor,
        data=data,
        business_key=f"{project.code}-核查",
        project_id=project.id,
    )
    check = SpotCheck(
        project_id=project.id,
        fiscal_year=year,
        instance_id=result.instance_id,
        status="evidence",
        overdue=False,
        veto_applied=False,
        started_by=actor.username,
        started_at=clock.now(),
    )
    session.add(check)
    session.flush()
    audit.append(
        session,
        action="spot_check.started",
        actor=actor.username,
        instance_id=result.instance_id,
        data={"spot_check": check.id, "project": project.id, "year": year},
    )
    return check.id


def confirm_score_table(uow: Unit, year: int, *, actor: Actor) -> int:
    """财政确认 the year's consolidated score table (R-EV-3); later changes show as 确认后变更.
    Confirming again takes in those changes. Returns the number of rows confirmed."""
    if not _may(actor, CONFIRMERS):
        raise Forbidden("只有绩效管理科可以确认打分表")
    with transaction(uow) as session:
        count = session.query(Project).filter(Project.fiscal_year == year).count()
        if count == 0:
            raise BusinessRuleRefused(f"{year} 年度没有项目，无法确认打分表")
        scored = session.query(ScoreTableRow).filter(ScoreTableRow.fiscal_year == year).count()
        if scored == 0:  # nothing evaluated yet: a table of dashes is not a result to confirm
            raise BusinessRuleRefused(f"{year} 年度尚无项目完成评价，打分表无可确认的得分")
        confirmation = session.get(ScoreTableConfirmation, year)
        again = confirmation is not None
        if confirmation is None:
            confirmation = ScoreTableConfirmation(fiscal_year=year)
            session.add(confirmation)
        confirmation.confirmed_by, confirmation.confirmed_at = actor.username, clock.now()
        confirmation.row_count = count
        session.execute(
            ScoreTableRow.__table__.update()
            .where(ScoreTableRow.fiscal_year == year, ScoreTableRow.changed_after_confirmation.is_(True))
            .values(changed_after_confirmation=False)
        )
        audit.append(
            session,
            action="score_table.confirmed",
            actor=actor.username,
            data={"year": year, "rows": count, "again": again},
        )
        return count
