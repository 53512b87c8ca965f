"""部门整体支出 department-wide cycles as screens and the unit assessment read them.

Reads the ``fiscal_year`` calendar and the ``department_wide`` read table (kept equal to each
instance's ``dw_*`` data on save), never a workflow. ``scores`` is what another process
(the unit's assessment, R-DW-2: 审核打分结果纳入本级预算绩效综合考核) reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from ..store import BudgetUnit, DepartmentWide, FiscalYear, HumanTask
from . import overdue

# stage → 中文, in the order a cycle goes through them
STAGES = {
    "targets": "填报绩效目标",
    "targets_review": "财政审核绩效目标",
    "monitoring_wait": "等待6月底监控节点",
    "monitoring": "填报绩效监控报告",
    "monitoring_review": "财政审核绩效监控",
    "self_evaluation_wait": "等待年度结束后自评",
    "self_evaluation": "填报绩效自评报告",
    "self_evaluation_review": "财政审核绩效自评",
    "completed": "已完成",
}


@dataclass(frozen=True)
class UnitStatus:
    unit_id: int
    unit_code: str
    unit_name: str
    instance_id: int
    stage: str
    stage_label: str
    due_at: datetime | None
    overdue: bool
    targets_score: Decimal | None
    monitoring_score: Decimal | None
    self_evaluation_score: Decimal | None
    open_task_ids: tuple[str, ...]
    overdue_tasks: int = 0  # open tasks of the cycle past due (queries.overdue)


@dataclass(frozen=True)
class YearView:
    year: int
    budget_approved_on: date | None
    opened: bool
    units: list[UnitStatus]

    @property
    def overdue_tasks(self) -> int:
        """The year's overdue work of the units shown, as the dashboard counts it."""
        return sum(u.overdue_tasks for u in self.units)

    @property
    def overdue_units(self) -> int:
        return sum(1 for u in self.units if u.overdue)


def fiscal_years(session: Session) -> list[FiscalYear]:
    """Every opened fiscal year, newest first."""
    return list(session.scalars(select(FiscalYear).order_by(FiscalYear.year.desc())))


def year_status(session: Session, actor: Actor, year: int, *, now: datetime | None = None) -> YearView:
    """Each unit's department-wide cycle of ``year`` that the actor may read (R-RL-1), by unit code.

    ``overdue``: the cycle has an open task past its due time (:mod:`queries.overdue`, the
    dashboard's definition); the process's own deadline mark is a timeliness fact for the unit
    assessment (:func:`scores`), not shown as overdue work once the unit has handed in."""
    now = now or clock.now()
    calendar = session.get(FiscalYear, year)
    rows = session.execute(
        select(DepartmentWide, BudgetUnit.code, BudgetUnit.name)
        .join(BudgetUnit, BudgetUnit.id == DepartmentWide.unit_id)
        .where(DepartmentWide.fiscal_year == year, policy.unit_clause(actor, DepartmentWide.unit_id))
        .order_by(BudgetUnit.code)
    ).all()
    open_tasks: dict[int, list[str]] = {}
    ids = [row.DepartmentWide.instance_id for row in rows]
    if ids:
        for task_id, instance_id in session.execute(
            select(HumanTask.id, HumanTask.instance_id)
            .where(
                HumanTask.instance_id.in_(ids), HumanTask.status == "open", policy.readable_task_clause(actor)
            )
            .order_by(HumanTask.created_at)
        ):
            open_tasks.setdefault(instance_id, []).append(task_id)
    late = overdue.department_wide_by_unit(session, actor, year, now)
    units = []
    for dw, code, name in rows:
        units.append(
            UnitStatus(
                unit_id=dw.unit_id,
                unit_code=code,
                unit_name=name,
                instance_id=dw.instance_id,
                stage=dw.stage,
                stage_label=STAGES.get(dw.stage, dw.stage),
                due_at=dw.due_at,
                overdue=dw.unit_id in late,
                targets_score=dw.targets_score,
                monitoring_score=dw.monitoring_score,
                self_evaluation_score=dw.self_evaluation_score,
                open_task_ids=tuple(open_tasks.get(dw.instance_id, ())),
                overdue_tasks=late.get(dw.unit_id, 0),
            )
        )
    return YearView(
        year=year,
        budget_approved_on=calendar.budget_approved_on if calendar else None,
        opened=calendar is not None,
        units=units,
    )


def scores(session: Session, year: int) -> dict[int, dict[str, Decimal | None]]:
    """Finance's department-wide scores of ``year`` per unit id (None: not scored yet):
    ``{unit_id: {"targets": .., "monitoring": .., "self_evaluation": .., "overdue": bool}}``."""
    rows = session.scalars(select(DepartmentWide).where(DepartmentWide.fiscal_year == year))
    return {
        dw.unit_id: {
            "targets": dw.targets_score,
            "monitoring": dw.monitoring_score,
            "self_evaluation": dw.self_evaluation_score,
            "overdue": dw.overdue,
        }
        for dw in rows
    }
