"""What the task boundary writes for the score table (R-EV-3) and the spot checks (R-EV-7).

Called by every save (:func:`workflows.commands._persist.save`) with the rule and script steps
the engine just ran (``engine.step``): each scorer's points go into ``score_table_row`` as the
evaluation computes them, a spot check's verdict into ``spot_check`` with the accountability it
leads to. Which workflow value fills which column is declared below; the processes (BPMN, DMN)
decide the values. Nothing here loads a workflow for reading.

:func:`facts` is what a project's instance learns when one of its tasks completes: the verdict
of the project's spot check (``spot_check_false``, read by DMN ``grade_cap``), and for the spot
check itself whether the project is already graded.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..store import (
    AccountabilityRecord,
    Project,
    ScoreTableConfirmation,
    ScoreTableRow,
    SpotCheck,
    audit,
)
from ._domain_sync import DomainSync

# workflow value → score_table_row column (the evaluation's totals, the capped grade, the cut)
SCORE_KEYS = {
    "ev_self_total": "self_total",
    "ev_finance_score": "finance_score",
    "ev_panel_score": "panel_score",
    "ev_third_party_score": "third_party_score",
    "ev_final_score": "final_score",
    "ev_band_grade": "band_grade",
    "project_grade": "grade",
    "project_budget_cut_ratio": "budget_cut_ratio",
}
_NUMERIC = {"self_total", "finance_score", "panel_score", "third_party_score", "final_score"}
SPOT_CHECK_PROCESS = "spot_check"
FALSE = "不实"  # the verdict the spot check's BPMN writes for a false self-evaluation
_GRADE_COLUMNS = {"grade", "grade_cap", "budget_cut_ratio"}


def _decimal(value, places: str = "0.01") -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal(places))
    except ArithmeticError:
        return None


def _column_value(column: str, value):
    if column in _NUMERIC:
        return _decimal(value)
    if column == "budget_cut_ratio":
        return _decimal(value, "0.0001")
    return value if isinstance(value, str) else None


def false_check(session: Session, project_id: int) -> SpotCheck | None:
    """The project's spot check that found its self-evaluation false, if any."""
    return session.scalar(
        select(SpotCheck).where(SpotCheck.project_id == project_id, SpotCheck.verdict == FALSE).limit(1)
    )


def facts(session: Session, instance) -> dict:
    """Values a project's instance receives with a completed task (before the engine runs on)."""
    if instance.project_id is None:
        return {}
    found: dict = {}
    if false_check(session, instance.project_id) is not None:
        found["spot_check_false"] = True
    if instance.process_id == SPOT_CHECK_PROCESS:
        project = session.get(Project, instance.project_id)
        found["sc_project_graded"] = project.grade is not None
        found["sc_project_score"] = None if project.score is None else float(project.score)
    return found


def _steps_of(instance, _workflow, engine_steps) -> list | None:
    return engine_steps if instance.project_id is not None else None


def _after_save(session: Session, instance, engine_steps: list, saving) -> None:
    """Write the score-table row and the spot check from the steps just run; keep a veto standing."""
    project_values = saving.taken.get("project") or {}
    actor = saving.actor
    scored: dict = {}
    cap_reason = None
    for step in engine_steps:
        outputs = step.data.get("outputs") or {}
        for key, column in SCORE_KEYS.items():
            if key in outputs:
                scored[column] = _column_value(column, outputs[key])
        rules = step.data.get("rules") or []
        if step.data.get("kind") == "rule" and "project_grade" in outputs and rules:
            cap_reason = rules[0].get("description")
    check = None
    if instance.process_id == SPOT_CHECK_PROCESS:
        check = session.scalar(select(SpotCheck).where(SpotCheck.instance_id == instance.id))
        if check is not None:
            cap_reason = _record_spot_check(session, check, engine_steps, actor) or cap_reason
    if scored:
        _write_row(session, instance.project_id, scored, cap_reason)
    if check is None and _GRADE_COLUMNS & set(project_values):
        _keep_veto(session, instance.project_id, actor)


def _write_row(session: Session, project_id: int, scored: dict, cap_reason: str | None) -> None:
    row = session.get(ScoreTableRow, project_id)
    now = clock.now()
    if row is None:
        year = session.scalar(select(Project.fiscal_year).where(Project.id == project_id))
        row = ScoreTableRow(
            project_id=project_id, fiscal_year=year, changed_after_confirmation=False, updated_at=now
        )
        session.add(row)
    changed = False
    for column, value in scored.items():
        if getattr(row, column) != value:
            setattr(row, column, value)
            changed = True
    if "grade" in scored:
        reason = cap_reason if (cap_reason and row.grade != row.band_grade) else None
        if row.cap_reason != reason:
            row.cap_reason, changed = reason, True
    if changed:
        row.updated_at = now
        if session.get(ScoreTableConfirmation, row.fiscal_year) is not None:
            row.changed_after_confirmation = True  # shown as 确认后变更 (R-EV-3)


def _record_spot_check(session: Session, check: SpotCheck, engine_steps, actor) -> str | None:
    """The spot check's own steps: overdue, the verdict, the veto (R-EV-7). Returns the veto's reason."""
    reason = None
    for step in engine_steps:
        outputs = step.data.get("outputs") or {}
        if outputs.get("sc_overdue") is True and not check.overdue:
            check.overdue = True
            audit.append(
                session, action="spot_check.overdue", actor=actor.username, data={"spot_check": check.id}
            )
        if "spot_check_verdict" in outputs:
            check.verdict = outputs["spot_check_verdict"]
            check.findings = outputs.get("sc_findings")
            check.status, check.decided_at = "done", clock.now()
            audit.append(
                session,
                action="spot_check.decided",
                actor=actor.username,
                data={"spot_check": check.id, "project": check.project_id, "verdict": check.verdict},
            )
        if "sc_veto_grade" in outputs:
            check.veto_grade = outputs["sc_veto_grade"]
            check.recovery_wan = _decimal(outputs.get("sc_recovery_wan"))
            reason = outputs.get("sc_veto_reason") or reason
            _hold_accountable(session, check, reason or FALSE, actor)
        if step.data.get("kind") == "script" and outputs.get("project_grade") is not None:
            check.veto_applied = True
            reason = reason or "一票否决"
        if step.data.get("kind") == "rule" and "project_budget_cut_ratio" in outputs:
            check.veto_cut_ratio = _decimal(outputs["project_budget_cut_ratio"], "0.0001")
            audit.append(
                session,
                action="spot_check.veto_applied",
                actor=actor.username,
                data={
                    "spot_check": check.id,
                    "project": check.project_id,
                    "grade": check.veto_grade,
                    "budget_cut_ratio": str(check.veto_cut_ratio),
                    "recovery_wan": str(check.recovery_wan),
                },
            )
    return reason


def _hold_accountable(session: Session, check: SpotCheck, reason: str, actor) -> None:
    """追责: the unit and the project owner (项目负责人, R-EV-8) answer for the false report."""
    project = session.get(Project, check.project_id)
    record = AccountabilityRecord(
        project_id=project.id,
        spot_check_id=check.id,
        unit_name=project.unit.name,
        owner_name=project.owner_name,
        reason=reason,
        recorded_at=clock.now(),
    )
    session.add(record)
    session.flush()
    audit.append(
        session,
        action="accountability.recorded",
        actor=actor.username,
        data={"project": project.id, "unit": record.unit_name, "owner": record.owner_name, "reason": reason},
    )


def _keep_veto(session: Session, project_id: int, actor) -> None:
    """A vetoed project stays 差 whatever an older copy in another instance re-syncs (R-EV-7);
    a veto waiting for the evaluation is marked applied once the evaluation has graded it."""
    check = false_check(session, project_id)
    if check is None:
        return
    project = session.get(Project, project_id)
    if not check.veto_applied:
        if project.grade is None:
            return
        check.veto_applied, check.veto_grade = True, project.grade
        audit.append(
            session,
            action="spot_check.veto_applied",
            actor=actor.username,
            data={"spot_check": check.id, "project": project_id, "grade": project.grade},
        )
    if check.veto_cut_ratio is None and project.budget_cut_ratio is not None:
        check.veto_cut_ratio = project.budget_cut_ratio
    project.grade = check.veto_grade
    project.grade_cap = check.veto_grade
    if check.veto_cut_ratio is not None:
        project.budget_cut_ratio = check.veto_cut_ratio
    row = session.get(ScoreTableRow, project_id)
    if row is not None and (
        row.grade != check.veto_grade or row.budget_cut_ratio != project.budget_cut_ratio
    ):
        _write_row(
            session,
            project_id,
            {"grade": check.veto_grade, "budget_cut_ratio": project.budget_cut_ratio},
            row.cap_reason,
        )


SCORE_TABLE = DomainSync("score_table", _steps_of, _after_save)  # R-EV-3, R-EV-7
