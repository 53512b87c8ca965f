"""第三方机构库 the pool of third-party institutions (DOMAIN R-TP-1..3, R-EV-4) and 绩效目标版本
the versions of a project's approved targets (R-TG-3, R-TG-6).

An institution is admitted (在库), excluded (停用: a 不合格 rating, or two years without any
evaluation work) or blacklisted (黑名单: fraud or false reports, permanent). Engagements are
recorded with the procurement that bought them; ratings are yearly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Project, User

# 状态 of an institution in the pool
ADMITTED, EXCLUDED, BLACKLISTED = "在库", "停用", "黑名单"
STATUSES = (ADMITTED, EXCLUDED, BLACKLISTED)
GRADES = ("优秀", "合格", "不合格")


class ThirdPartyInstitution(Base):
    """第三方机构: admitted into the pool by the performance office (R-TP-1)."""

    __tablename__ = "third_party_institution"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    contact: Mapped[str] = mapped_column(String(200), default="")
    admitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ADMITTED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class ThirdPartyMember(Base):
    """A ``third_party`` user working for an institution."""

    __tablename__ = "third_party_member"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("third_party_institution.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")


class ThirdPartyEngagement(Base):
    """委托: an institution engaged for a project through government procurement (R-EV-4)."""

    __tablename__ = "third_party_engagement"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("third_party_institution.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    procurement_method: Mapped[str] = mapped_column(String(40))  # 公开招标, 竞争性磋商 …
    contract_number: Mapped[str] = mapped_column(String(80))
    fee: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 万元
    engaged_on: Mapped[date] = mapped_column(Date, index=True)
    engaged_by: Mapped[str] = mapped_column(String(80))

    project: Mapped[Project] = relationship(lazy="joined")


class ThirdPartyRating(Base):
    """年度工作质量评级 (R-TP-1): one per institution and year; feeds fees and tenders (R-TP-3)."""

    __tablename__ = "third_party_rating"
    __table_args__ = (UniqueConstraint("institution_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("third_party_institution.id"), index=True)
    year: Mapped[int]
    grade: Mapped[str] = mapped_column(String(10))
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    remarks: Mapped[str] = mapped_column(Text, default="")
    fee_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    tender_bonus: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    rated_by: Mapped[str] = mapped_column(String(80))
    rated_at: Mapped[datetime]


class TargetVersion(Base):
    """绩效目标版本: approved targets of a project; a change request adds a version, the earlier
    ones stay readable (R-TG-3). ``republish_pending``: the change is still to be re-published."""

    __tablename__ = "target_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int]
    indicators: Mapped[list] = mapped_column(JSON)
    overall_goal: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # 万元 at this version (R-TG-6)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))  # target_review / target_change
    instance_id: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime]
    republish_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    republished_at: Mapped[datetime | None]
