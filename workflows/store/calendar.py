"""The fiscal-year calendar and the department-wide read table (0008_fiscal_year).

DOMAIN 4 R-DW-1: a year's department-wide work starts from the date its budget was
approved (部门预算批复). ``fiscal_year`` records that date once per year; opening it starts the
year's processes for every budget unit. ``department_wide`` is the read side of each unit's
``department_wide`` instance: the stage, the deadline and finance's scores that the unit's
assessment reads (R-DW-2: 审核打分结果纳入本级预算绩效综合考核), copied from the workflow's
``dw_*`` data when the instance is saved, so the BPMN (not Python) decides them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class FiscalYear(Base):
    """预算年度 a fiscal year as the performance office opened it."""

    __tablename__ = "fiscal_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    budget_approved_on: Mapped[date] = mapped_column(Date)  # 部门预算批复日期 (R-DW-1)
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime]


class DepartmentWide(Base):
    """部门整体支出 one unit's department-wide cycle of one year, as screens and the assessment read it."""

    __tablename__ = "department_wide"
    __table_args__ = (UniqueConstraint("fiscal_year", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)  # a year opened or not (API starts)
    unit_id: Mapped[int] = mapped_column(ForeignKey("budget_unit.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(40), default="targets")
    due_at: Mapped[datetime | None]
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    targets_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    monitoring_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    self_evaluation_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    updated_at: Mapped[datetime]


# Workflow data keys ``dw_<column>`` copied into ``department_wide`` when the instance is saved.
DEPARTMENT_WIDE_SYNC_COLUMNS = (
    "stage",
    "due_at",
    "overdue",
    "targets_score",
    "monitoring_score",
    "self_evaluation_score",
)
