"""公开 the disclosure register and the public page of a fiscal year (R-TG-3, R-RA-4, R-EV-4, R-AS-1).

The register lists what must be published, when it is due, whether and when it was; sensitive
items are left out (only counted). The public page shows published items only, never a
sensitive one (checked again here, in case a project was marked after publication).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..commands._disclosure_items import project_items, sensitive_projects
from ..policy import Actor
from ..store import AssessmentCycle, AuditEvent, BudgetUnit, Disclosure, DisclosureDue, HumanTask, Project
from . import assessment
from .exports import Column, _new_workbook, _saved, _Sheet
from .paging import Order, Page, page_list, sort_list

KIND_NAMES = {
    "targets": "绩效目标（随预算公开）",
    "results": "绩效评价结果（随决算公开）",
    "key_report": "重点绩效评价报告",
    "ranking_july": "7月单位考核通报",
    "ranking_december": "12月单位考核通报",
}


@dataclass
class RegisterRow:
    kind: str
    subject_id: int | None  # the project, or the cycle for a ranking
    title: str
    unit_name: str | None
    due_on: date | None
    published_at: datetime | None
    publishable: bool  # the office may publish it now (a project's item not yet published)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass
class Register:
    fiscal_year: int
    rows: list[RegisterRow]
    sensitive_count: int


# the register's sortable columns (issue 12, item 7); by kind then title by default
REGISTER_SORTS = {
    "kind": lambda r: (list(KIND_NAMES).index(r.kind), r.title),
    "title": lambda r: r.title,
    "unit": lambda r: r.unit_name or "",
    "due": lambda r: r.due_on,
    "published": lambda r: r.published_at,
}
REGISTER_DEFAULT = Order("kind")


def register_page(register_: Register, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    return page_list(register_.rows, REGISTER_SORTS, order, REGISTER_DEFAULT, page=page, per_page=per_page)


REGISTER_COLUMNS = (
    Column("事项", 26),
    Column("内容", 44),
    Column("单位", 28),
    Column("公开期限", 14),
    Column("公开情况", 22),
)


def register_workbook(register_: Register, order: Order) -> bytes:
    """信息公开登记表 in the order shown (sensitive items are never in the register)."""
    book = _new_workbook()
    sheet = _Sheet(
        book, "信息公开登记", f"{register_.fiscal_year}年度预算绩效信息公开登记表", REGISTER_COLUMNS
    )
    ranked, _order = sort_list(register_.rows, REGISTER_SORTS, order, REGISTER_DEFAULT)
    for r in ranked:
        published = (
            r.published_at.astimezone(clock.CHINA).strftime("已公开 %Y-%m-%d") if r.published_at else "未公开"
        )
        sheet.row(
            [
                r.kind_name,
                r.title,
                r.unit_name or "财政局",
                r.due_on.isoformat() if r.due_on else "未定",
                published,
            ]
        )
    return _saved(book)


def register(session: Session, year: int) -> Register:
    items = project_items(session, year)
    due = {
        d.kind: d.due_on
        for d in session.scalars(select(DisclosureDue).where(DisclosureDue.fiscal_year == year))
    }
    published = {
        (d.kind, d.subject_id): d.published_at
        for d in session.scalars(select(Disclosure).where(Disclosure.fiscal_year == year))
    }
    names = dict(
        session.execute(
            select(Project.id, Project.code + " " + Project.name).where(
                Project.id.in_({i.project_id for i in items})
            )
        ).all()
    )
    units = dict(
        session.execute(
            select(Project.id, BudgetUnit.name)
            .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
            .where(Project.id.in_({i.project_id for i in items}))
        ).all()
    )
    rows = []
    for item in items:
        if item.sensitive:
            continue
        at = published.get((item.kind, item.project_id))
        rows.append(
            RegisterRow(
                item.kind,
                item.project_id,
                names[item.project_id],
                units[item.project_id],
                due.get(item.kind),
                at,
                at is None,
            )
        )
    for cycle in session.scalars(select(AssessmentCycle).where(AssessmentCycle.fiscal_year == year)):
        kind = f"ranking_{cycle.cycle}"
        title = f"{year}年{assessment.CYCLE_NAMES[cycle.cycle]}部门预算绩效管理工作考核结果"
        rows.append(RegisterRow(kind, cycle.id, title, None, due.get(kind), cycle.published_at, False))
    order = list(KIND_NAMES)
    rows.sort(key=lambda r: (order.index(r.kind), r.title))
    return Register(year, rows, sum(1 for i in items if i.sensitive))


def register_years(session: Session) -> list[int]:
    found = set(session.scalars(select(Project.fiscal_year).distinct())) | set(
        session.scalars(select(DisclosureDue.fiscal_year).distinct())
    )
    return sorted(found, reverse=True)


# --- the public page --------------------------------------------------------------------------


@dataclass
class PublicProject:
    code: str
    name: str
    unit_name: str
    amount: object
    score: object = None
    grade: str | None = None
    content: dict | None = None  # the targets as approved, or the key-evaluation report


@dataclass
class PublicYear:
    fiscal_year: int
    targets: list[PublicProject]
    results: list[PublicProject]
    key_reports: list[PublicProject]
    rankings: list  # assessment.Ranking of each published cycle


def _latest_task_data(session: Session, project_ids: list[int], task_spec: str) -> dict[int, dict]:
    """The data of each project's latest completion of ``task_spec`` (from the audit log)."""
    tasks = dict(
        session.execute(
            select(HumanTask.id, HumanTask.project_id).where(
                HumanTask.project_id.in_(project_ids),
                HumanTask.task_spec == task_spec,
                HumanTask.status == "completed",
            )
        ).all()
    )
    if not tasks:
        return {}
    latest = {}
    for task_id, data in session.execute(
        select(AuditEvent.task_id, AuditEvent.data)
        .where(AuditEvent.task_id.in_(list(tasks)), AuditEvent.action == "task.completed")
        .order_by(AuditEvent.id)
    ).all():
        latest[tasks[task_id]] = (data or {}).get("data") or {}
    return latest


def public_year(session: Session, year: int) -> PublicYear:
    """What the public may read of ``year``: published items only, sensitive ones never."""
    published = session.execute(
        select(Disclosure.kind, Project)
        .join(Project, Project.id == Disclosure.subject_id)
        .where(Disclosure.fiscal_year == year)
    ).all()
    ids = sorted({p.id for _, p in published})
    hidden = sensitive_projects(session, ids) if ids else set()
    unit_names = dict(session.execute(select(BudgetUnit.id, BudgetUnit.name)).all())
    targets_data = _latest_task_data(session, ids, "tg_set")
    reports = _latest_task_data(session, ids, "ev_third_party")
    shown: dict[str, list[PublicProject]] = {"targets": [], "results": [], "key_report": []}
    for kind, project in sorted(published, key=lambda r: r[1].code):
        if project.id in hidden:
            continue
        content = targets_data.get(project.id) if kind == "targets" else reports.get(project.id)
        shown[kind].append(
            PublicProject(
                project.code,
                project.name,
                unit_names.get(project.unit_id, ""),
                project.amount,
                project.score if kind != "targets" else None,
                project.grade if kind == "results" else None,
                content if kind != "results" else None,
            )
        )
    rankings = [
        assessment.ranking(session, _PUBLIC, cycle_id)
        for cycle_id in assessment.published_cycles(session, year)
    ]
    return PublicYear(year, shown["targets"], shown["results"], shown["key_report"], rankings)


def public_years(session: Session) -> list[int]:
    found = set(session.scalars(select(Disclosure.fiscal_year).distinct())) | set(
        session.scalars(
            select(AssessmentCycle.fiscal_year).where(AssessmentCycle.published.is_(True)).distinct()
        )
    )
    return sorted(found, reverse=True)


_PUBLIC = Actor("public")
