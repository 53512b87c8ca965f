"""Authenticity spot checks (真实性核查, R-EV-7), the accountability they lead to, and the
level's consolidated score table (本级部门单位项目支出绩效评价打分表, R-EV-3). Migration 0008_score_table.

``spot_check`` is one row per sampled project and year, kept equal to its ``spot_check``
process at the task boundary (evidence, findings, verdict, overdue). ``accountability_record``
names the unit and the project owner (项目负责人, R-EV-8) answering for a false self-evaluation.
``score_table_row`` holds each scorer's points for a project, written as the evaluation's steps
run; ``score_table_confirmation`` records finance's confirmation of a year's table.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class SpotCheck(Base):
    """真实性核查: one sampled project's check of its self-evaluation against evidence."""

    __tablename__ = "spot_check"
    __table_args__ = (UniqueConstraint("project_id", "fiscal_year", name="uq_spot_check_project_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    status: Mapped[str] = mapped_column(String(20), default="evidence")  # evidence, checking, done
    verdict: Mapped[str | None] = mapped_column(String(10))  # 属实 / 不实
    findings: Mapped[list | None] = mapped_column(JSON)  # per core indicator: 属实/不实 + note
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    veto_applied: Mapped[bool] = mapped_column(Boolean, default=False)  # 一票否决 on the grade
    veto_grade: Mapped[str | None] = mapped_column(String(10))
    veto_cut_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    recovery_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # 收回资金 (万元)
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class AccountabilityRecord(Base):
    """追责: who answers for a false self-evaluation — the unit and the project owner (R-EV-7)."""

    __tablename__ = "accountability_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_check.id"))
    unit_name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class ScoreTableRow(Base):
    """One project's line in the year's 打分表: each scorer's points, the grade, the cap, the cut."""

    __tablename__ = "score_table_row"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    self_total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 单位自评
    finance_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 财政复核
    panel_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 专家评审
    third_party_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # 第三方评价
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    band_grade: Mapped[str | None] = mapped_column(String(10))  # before caps
    grade: Mapped[str | None] = mapped_column(String(10))  # after caps
    cap_reason: Mapped[str | None] = mapped_column(String(200))  # R-EV-5, R-MN-4, R-EV-7
    budget_cut_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    changed_after_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class ScoreTableConfirmation(Base):
    """Finance (the performance office) confirmed the year's table (R-EV-3)."""

    __tablename__ = "score_table_confirmation"
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed_by: Mapped[str] = mapped_column(String(80))
    confirmed_at: Mapped[datetime]
    row_count: Mapped[int] = mapped_column(Integer, default=0)
