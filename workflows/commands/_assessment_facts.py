"""The year's facts behind a unit's assessment sheet (DOMAIN 6 R-AS-1), from read tables only.

- 报送及时性 timeliness: the unit's tasks on its projects of the year that were finished after
  their due time, or are still open past it (``human_task``);
- 目标质量 quality of targets: how often finance returned the unit's targets (each ``tg_set``
  done again after the first is a return, R-TG-2);
- 整改落实 rectification: rectification items verified vs. still open (``rc_*`` tasks);
- 自评准确性 self-evaluation accuracy from spot checks (R-EV-7, ``spot_check``): the
  verdicts (属实 / 不实) reached on the unit's projects in the assessment year up to the
  cycle's opening — the checks of last year's self-evaluations, due by June 30, so the July
  cycle sees them all. ``spot_checked`` counts the unit's decided checks and ``spot_false``
  those found 不实; a unit with no decided check has neither (the sheet says 未抽查).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import clock
from ..store import BudgetUnit, HumanTask, Project, SpotCheck

UNIT_ROLES = ("unit_submitter", "unit_head")
RECTIFICATION_STEPS = ("rc_submit", "rc_verify", "rc_escalate")


def _by_unit(session: Session, query) -> dict[int, int]:
    return {unit_id: int(count) for unit_id, count in session.execute(query).all()}


def unit_facts(session: Session, year: int, as_of: datetime) -> list[dict]:
    """One row per budget unit: ``unit_id``, ``unit_name`` and the counts the sheet shows."""
    year_tasks = (
        select(Project.unit_id, func.count(HumanTask.id))
        .join(HumanTask, HumanTask.project_id == Project.id)
        .where(Project.fiscal_year == year, HumanTask.created_at <= as_of)
        .group_by(Project.unit_id)
    )
    late = _by_unit(
        session,
        year_tasks.where(
            HumanTask.role.in_(UNIT_ROLES),
            HumanTask.due_at.is_not(None),
            or_(
                and_(HumanTask.status == "completed", HumanTask.completed_at > HumanTask.due_at),
                and_(HumanTask.status == "open", HumanTask.due_at < as_of),
            ),
        ),
    )
    target_sets = _by_unit(
        session, year_tasks.where(HumanTask.task_spec == "tg_set", HumanTask.status == "completed")
    )
    target_projects = _by_unit(
        session,
        select(Project.unit_id, func.count(func.distinct(HumanTask.project_id)))
        .join(HumanTask, HumanTask.project_id == Project.id)
        .where(
            Project.fiscal_year == year,
            HumanTask.created_at <= as_of,
            HumanTask.task_spec == "tg_set",
            HumanTask.status == "completed",
        )
        .group_by(Project.unit_id),
    )
    rect_done = _by_unit(
        session,
        year_tasks.where(
            HumanTask.task_spec == "rc_verify",
            HumanTask.status == "completed",
            HumanTask.completed_at <= as_of,
        ),
    )
    rect_open = _by_unit(
        session, year_tasks.where(HumanTask.task_spec.in_(RECTIFICATION_STEPS), HumanTask.status == "open")
    )
    checked, found_false = _spot_checks(session, year, as_of)
    units = session.execute(select(BudgetUnit.id, BudgetUnit.name).order_by(BudgetUnit.code)).all()
    return [
        {
            "unit_id": unit_id,
            "unit_name": name,
            "late_tasks": late.get(unit_id, 0),
            "target_returns": target_sets.get(unit_id, 0) - target_projects.get(unit_id, 0),
            "rect_done": rect_done.get(unit_id, 0),
            "rect_open": rect_open.get(unit_id, 0),
        }
        | (
            {"spot_checked": checked[unit_id], "spot_false": found_false.get(unit_id, 0)}
            if checked.get(unit_id)
            else {}
        )
        for unit_id, name in units
    ]


def _spot_checks(session: Session, year: int, as_of: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per unit: its spot checks decided in ``year`` (China time) by ``as_of``, and those 不实."""
    start = datetime(year, 1, 1, tzinfo=clock.CHINA).astimezone(clock.UTC)
    decided = (
        select(Project.unit_id, func.count(SpotCheck.id))
        .join(SpotCheck, SpotCheck.project_id == Project.id)
        .where(
            SpotCheck.verdict.is_not(None),
            SpotCheck.decided_at.is_not(None),
            SpotCheck.decided_at >= start,
            SpotCheck.decided_at <= as_of,
        )
        .group_by(Project.unit_id)
    )
    return _by_unit(session, decided), _by_unit(session, decided.where(SpotCheck.verdict == "不实"))
