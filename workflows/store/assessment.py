"""考核 Assessment of units and 信息公开 disclosure (DOMAIN 6 R-AS-1; R-TG-3, R-RA-4, R-EV-4).

Read tables the ``unit_assessment`` process keeps equal to its workflow (a cycle and one score
row per unit, written when the process saves), the disclosure calendar its start script
declares, and the publication decisions the performance office takes (migration 0008_assessment).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class AssessmentCycle(Base):
    """One assessment cycle (July or December) of a fiscal year: scoring → approval → 通报."""

    __tablename__ = "assessment_cycle"
    __table_args__ = (UniqueConstraint("fiscal_year", "cycle", name="uq_assessment_cycle_year_cycle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[str] = mapped_column(String(20))  # july, december
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # scoring, approving, published
    opened_at: Mapped[datetime]
    scored_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(80))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None]
    weights: Mapped[dict | None] = mapped_column(JSON)  # the DMN's weights the ranking used


class AssessmentScore(Base):
    """One unit's row of a cycle's sheet: the facts, the points they earn, judgement, total, rank."""

    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", name="uq_assessment_score_cycle_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("assessment_cycle.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("budget_unit.id"))
    facts: Mapped[dict] = mapped_column(JSON)  # late_tasks, target_returns, rect_done, rect_open, spot_checks
    timeliness: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    target_quality: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rectification: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    accuracy: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    judgement: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(Integer)


class DisclosureDue(Base):
    """When each kind of item must be published for a fiscal year (the process's start script)."""

    __tablename__ = "disclosure_due"
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # targets, results, key_report, ranking
    due_on: Mapped[date] = mapped_column(Date)


class Disclosure(Base):
    """公开 a human decision to publish one item (a project's targets or results, a key report)."""

    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("kind", "subject_id", name="uq_disclosure_kind_subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)  # the project (targets, results, key_report)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(80))
