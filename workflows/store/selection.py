"""年度评价对象选取 the year's selection: one row per fiscal year, one row per project and category
(migration 0008_selection), and the repository reads the selection commands and pages share:
candidates with their history, the quotas the year's instance decided, the checks.
DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7. The quota numbers are the ``selection_quotas``
decision of the year's ``annual_selection`` instance (read from its audit record, never from
the workflow); the arithmetic is :mod:`workflows.quotas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, exists, func, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from .. import quotas as rules
from .models import AuditEvent, Base, BudgetUnit, HumanTask, Project


class AnnualSelection(Base):
    """One fiscal year's selection: its ``annual_selection`` instance, status and the spot-check draw."""

    __tablename__ = "annual_selection"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, unique=True)  # the projects' 预算年度
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | confirmed
    spot_seed: Mapped[str | None] = mapped_column(String(64))  # the draw's seed (also in the audit log)
    spot_draws: Mapped[int] = mapped_column(Integer, default=0)  # how many draws were made
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_by: Mapped[str | None] = mapped_column(String(80))
    confirmed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class SelectionItem(Base):
    """A project chosen in one category of its year's selection (``spot_check``: drawn)."""

    __tablename__ = "selection_item"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "project_id", "category", name="uq_selection_item"),
        Index("ix_selection_item_year_category", "fiscal_year", "category"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))


# --- reads shared by the commands and the pages ------------------------------------

QUOTA_STEP = "sel_quotas"  # the business-rule task of bpmn/annual_selection.bpmn
CHOOSE_TASK = "sel_choose"
CLOSED_STAGES = ("refused", "cancelled", "not_budgeted")  # a project that spends nothing


@dataclass(frozen=True)
class Row:
    """A candidate as the workbench shows it."""

    project_id: int
    code: str
    name: str
    unit_id: int
    unit_name: str
    amount: Decimal
    is_new: bool
    one_off: bool
    is_key: bool
    evaluated_before: bool
    stage: str

    @property
    def candidate(self) -> rules.Candidate:
        return rules.Candidate(
            self.project_id, self.unit_id, self.amount, self.is_key, self.one_off, self.evaluated_before
        )

    @property
    def priority(self) -> bool:
        return rules.is_priority(self.candidate)


@dataclass
class Workbench:
    year: int
    selection: AnnualSelection | None
    quotas: rules.Quotas | None
    rows: list[Row] = field(default_factory=list)
    chosen: dict[str, set[int]] = field(default_factory=dict)
    checks: list[rules.Check] = field(default_factory=list)
    last_year_third_party_funds: Decimal = Decimal(0)
    task_id: str | None = None

    @property
    def failures(self) -> list[rules.Check]:
        return rules.failures(self.checks)

    @property
    def confirmed(self) -> bool:
        return self.selection is not None and self.selection.status == "confirmed"


def selection_of(session: Session, year: int) -> AnnualSelection | None:
    return session.scalar(select(AnnualSelection).where(AnnualSelection.fiscal_year == year))


def years(session: Session) -> list[AnnualSelection]:
    return list(session.scalars(select(AnnualSelection).order_by(AnnualSelection.fiscal_year.desc())))


def quotas_of(session: Session, instance_id: int | None) -> rules.Quotas | None:
    """The quotas the year's instance decided (DMN ``selection_quotas``), from its audit record."""
    if instance_id is None:
        return None
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.action == "engine.step")
        .order_by(AuditEvent.seq.desc())
    ):
        if (event.data or {}).get("step") == QUOTA_STEP:
            return rules.Quotas.of(event.data["outputs"])
    return None


def open_task_id(session: Session, instance_id: int | None) -> str | None:
    if instance_id is None:
        return None
    return session.scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance_id,
            HumanTask.task_spec == CHOOSE_TASK,
            HumanTask.status == "open",
        )
    )


def candidates(session: Session, year: int) -> list[Row]:
    """The year's projects with unit, amount, 项目属性, key flag, history and stage (one query).

    History (R-EV-2 "以前年度未实施部门评价"): a project of the same unit and name in an earlier
    year was chosen for a department evaluation.
    """
    earlier = aliased(Project)
    evaluated = exists(
        select(SelectionItem.id)
        .join(earlier, earlier.id == SelectionItem.project_id)
        .where(
            SelectionItem.category == rules.DEPT_EVAL,
            SelectionItem.fiscal_year < year,
            earlier.unit_id == Project.unit_id,
            earlier.name == Project.name,
        )
    )
    query = (
        select(
            Project.id,
            Project.code,
            Project.name,
            Project.unit_id,
            BudgetUnit.name,
            Project.amount,
            Project.is_new,
            Project.is_major,
            Project.period_start,
            Project.period_end,
            Project.stage,
            evaluated.label("evaluated_before"),
        )
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(Project.fiscal_year == year, Project.stage.not_in(CLOSED_STAGES))
        .order_by(BudgetUnit.code, Project.code)
    )
    return [
        Row(
            project_id=r[0],
            code=r[1],
            name=r[2],
            unit_id=r[3],
            unit_name=r[4],
            amount=Decimal(str(r[5])),
            is_new=bool(r[6]),
            one_off=rules.is_one_off(r[6], r[8], r[9], year),
            is_key=bool(r[7]),
            evaluated_before=bool(r[11]),
            stage=r[10],
        )
        for r in session.execute(query)
    ]


def chosen(session: Session, year: int) -> dict[str, set[int]]:
    picked: dict[str, set[int]] = {c: set() for c in rules.CATEGORIES}
    for project_id, category in session.execute(
        select(SelectionItem.project_id, SelectionItem.category).where(SelectionItem.fiscal_year == year)
    ):
        picked.setdefault(category, set()).add(project_id)
    return picked


def third_party_funds(session: Session, year: int) -> Decimal:
    """The funds of the key third-party evaluations a confirmed selection chose for ``year``."""
    total = session.scalar(
        select(func.coalesce(func.sum(Project.amount), 0))
        .join(SelectionItem, SelectionItem.project_id == Project.id)
        .join(AnnualSelection, AnnualSelection.fiscal_year == SelectionItem.fiscal_year)
        .where(
            SelectionItem.fiscal_year == year,
            SelectionItem.category == rules.THIRD_PARTY,
            AnnualSelection.status == "confirmed",
        )
    )
    return Decimal(str(total or 0))


def workbench(session: Session, year: int, picked: dict[str, set[int]] | None = None) -> Workbench:
    """Everything the workbench shows; ``picked`` checks a choice not saved yet (else the saved one)."""
    selection = selection_of(session, year)
    instance_id = selection.instance_id if selection else None
    quotas = quotas_of(session, instance_id)
    rows = candidates(session, year)
    rows.sort(key=lambda r: (r.unit_name, rules.priority(r.candidate)))
    saved = chosen(session, year)
    if picked is not None:
        saved = {**saved, **{c: set(ids) for c, ids in picked.items() if c != rules.SPOT_CHECK}}
    bench = Workbench(year, selection, quotas, rows, saved, task_id=open_task_id(session, instance_id))
    bench.last_year_third_party_funds = third_party_funds(session, year - 1)
    if quotas is not None:
        bench.checks = check_rows(rows, saved, quotas, bench.last_year_third_party_funds)
    return bench


def check_rows(rows: list[Row], picked: dict[str, set[int]], quotas: rules.Quotas, last_year: Decimal):
    names = {r.unit_id: r.unit_name for r in rows}
    return rules.check(
        [r.candidate for r in rows],
        picked,
        quotas,
        last_year_third_party_funds=last_year,
        unit_names=names,
    )


def spot_check_sample(session: Session, year: int) -> list[int]:
    """R-EV-7: the projects drawn for the authenticity spot checks of ``year`` (for ``spot_check``)."""
    return list(
        session.scalars(
            select(SelectionItem.project_id)
            .where(SelectionItem.fiscal_year == year, SelectionItem.category == rules.SPOT_CHECK)
            .order_by(SelectionItem.project_id)
        )
    )


def key_monitoring_clause():
    """R-MN-7: the project is under finance's key monitoring (a confirmed selection chose it)."""
    return exists(
        select(SelectionItem.id)
        .join(
            AnnualSelection,
            and_(
                AnnualSelection.fiscal_year == SelectionItem.fiscal_year,
                AnnualSelection.status == "confirmed",
            ),
        )
        .where(SelectionItem.project_id == Project.id, SelectionItem.category == rules.KEY_MONITORING)
    )
