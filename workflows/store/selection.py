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
from typing import NamedTuple

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, exists, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class Row(NamedTuple):
    """A candidate as the workbench shows it, with its :class:`~workflows.quotas.Candidate`."""

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
    candidate: rules.Candidate
    priority: bool  # R-EV-2: a never-evaluated key project or a one-off project


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


def evaluated_before(session: Session, year: int) -> set[tuple[int, str]]:
    """(unit, project name) pairs with a department evaluation in an earlier year's selection:
    R-EV-2 "以前年度未实施部门评价" is read as "no project of that unit and name was chosen"."""
    return {
        (unit_id, name)
        for unit_id, name in session.execute(
            select(Project.unit_id, Project.name)
            .join(SelectionItem, SelectionItem.project_id == Project.id)
            .where(SelectionItem.category == rules.DEPT_EVAL, SelectionItem.fiscal_year < year)
            .distinct()
        )
    }


def _open_projects(year: int):
    return (Project.fiscal_year == year, Project.stage.not_in(CLOSED_STAGES))


def candidate_ids(
    session: Session, year: int, unit_id: int | None = None, project_ids: list[int] | None = None
) -> list[int]:
    where = [*_open_projects(year)] + ([Project.unit_id == unit_id] if unit_id is not None else [])
    if project_ids is not None:
        where.append(Project.id.in_(project_ids))
    return list(session.scalars(select(Project.id).where(*where).order_by(Project.id)))


def candidates(
    session: Session, year: int, unit_id: int | None = None, project_ids: list[int] | None = None
) -> list[Row]:
    """The year's projects (or those of ``project_ids``: a page) with unit, amount, 项目属性, key
    flag, history and stage (two queries)."""
    history = evaluated_before(session, year)
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
        )
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(*_open_projects(year))
    )
    if unit_id is not None:
        query = query.where(Project.unit_id == unit_id)
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    rows = []
    for (
        pid,
        code,
        name,
        unit_id,
        unit_name,
        amount,
        is_new,
        is_major,
        start,
        end,
        stage,
    ) in session.connection().execute(query):
        amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        one_off = rules.is_one_off(is_new, start, end, year)
        before = (unit_id, name) in history
        candidate = rules.Candidate(pid, unit_id, amount, bool(is_major), one_off, before)
        rows.append(
            Row(
                pid,
                code,
                name,
                unit_id,
                unit_name,
                amount,
                bool(is_new),
                one_off,
                bool(is_major),
                before,
                stage,
                candidate,
                rules.is_priority(candidate),
            )
        )
    return rows


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


def workbench(
    session: Session,
    year: int,
    picked: dict[str, set[int]] | None = None,
    *,
    with_rows: bool = True,
    unit_id: int | None = None,
    project_ids: list[int] | None = None,
) -> Workbench:
    """Everything the workbench shows; ``picked`` checks a choice not saved yet (else the saved one,
    summed by the database); ``with_rows=False`` leaves the candidates out (the checks alone);
    ``unit_id`` lists one unit's candidates (``picked`` is then that unit's ticks, the other
    units' saved ticks kept); ``project_ids`` lists a page of them in that order (``picked`` is
    then that page's ticks)."""
    selection = selection_of(session, year)
    instance_id = selection.instance_id if selection else None
    quotas = quotas_of(session, instance_id)
    rows = candidates(session, year, unit_id, project_ids) if with_rows else []
    if project_ids is None:
        rows.sort(key=lambda r: (r.unit_name, r.unit_id, rules.priority(r.candidate)))
    else:
        position = {pid: i for i, pid in enumerate(project_ids)}
        rows.sort(key=lambda r: position[r.project_id])
    saved = chosen(session, year)
    if picked is not None:
        shown = {r.project_id for r in rows} if unit_id is not None or project_ids is not None else None
        saved = {
            c: ((ids - shown) if shown is not None else set()) | set(picked.get(c, ()))
            if c in rules.TICKED
            else ids
            for c, ids in saved.items()
        }
    bench = Workbench(year, selection, quotas, rows, saved, task_id=open_task_id(session, instance_id))
    bench.last_year_third_party_funds = third_party_funds(session, year - 1)
    if quotas is not None:
        if picked is not None:
            whole = unit_id is None and project_ids is None and with_rows
            every = rows if whole else candidates(session, year)
            bench.checks = check_rows(every, saved, quotas, bench.last_year_third_party_funds)
        else:
            bench.checks = rules.check_totals(
                totals(session, year), quotas, bench.last_year_third_party_funds
            )
    return bench


def units_of(session: Session, year: int) -> list[tuple[int, str]]:
    """The units with candidates in ``year`` (the workbench's unit filter)."""
    return list(
        session.execute(
            select(BudgetUnit.id, BudgetUnit.name)
            .join(Project, Project.unit_id == BudgetUnit.id)
            .where(*_open_projects(year))
            .group_by(BudgetUnit.id, BudgetUnit.name, BudgetUnit.code)
            .order_by(BudgetUnit.code)
        )
    )


def _dec(value) -> Decimal:
    """A sum of 万元 amounts (two decimals; SQLite may hand back a float)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def totals(session: Session, year: int) -> rules.Totals:
    """The saved choice's totals, summed by the database (three grouped queries, no rows)."""
    sums = rules.Totals()
    for unit_id, name, total, count in session.execute(
        select(Project.unit_id, BudgetUnit.name, func.sum(Project.amount), func.count(Project.id))
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(*_open_projects(year))
        .group_by(Project.unit_id, BudgetUnit.name)
    ):
        sums.unit_total[unit_id] = _dec(total)
        sums.unit_names[unit_id] = name
        sums.count += count
    chosen_projects = (
        select(SelectionItem.category, Project.unit_id, Project.amount)
        .join(Project, Project.id == SelectionItem.project_id)
        .where(SelectionItem.fiscal_year == year, *_open_projects(year))
        .subquery()
    )
    for unit_id, funds in session.execute(
        select(chosen_projects.c.unit_id, func.sum(chosen_projects.c.amount))
        .where(chosen_projects.c.category == rules.DEPT_EVAL)
        .group_by(chosen_projects.c.unit_id)
    ):
        sums.unit_chosen[unit_id] = _dec(funds)
    for category, count, funds in session.execute(
        select(chosen_projects.c.category, func.count(), func.sum(chosen_projects.c.amount)).group_by(
            chosen_projects.c.category
        )
    ):
        sums.chosen_count[category] = count
        if category == rules.THIRD_PARTY:
            sums.third_party_funds = _dec(funds)
    return sums


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
