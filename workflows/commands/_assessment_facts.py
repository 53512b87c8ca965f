"""The year's facts behind a unit's assessment sheet (DOMAIN 6 R-AS-1), from read tables only.

- 报送及时性 timeliness: the unit's tasks on its projects of the year that were finished after
  their due time, or are still open past it (``human_task``);
- 目标质量 quality of targets: how often finance returned the unit's targets (each ``tg_set``
  done again after the first is a return, R-TG-2);
- 整改落实 rectification: rectification items verified vs. still open (``rc_*`` tasks);
- 自评准确性 self-evaluation accuracy from spot checks (R-EV-7): spot checks are not built
  yet, so nothing is reported (the sheet shows 暂无). HOOK: when spot checks exist, return
  ``spot_checked`` and ``spot_false`` per unit here; ``domain.rank_units`` already scores them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..store import BudgetUnit, HumanTask, Project

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
        for unit_id, name in units
    ]
