"""扶贫资金项目预算绩效管理 the monthly evaluation of poverty-alleviation fund projects (DOMAIN R-AS-2).

Read tables the ``poverty_fund_ranking`` process keeps equal to its workflow (one month, one
score row per unit with poverty-fund projects, written when the process saves), and the items
fed back to each unit for rectification (红灯预警, 金额填报错误, 绩效指标填报不规范, 细散小), with
the unit's measures once it reports them (migration 0010_poverty).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class PovertyMonth(Base):
    """One month's evaluation: opened on the 1st of the next month → reviewed → approved → 通报."""

    __tablename__ = "poverty_month"
    __table_args__ = (UniqueConstraint("fiscal_year", "month", name="uq_poverty_month_year_month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)  # 1–12: the month evaluated
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # reviewing, approving, published, empty
    opened_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(80))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None]
    rules: Mapped[dict | None] = mapped_column(JSON)  # the DMN's thresholds and deductions it used


class PovertyScore(Base):
    """One unit's row of a month's sheet: its counts, the points they cost, adjustment, total, rank."""

    __tablename__ = "poverty_score"
    __table_args__ = (UniqueConstraint("month_id", "unit_id", name="uq_poverty_score_month_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("poverty_month.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("budget_unit.id"))
    facts: Mapped[dict] = mapped_column(JSON)  # projects, amount, red_lights, amount_errors, …
    deduction: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    adjustment: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    adjustment_reason: Mapped[str | None] = mapped_column(String(500))
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(Integer)
    supervise: Mapped[bool] = mapped_column(Boolean, default=False)  # 督导: among the bottom-ranked


class PovertyIssue(Base):
    """One item fed back to a unit: a project's red light, wrong amount, badly filled indicators
    or 细散小; the unit's rectification measure once reported."""

    __tablename__ = "poverty_issue"
    __table_args__ = (Index("ix_poverty_issue_month_unit", "month_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("poverty_month.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("budget_unit.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # red_light, amount_error, indicator, small
    detail: Mapped[str] = mapped_column(String(500))
    measure: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None]
    rectified_by: Mapped[str | None] = mapped_column(String(80))
