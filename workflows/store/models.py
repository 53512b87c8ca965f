"""SQLAlchemy models: the engine tables and the domain tables screens read (DESIGN 3).

A plain ``DeclarativeBase``; the Flask app creates Flask-SQLAlchemy with
``model_class=Base`` so both share one metadata (and registry). Schema changes are Alembic
migrations in ``workflows/store/migrations``, never ``create_all``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from .column_types import TaskStatus, UTCDateTime

# The type map sits on an explicit registry rather than as ``type_annotation_map`` on Base:
# Flask-SQLAlchemy (``SQLAlchemy(model_class=Base)``) copies Base's body into its own base
# class, and SQLAlchemy refuses a body that carries both a registry and a type map.
_registry = registry(type_annotation_map={datetime: UTCDateTime, Decimal: Numeric(18, 2), dict: JSON})


class Base(DeclarativeBase):
    registry = _registry


# --- deployments ------------------------------------------------------------------


class Deployment(Base):
    """An immutable bundle of BPMN, DMN and form files, keyed by its content hash."""

    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[dict] = mapped_column(JSON, deferred=True)  # {file name: text}
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime]


class ProcessDefinition(Base):
    """One version of one executable process; the parsed spec is serialized once here."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    spec_hash: Mapped[str] = mapped_column(String(64), index=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    # loaded only when this process's spec is not yet cached in memory
    serialized_spec: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime]

    deployment: Mapped[Deployment] = relationship(lazy="select")


# --- runtime ----------------------------------------------------------------------


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    business_key: Mapped[str | None] = mapped_column(String(120), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    # the budget unit of an instance that has no project (a unit's yearly process, 0008_fiscal_year)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("budget_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running, completed, cancelled
    workflow_state: Mapped[str] = mapped_column(Text)  # JSON without the spec (ENGINE-NOTES 3)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    current_step: Mapped[str | None] = mapped_column(String(200))
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")

    # Optimistic locking: UPDATE ... WHERE id = :id AND lock_version = :v (DESIGN 3).
    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """One row per user task; the inbox reads only this and the domain tables."""

    __tablename__ = "human_task"
    __table_args__ = (
        # a role's open work; the open tasks only (0018_open_role_indexes)
        Index(
            "ix_human_task_open_role",
            "role",
            "unit_id",
            "due_at",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        # searched for a person only: a task without one has no entry (0017_task_index_writes)
        Index(
            "ix_human_task_assignee",
            "assignee",
            "status",
            "due_at",
            postgresql_where=text("assignee IS NOT NULL"),
            sqlite_where=text("assignee IS NOT NULL"),
        ),
        Index(
            "ix_human_task_completed_by",
            "completed_by",
            "completed_at",
            postgresql_where=text("completed_by IS NOT NULL"),
            sqlite_where=text("completed_by IS NOT NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(120))
    # looked up by ix_human_task_project_due (project_id, status, due_at) in dashboard_tally
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("budget_unit.id"))
    task_spec: Mapped[str] = mapped_column(String(120))  # BPMN element id
    title: Mapped[str] = mapped_column(String(200))
    form: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(40))  # from the lane (DESIGN 4)
    assignee: Mapped[str | None] = mapped_column(String(80))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(TaskStatus, default="open")  # TASK_STATUSES
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))
    draft: Mapped[dict | None] = mapped_column(JSON)


class Timer(Base):
    """Due-time index: one row per waiting timer; the scheduler reads only due rows."""

    __tablename__ = "timer"
    __table_args__ = (UniqueConstraint("instance_id", "task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))  # boundary, intermediate, start, gateway
    due_at: Mapped[datetime] = mapped_column(index=True)
    interrupting: Mapped[bool] = mapped_column(Boolean, default=True)
    attached_to: Mapped[str | None] = mapped_column(String(36))  # task a boundary timer guards


class Incident(Base):
    """A failure on one instance (a script error, a timer that could not fire); retryable."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only; each row carries the hash of the previous row of its chain."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        # the 审计日志 page: newest first, and by actor (migration 0012_audit_log)
        Index("ix_audit_event_at", "at", "id"),
        Index("ix_audit_event_actor", "actor", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The head of each audit chain, so a deleted last row is detected too."""

    __tablename__ = "audit_chain"
    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


# --- domain -----------------------------------------------------------------------


class BudgetUnit(Base):
    """预算单位 a budget unit (department or agency)."""

    __tablename__ = "budget_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # DOMAIN R-RL-1: the finance business office (对口业务科室) that reviews this unit's work
    office_id: Mapped[int | None] = mapped_column(ForeignKey("finance_office.id"), index=True)


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("budget_unit.id"))
    email: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # a finance reviewer's office (DOMAIN R-RL-1); they review only its units
    office_id: Mapped[int | None] = mapped_column(ForeignKey("finance_office.id"))
    # an administrator set a one-time password: the user sets their own at first sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[BudgetUnit | None] = relationship(lazy="joined")
    office: Mapped[FinanceOffice | None] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def office_unit_ids(self) -> frozenset[int]:
        return frozenset(u.id for u in self.office.units) if self.office else frozenset()


class FinanceOffice(Base):
    """对口业务科室 a finance business office; it reviews the units assigned to it (DOMAIN R-RL-1)."""

    __tablename__ = "finance_office"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    units: Mapped[list[BudgetUnit]] = relationship(lazy="selectin", order_by="BudgetUnit.code")


class Expert(Base):
    """专家库 an expert of the pool (DOMAIN R-EX-1): a user, their fields and organisation, and
    the unit they belong to, so a draw avoids experts of the project's own unit."""

    __tablename__ = "expert"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)  # 专业领域, e.g. ["给排水", "工程造价"]
    organisation: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("budget_unit.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(lazy="joined")
    unit: Mapped[BudgetUnit | None] = relationship(lazy="joined")


class RoleGrant(Base):
    __tablename__ = "role_grant"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class LoginFailure(Base):
    """A password that did not match, kept for the login limits' window (0007_login_limits).

    A row is written *before* the password is checked and deleted if it was right, so every
    worker counts the attempts in flight too: N parallel guesses cannot all slip under the limit.
    ``account`` is the name as typed (lower case), known or not: an unknown name is limited alike.
    """

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_at", "account", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account: Mapped[str] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


DASHBOARD_INDEX_COLUMNS = ("fiscal_year", "unit_id", "grade", "fund_type", "amount", "budget_cut_ratio")
DASHBOARD_INDEX_COLUMNS += ("executed_amount", "execution_rate", "schedule_progress")
STAGE_INDEX_COLUMNS = ("fiscal_year", "stage", "unit_id", "fund_type", "amount")
# 0013_dashboard_index: only the rows the cuts and 双监控 figures add up; the query repeats
# FLAGGED_WHERE as written (SQLite uses a partial index only for its own condition)
FLAGGED_INDEX_COLUMNS = tuple(c for c in DASHBOARD_INDEX_COLUMNS if c != "grade")
FLAGGED_WHERE = "budget_cut_ratio > 0 OR executed_amount IS NOT NULL OR execution_rate < schedule_progress"
# What ``project.fund_type`` holds: the four budgets (四本预算) and the special funds the bureau
# manages as such (DOMAIN 1: poverty-alleviation / rural-revitalisation funds, R-AS-2). The input
# schemas, the filters and the pages offer these; a process names those it counts.
FUND_TYPES = ("general_public", "government_fund", "state_capital", "social_insurance", "poverty_alleviation")


class Project(Base):
    """A project spending public money, one fiscal year; its searchable state."""

    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_unit_year", "unit_id", "fiscal_year"),
        # the dashboard's covering indexes (0010_dashboard_indexes, queries/dashboard_sql.py): a
        # year's figures are grouped by unit and grade, or by stage, in index order and summed
        # without reading a table row
        Index("ix_project_dashboard", *DASHBOARD_INDEX_COLUMNS),
        Index("ix_project_year_stage", *STAGE_INDEX_COLUMNS),
        Index(
            "ix_project_flagged",
            *FLAGGED_INDEX_COLUMNS,
            sqlite_where=text(FLAGGED_WHERE),
            postgresql_where=text(FLAGGED_WHERE),
        ),
        Index("ix_project_year_fund", "fiscal_year", "fund_type"),  # 0010_poverty: a fund's projects
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("budget_unit.id"))
    fiscal_year: Mapped[int]
    amount: Mapped[Decimal]  # 万元
    fund_type: Mapped[str] = mapped_column(String(40), default="general_public")
    is_new: Mapped[bool] = mapped_column(Boolean, default=True)
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(40), default="created")
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(10))
    grade_cap: Mapped[str | None] = mapped_column(String(10))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    budget_cut_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # The header of the national 项目支出绩效目标申报表, as the unit declared it (0006_project_header;
    # older rows may lack the owner). 项目属性 is ``is_new`` (新增项目 / 延续项目).
    owner_name: Mapped[str | None] = mapped_column(String(80))  # 项目负责人 (DOMAIN R-EV-8)
    owner_phone: Mapped[str | None] = mapped_column(String(40))
    competent_department: Mapped[str | None] = mapped_column(String(200))  # 主管部门
    implementing_unit: Mapped[str | None] = mapped_column(String(200))  # 实施单位
    period_start: Mapped[str | None] = mapped_column(String(7))  # 项目期: "2026" or "2026-03"
    period_end: Mapped[str | None] = mapped_column(String(7))
    fiscal_funds: Mapped[Decimal | None]  # 资金来源: 财政拨款 (万元), with other_funds = the declared amount
    other_funds: Mapped[Decimal | None]  # 其他资金 (万元)
    # 双监控 at the latest monitoring node (0008_execution): executed 万元, its rate and 序时进度 (%)
    executed_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    execution_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    schedule_progress: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    execution_node: Mapped[str | None] = mapped_column(String(10))  # the node they are at: "08-31"
    year_executed_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # the year's, self-evaluated
    year_execution_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))

    unit: Mapped[BudgetUnit] = relationship(lazy="joined")


# --- designer ---------------------------------------------------------------------


class DesignerDraft(Base):
    """草稿 a designer's working copy of the bundle (BPMN, DMN, forms), saved but not deployed."""

    __tablename__ = "designer_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(80), unique=True)  # one working draft per designer
    base_deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"))
    files: Mapped[dict] = mapped_column(JSON)  # {file name: text}
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
