"""扶贫资金项目月度评价 as screens read it (DOMAIN R-AS-2): years, months, a ranking, the sheets.

The performance office, leadership and administrators see every month at every step; once a
month is published (通报) every signed-in user reads its ranking. The items fed back are read
by the overseers (finance too) for every unit, by a unit's people for their own unit only.
Read tables only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock, domain, policy
from ..commands._poverty_facts import KIND_COUNTS
from ..commands._poverty_tables import PROCESS_ID, REVIEW_TASK
from ..errors import NotFound
from ..policy import Actor
from ..store import BudgetUnit, HumanTask, PovertyIssue, PovertyMonth, PovertyScore, ProcessInstance, Project
from .tasks import readable_task

STAFF = frozenset({"performance_office", "leadership", "admin"})
KEY_PREFIX = "poverty-ranking-"
STATUS_NAMES = {
    "not_started": "未纳入",
    "waiting": "未开始",
    "reviewing": "审核中",
    "approving": "待领导审定",
    "published": "已通报",
    "empty": "本月无扶贫项目",
}
# the counts on the sheet, in the order the bureau reads them (each a kind of item fed back)
COUNT_COLUMNS = (
    ("red_lights", "红灯预警"),
    ("amount_errors", "金额填报错误"),
    ("indicator_issues", "绩效指标填报不规范"),
    ("small_projects", "细散小项目"),
)
KIND_NAMES = {
    kind: title for (count, title) in COUNT_COLUMNS for kind, c in KIND_COUNTS.items() if c == count
}


def sees_all(actor: Actor) -> bool:
    return actor.is_system or bool(actor.roles & STAFF)


def reads_every_unit(actor: Actor) -> bool:
    return actor.is_system or bool(actor.roles & policy.OVERSIGHT_ROLES)


@dataclass
class MonthView:
    fiscal_year: int
    month: int
    status: str
    id: int | None = None
    opened_at: datetime | None = None
    published_at: datetime | None = None
    task_id: str | None = None  # the office's or leadership's open task, for the staff who act on it
    task_spec: str | None = None
    items: int = 0  # items fed back, and how many the units rectified
    rectified: int = 0

    @property
    def name(self) -> str:
        return f"{self.fiscal_year}年{self.month}月"

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def opens_on(self) -> date:
        return clock.parse_moment(domain.first_of_next_month(self.fiscal_year, self.month)).date()


@dataclass
class YearView:
    fiscal_year: int
    months: list[MonthView] = field(default_factory=list)


def _month_view(row: PovertyMonth) -> MonthView:
    return MonthView(row.fiscal_year, row.month, row.status, row.id, row.opened_at, row.published_at)


def years(session: Session, actor: Actor) -> list[YearView]:
    """Each year whose monthly evaluation was started, newest first, with its twelve months."""
    found = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key).where(
            ProcessInstance.process_id == PROCESS_ID, ProcessInstance.status != "cancelled"
        )
    ).all()
    instances: dict[tuple[int, int], int] = {}
    for instance_id, key in found:
        year, _, month = (key or "").removeprefix(KEY_PREFIX).partition("-")
        if year.isdigit() and month.isdigit():
            instances.setdefault((int(year), int(month)), instance_id)
    if not instances:
        return []
    years_started = sorted({y for y, _m in instances}, reverse=True)
    rows = {
        (m.fiscal_year, m.month): m
        for m in session.scalars(select(PovertyMonth).where(PovertyMonth.fiscal_year.in_(years_started)))
    }
    tasks = {}
    if sees_all(actor):
        for task in session.execute(
            select(HumanTask.id, HumanTask.instance_id, HumanTask.task_spec).where(
                HumanTask.instance_id.in_(list(instances.values())),
                HumanTask.status == "open",
                HumanTask.task_spec != "pr_rectify",
            )
        ).all():
            tasks[task.instance_id] = task
    counts = _item_counts(session, [r.id for r in rows.values()], actor)
    views = []
    for year in years_started:
        view = YearView(year)
        for month in range(1, 13):
            row = rows.get((year, month))
            if row is not None:
                item = _month_view(row)
            else:
                item = MonthView(year, month, "waiting" if (year, month) in instances else "not_started")
            task = tasks.get(instances.get((year, month)))
            if task is not None:
                item.task_id, item.task_spec = task.id, task.task_spec
            item.items, item.rectified = counts.get(item.id, (0, 0))
            view.months.append(item)
        views.append(view)
    return views


def _issue_scope(actor: Actor):
    """The items the actor reads: every unit's for the overseers, their own unit's for its people."""
    if reads_every_unit(actor):
        return None
    if actor.roles & policy.UNIT_SCOPED_ROLES and actor.unit_id is not None:
        return PovertyIssue.unit_id == actor.unit_id
    return False


def _item_counts(session: Session, month_ids: list[int], actor: Actor) -> dict[int, tuple[int, int]]:
    scope = _issue_scope(actor)
    if not month_ids or scope is False:
        return {}
    query = (
        select(PovertyIssue.month_id, func.count(PovertyIssue.id), func.count(PovertyIssue.rectified_at))
        .where(PovertyIssue.month_id.in_(month_ids))
        .group_by(PovertyIssue.month_id)
    )
    if scope is not None:
        query = query.where(scope)
    return {month_id: (int(total), int(done)) for month_id, total, done in session.execute(query)}


@dataclass
class RankingRow:
    """One unit's row, shaped as the assessment's (rank, unit_name, facts, points, judgement, total)
    so the two rankings share the table macro and the workbook."""

    rank: int | None
    unit_id: int
    unit_name: str
    facts: dict
    points: dict  # the counts of each kind of item
    judgement: Decimal | None  # the office's adjustment
    total: Decimal | None
    deduction: Decimal | None = None
    reason: str | None = None
    supervise: bool = False


@dataclass
class IssueView:
    id: int
    unit_id: int
    unit_name: str
    project_id: int
    project_code: str
    project_name: str
    kind: str
    detail: str
    measure: str | None
    rectified_at: datetime | None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass
class Ranking:
    month: MonthView
    rows: list[RankingRow]
    rules: dict | None
    issues: list[IssueView]
    all_units: bool  # the issues of every unit (overseers) or of the reader's own


def _month(session: Session, actor: Actor, month_id: int) -> PovertyMonth:
    month = session.get(PovertyMonth, month_id)
    if month is None or not (month.published or sees_all(actor)):
        raise NotFound("月度评价不存在")
    return month


def issues_of(session: Session, month_id: int, *, unit_id: int | None = None, scope=None) -> list[IssueView]:
    query = (
        select(PovertyIssue, BudgetUnit.name, Project.code, Project.name)
        .join(BudgetUnit, BudgetUnit.id == PovertyIssue.unit_id)
        .join(Project, Project.id == PovertyIssue.project_id)
        .where(PovertyIssue.month_id == month_id)
        .order_by(BudgetUnit.code, Project.code, PovertyIssue.id)
    )
    if unit_id is not None:
        query = query.where(PovertyIssue.unit_id == unit_id)
    if scope is not None:
        query = query.where(scope)
    return [
        IssueView(
            i.id, i.unit_id, unit, i.project_id, code, name, i.kind, i.detail, i.measure, i.rectified_at
        )
        for i, unit, code, name in session.execute(query)
    ]


def ranking(session: Session, actor: Actor, month_id: int) -> Ranking:
    """A month's sheet as ranked (before publication only the staff may read it), with the items
    the reader may see."""
    month = _month(session, actor, month_id)
    found = session.execute(
        select(PovertyScore, BudgetUnit.name)
        .join(BudgetUnit, BudgetUnit.id == PovertyScore.unit_id)
        .where(PovertyScore.month_id == month.id)
    ).all()
    rows = [
        RankingRow(
            score.rank,
            score.unit_id,
            name,
            score.facts or {},
            {key: int((score.facts or {}).get(key) or 0) for key, _t in COUNT_COLUMNS},
            score.adjustment,
            score.total,
            score.deduction,
            score.adjustment_reason,
            bool(score.supervise),
        )
        for score, name in found
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit_name))
    scope = _issue_scope(actor)
    issues = [] if scope is False else issues_of(session, month.id, scope=scope)
    return Ranking(_month_view(month), rows, month.rules, issues, scope is None)


def unit_row(session: Session, actor: Actor, month_id: int, unit_id: int) -> tuple[Ranking, RankingRow]:
    """One unit's row of a month's ranking (as :func:`ranking` lets the reader see it), with only
    that unit's items among those the reader may see."""
    found = ranking(session, actor, month_id)
    row = next((r for r in found.rows if r.unit_id == unit_id), None)
    if row is None:
        raise NotFound("该单位本月没有扶贫资金项目评价")
    found.issues = [i for i in found.issues if i.unit_id == unit_id]
    return found, row


def review_sheet(
    session: Session, actor: Actor, task_id: str
) -> tuple[HumanTask, MonthView, list[dict], list[IssueView]]:
    """The office's open review task, its month, the pre-filled rows and every unit's items."""
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or task.process_id != PROCESS_ID or task.task_spec != REVIEW_TASK or not sees_all(actor):
        raise NotFound("月度评价审核任务不存在")
    month = session.scalar(select(PovertyMonth).where(PovertyMonth.instance_id == task.instance_id))
    if month is None:
        raise NotFound("月度评价不存在")
    view = _month_view(month)
    view.task_id, view.task_spec = task.id, task.task_spec
    return task, view, list((task.draft or {}).get("units") or []), issues_of(session, month.id)


def month_rules(session: Session, month_id: int | None) -> dict:
    """The rules (DMN ``poverty_fund_rules``) the month opened with."""
    return session.scalar(select(PovertyMonth.rules).where(PovertyMonth.id == month_id)) or {}


def rectify_sheet(
    session: Session, actor: Actor, task_id: str
) -> tuple[HumanTask, MonthView, list[IssueView]]:
    """A unit's rectification task (as the reader may read it), its month and the unit's items."""
    task = readable_task(session, actor, task_id)
    if task.process_id != PROCESS_ID or task.task_spec != "pr_rectify":
        raise NotFound("整改任务不存在")
    month = session.scalar(select(PovertyMonth).where(PovertyMonth.instance_id == task.instance_id))
    if month is None:
        raise NotFound("月度评价不存在")
    return task, _month_view(month), issues_of(session, month.id, unit_id=task.unit_id)


def task_page(session: Session, task_id: str) -> tuple[str, str] | None:
    """Which page a task of this process is done on: ("review" | "rectify", task id), or None."""
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or task.process_id != PROCESS_ID:
        return None
    if task.task_spec == REVIEW_TASK:
        return "review", task.id
    if task.task_spec == "pr_rectify":
        return "rectify", task.id
    return None
