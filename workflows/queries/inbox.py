"""Inbox read queries (DESIGN 2 ``inbox``): tasks for a user, filters, counts, overdue.

They read only the indexed read tables (``human_task``, ``project``, ``budget_unit``) and
never deserialize a workflow. Counts are capped (``COUNT_CAP``) so a reviewer who can see
a whole province's backlog gets "1000+" in constant time instead of a full count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session

from .. import clock
from ..policy import PROCESS_STARTERS, Actor, claimable_clause, readable_task_clause
from ..store import (
    BudgetUnit,
    HumanTask,
    PovertyMonth,
    ProcessDefinition,
    ProcessInstance,
    Project,
    SavedFilter,
)
from . import returns
from .annual_reports import report_title

SCOPES = ("mine", "claimable", "overdue", "completed")
SORTS = ("due", "created", "priority")
COUNT_CAP = 1000
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class InboxFilter:
    """Filters of the inbox (all optional); ``q`` searches project name and code."""

    process: str | None = None
    unit: int | None = None
    year: int | None = None
    fund_type: str | None = None
    overdue: bool | None = None
    q: str | None = None

    @classmethod
    def from_params(cls, params: dict) -> InboxFilter:
        """Build from query parameters, ignoring what does not parse."""

        def as_int(name):
            try:
                return int(params.get(name)) if params.get(name) not in (None, "") else None
            except (TypeError, ValueError):
                return None

        overdue = params.get("overdue")
        return cls(
            process=(params.get("process") or None),
            unit=as_int("unit"),
            year=as_int("year"),
            fund_type=(params.get("fund_type") or None),
            overdue=True if str(overdue).lower() in ("1", "true", "on", "yes") else None,
            q=(str(params.get("q")).strip()[:100] or None) if params.get("q") else None,
        )

    def as_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass
class InboxRow:
    id: str
    title: str
    task_spec: str
    process_id: str
    instance_id: int
    role: str | None
    assignee: str | None
    priority: int
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    status: str
    project_id: int | None
    project_code: str | None
    project_name: str | None
    unit_id: int | None
    unit_name: str | None
    fiscal_year: int | None
    amount: Decimal | None
    fund_type: str | None
    returned: bool = False  # it came back to its owner (退回): as the task page's banner has it
    # a poverty-fund task has no project: the month it evaluates stands in its place (R-AS-2)
    poverty_month_id: int | None = None
    poverty_year: int | None = None
    poverty_month: int | None = None
    report_title: str | None = None  # an annual report's task: the report it is about


@dataclass
class InboxPage:
    items: list[InboxRow]
    total: int
    capped: bool
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)


def _scope_clause(actor: Actor, scope: str, now: datetime):
    mine = and_(HumanTask.status == "open", HumanTask.assignee == actor.username)
    if scope == "mine":
        return mine
    if scope == "claimable":
        return claimable_clause(actor)
    if scope == "overdue":
        return and_(
            HumanTask.status == "open",
            HumanTask.due_at < now,
            or_(HumanTask.assignee == actor.username, claimable_clause(actor)),
        )
    if scope == "completed":
        return and_(HumanTask.status == "completed", HumanTask.completed_by == actor.username)
    raise ValueError(f"unknown inbox scope {scope!r}")


def _filtered(query, filters: InboxFilter, now: datetime):
    if filters.process:
        query = query.where(HumanTask.process_id == filters.process)
    if filters.unit is not None:
        query = query.where(HumanTask.unit_id == filters.unit)
    if filters.overdue:
        query = query.where(HumanTask.due_at < now)
    needs_project = filters.year is not None or filters.fund_type or filters.q
    if filters.year is not None:
        query = query.where(Project.fiscal_year == filters.year)
    if filters.fund_type:
        query = query.where(Project.fund_type == filters.fund_type)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(Project.name.like(pattern, escape="\\"), Project.code.like(pattern, escape="\\"))
        )
    return query, bool(needs_project)


def count(session: Session, actor: Actor, scope: str, filters: InboxFilter | None = None, *, now=None) -> int:
    """How many tasks a tab holds, at most ``COUNT_CAP + 1`` (shown as "1000+")."""
    now = now or clock.now()
    filters = filters or InboxFilter()
    # selecting a constant lets the database answer from the index alone (index-only scan)
    inner = select(literal(1)).select_from(HumanTask).where(_scope_clause(actor, scope, now))
    inner, needs_project = _filtered(inner, filters, now)
    if needs_project:
        inner = inner.join(Project, Project.id == HumanTask.project_id)
    inner = inner.limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def counts(session: Session, actor: Actor, filters: InboxFilter | None = None, *, now=None) -> dict[str, int]:
    now = now or clock.now()
    return {scope: count(session, actor, scope, filters, now=now) for scope in SCOPES}


# a header clicked first sorts by its natural order (soonest due, newest, most urgent); again flips
NATURAL_DESCENDING = {"due": False, "created": True, "priority": True}


def _order(scope: str, sort: str, descending: bool | None = None):
    if scope == "completed":
        return [HumanTask.completed_at.desc(), HumanTask.id]
    descending = NATURAL_DESCENDING[sort] if descending is None else descending
    column = {"due": HumanTask.due_at, "created": HumanTask.created_at, "priority": HumanTask.priority}[sort]
    # a task without a due date is never more pressing than one with: last, whichever way
    # (SQLite sorts NULL first ascending, PostgreSQL first descending)
    terms = [(column.desc() if descending else column.asc()).nulls_last()]
    if sort == "priority":
        terms.append(HumanTask.due_at.asc().nulls_last())
    return [*terms, HumanTask.id]


def tasks(
    session: Session,
    actor: Actor,
    scope: str = "mine",
    filters: InboxFilter | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "due",
    descending: bool | None = None,
    now: datetime | None = None,
) -> InboxPage:
    """One page of a tab, sorted by due date by default, with its (capped) total."""
    now = now or clock.now()
    filters = filters or InboxFilter()
    page = max(1, int(page))
    per_page = max(1, min(MAX_PER_PAGE, int(per_page)))
    query = (
        select(
            HumanTask,
            Project.code,
            Project.name,
            Project.fiscal_year,
            Project.amount,
            Project.fund_type,
            BudgetUnit.name,
            PovertyMonth.id,
            PovertyMonth.fiscal_year,
            PovertyMonth.month,
        )
        .outerjoin(Project, Project.id == HumanTask.project_id)
        .outerjoin(BudgetUnit, BudgetUnit.id == HumanTask.unit_id)
        .outerjoin(PovertyMonth, PovertyMonth.instance_id == HumanTask.instance_id)
        .where(_scope_clause(actor, scope, now))
    )
    query, _ = _filtered(query, filters, now)
    query = query.order_by(*_order(scope, sort if sort in SORTS else "due", descending))
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    items = [
        InboxRow(
            id=t.id,
            title=t.title,
            task_spec=t.task_spec,
            process_id=t.process_id,
            instance_id=t.instance_id,
            role=t.role,
            assignee=t.assignee,
            priority=t.priority,
            due_at=t.due_at,
            created_at=t.created_at,
            completed_at=t.completed_at,
            status=t.status,
            project_id=t.project_id,
            project_code=code,
            project_name=name,
            unit_id=t.unit_id,
            unit_name=unit_name,
            fiscal_year=year,
            amount=amount,
            fund_type=fund_type,
            poverty_month_id=month_id,
            poverty_year=month_year,
            poverty_month=month,
        )
        for t, code, name, year, amount, fund_type, unit_name, month_id, month_year, month in rows
    ]
    _name_reports(session, items)
    if scope != "completed":
        returned = returns.returned_tasks(session, items)
        for row in items:
            row.returned = row.id in returned
    total = count(session, actor, scope, filters, now=now)
    return InboxPage(items, min(total, COUNT_CAP), total > COUNT_CAP, page, per_page)


def due_state(due_at: datetime | None, now: datetime | None = None) -> str | None:
    """``overdue`` (red), ``soon`` (amber: within 3 days) or None."""
    if due_at is None:
        return None
    now = now or clock.now()
    if due_at < now:
        return "overdue"
    if (due_at - now).total_seconds() <= 3 * 86400:
        return "soon"
    return None


def saved_filters(session: Session, username: str) -> list[SavedFilter]:
    return list(
        session.scalars(select(SavedFilter).where(SavedFilter.username == username).order_by(SavedFilter.id))
    )


def filter_choices(session: Session, actor: Actor | None = None) -> tuple[list, list[str]]:
    """The units and processes the filter bar offers: to whoever may start any process every
    unit and every deployed process; to anyone else the units and processes of the tasks they
    may read (a unit's clerk is offered neither other units nor a demonstration process nobody
    ever gave them a task of)."""
    units = select(BudgetUnit.id, BudgetUnit.name).order_by(BudgetUnit.code)
    if actor is None or actor.is_admin or actor.roles & PROCESS_STARTERS:
        processes = set(session.scalars(select(ProcessDefinition.process_id)))
        return session.execute(units).all(), sorted(processes)
    # the units too are those of the tasks they may read: a unit's clerk is offered their own unit
    pairs = session.execute(
        select(HumanTask.process_id, HumanTask.unit_id).where(readable_task_clause(actor)).distinct()
    ).all()
    unit_ids = sorted({unit_id for _process, unit_id in pairs if unit_id is not None})
    return session.execute(units.where(BudgetUnit.id.in_(unit_ids))).all(), sorted({p for p, _u in pairs})


def _name_reports(session: Session, items: list) -> None:
    """An annual report's task names its report (2026年度预算绩效评价结果报告), not a project."""
    ids = sorted({row.instance_id for row in items if row.process_id == "annual_report"})
    if not ids:
        return
    keys = dict(
        session.execute(
            select(ProcessInstance.id, ProcessInstance.business_key).where(ProcessInstance.id.in_(ids))
        ).all()
    )
    for row in items:
        if row.instance_id in keys:
            row.report_title = report_title(keys[row.instance_id])
