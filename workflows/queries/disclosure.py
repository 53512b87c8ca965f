"""公开 the disclosure register and the public page of a fiscal year (R-TG-3, R-RA-4, R-EV-4, R-AS-1).

The register lists what must be published, when it is due, whether and when it was; a sensitive
item is listed as withheld (不予公开) for the staff, on the page, in the workbook and in the API,
with the reason given at the results feedback. The public page shows published items only, never
a sensitive one (checked again here, in case a project was marked after publication).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, case, exists, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from .. import clock
from ..commands._disclosure_items import APPROVED_STAGES, PROJECT_KINDS, sensitive_projects
from ..policy import Actor
from ..store import AssessmentCycle, AuditEvent, BudgetUnit, Disclosure, DisclosureDue, HumanTask, Project
from . import assessment
from .exports import Column, _new_workbook, _saved, _Sheet
from .paging import Order, Page, Sorts, count, ordered, page_of

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
    sensitive: bool = False  # 涉密不公开: withheld (R-RA-4), shown to the staff, never published
    withheld: str | None = None  # for a sensitive item: 不予公开（涉密或敏感）：‹说明›, as the workbook says
    withheld_reason: str | None = None  # the 说明 given at the results feedback

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass
class Register:
    fiscal_year: int
    rows: list[RegisterRow]
    sensitive_count: int


# the register's sortable columns (issue 12, item 7); by kind then title by default
REGISTER_SORTS = ("kind", "title", "unit", "due", "published")
REGISTER_DEFAULT = Order("kind")


def _sensitive(session: Session, year: int) -> set[int]:
    """The year's projects whose results were marked 涉密或敏感 (R-RA-4): read from the audit
    data of the fed-back projects only."""
    fed_back = list(
        session.scalars(
            select(HumanTask.project_id)
            .join(Project, Project.id == HumanTask.project_id)
            .where(
                Project.fiscal_year == year,
                HumanTask.task_spec == "ra_feedback",
                HumanTask.status == "completed",
            )
            .distinct()
        )
    )
    return sensitive_projects(session, fed_back) if fed_back else set()


def _done(task_spec: str):
    return exists(
        select(HumanTask.id).where(
            HumanTask.project_id == Project.id,
            HumanTask.task_spec == task_spec,
            HumanTask.status == "completed",
        )
    )


def _due(year: int, kind):
    return (
        select(DisclosureDue.due_on)
        .where(DisclosureDue.fiscal_year == year, DisclosureDue.kind == kind)
        .scalar_subquery()
    )


# what each kind of project item needs (``_disclosure_items.project_items``, as SQL)
_PROJECT_KINDS = {
    "targets": lambda: Project.stage.in_(APPROVED_STAGES),
    "results": lambda: _done("ra_feedback"),
    "key_report": lambda: _done("ev_third_party"),
}


def _items(year: int, sensitive: set[int], *, of_sensitive: bool = False, with_sensitive: bool = False):
    """Every item of the register as one SQL union (a subquery): the projects' items (sensitive
    ones left out, only those with ``of_sensitive``, or marked with ``with_sensitive``) and the
    assessment cycles' rankings."""
    order = {kind: i for i, kind in enumerate(KIND_NAMES)}
    parts = []
    for kind, condition in _PROJECT_KINDS.items():
        published = (
            select(Disclosure.published_at)
            .where(
                Disclosure.fiscal_year == year, Disclosure.kind == kind, Disclosure.subject_id == Project.id
            )
            .scalar_subquery()
        )
        chosen = Project.id.in_(sorted(sensitive)) if of_sensitive else Project.id.not_in(sorted(sensitive))
        withheld = case((Project.id.in_(sorted(sensitive)), 1), else_=0) if sensitive else literal(0)
        kept = [chosen] if (sensitive or of_sensitive) and not with_sensitive else []
        parts.append(
            select(
                published.label("published_at"),
                literal(kind).label("kind"),
                literal(order[kind]).label("kind_order"),
                Project.id.label("subject_id"),
                (Project.code + " " + Project.name).label("title"),
                BudgetUnit.name.label("unit_name"),
                _due(year, kind).label("due_on"),
                withheld.label("sensitive"),
            )
            .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
            .where(Project.fiscal_year == year, condition(), *kept)
        )
    if not of_sensitive:
        kind = literal("ranking_") + AssessmentCycle.cycle
        names = {
            c: f"{year}年{assessment.CYCLE_NAMES[c]}部门预算绩效管理工作考核结果"
            for c in ("july", "december")
        }
        parts.append(
            select(
                AssessmentCycle.published_at.label("published_at"),
                kind.label("kind"),
                case(*((AssessmentCycle.cycle == c, order[f"ranking_{c}"]) for c in names)).label(
                    "kind_order"
                ),
                AssessmentCycle.id.label("subject_id"),
                case(*((AssessmentCycle.cycle == c, title) for c, title in names.items())).label("title"),
                null().cast(String).label("unit_name"),
                _due(year, kind).label("due_on"),
                literal(0).label("sensitive"),
            ).where(AssessmentCycle.fiscal_year == year, AssessmentCycle.cycle.in_(list(names)))
        )
    return union_all(*parts).subquery("register_item")


def _sorts(items) -> Sorts:
    c = items.c
    return Sorts(
        {
            "kind": (c.kind_order, c.title),
            "title": c.title,
            "unit": func.coalesce(c.unit_name, ""),
            "due": c.due_on,
            "published": c.published_at,
        },
        default=REGISTER_DEFAULT,
        tiebreak=(c.kind_order, c.subject_id),
    )


def _row(item) -> RegisterRow:
    return RegisterRow(
        item.kind,
        item.subject_id,
        item.title,
        item.unit_name,
        item.due_on,
        item.published_at,
        item.published_at is None and item.kind in PROJECT_KINDS and not item.sensitive,
        bool(item.sensitive),
    )


def sensitive_count(session: Session, year: int) -> int:
    """How many items the register leaves out as 涉密或敏感 (R-RA-4)."""
    sensitive = _sensitive(session, year)
    return count(session, select(_items(year, sensitive, of_sensitive=True))) if sensitive else 0


def register_page(session: Session, year: int, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    """A page of the register in ``order``, paged and sorted by the database; an item withheld as
    涉密或敏感 is listed as such (staff see why it is not on the public page)."""
    items = _items(year, _sensitive(session, year), with_sensitive=True)
    found = page_of(session, select(items), _sorts(items), order, page=page, per_page=per_page, scalars=False)
    found.items = [_row(i) for i in found.items]
    return found


def _ordered_rows(
    session: Session, year: int, order: Order, *, with_sensitive: bool = False
) -> list[RegisterRow]:
    items = _items(year, _sensitive(session, year), with_sensitive=with_sensitive)
    return [_row(i) for i in session.execute(ordered(select(items), _sorts(items), order))]


REGISTER_COLUMNS = (
    Column("事项", 26),
    Column("内容", 44),
    Column("单位", 28),
    Column("公开期限", 14, "yyyy-mm-dd"),
    Column("公开情况", 34),
)


def _withheld(row: RegisterRow, reasons: dict[int, str]) -> str:
    """公开情况 of a sensitive item (R-RA-4): 不予公开, with the 说明 given at the results feedback."""
    reason = reasons.get(row.subject_id, "")
    return f"不予公开（涉密或敏感）：{reason}" if reason else "不予公开（涉密或敏感）"


def _mark_withheld(session: Session, rows: list[RegisterRow]) -> list[RegisterRow]:
    """``rows`` with each sensitive item's ``withheld`` marking and reason (R-RA-4)."""
    withheld = sorted({r.subject_id for r in rows if r.sensitive})
    feedback = _latest_task_data(session, withheld, "ra_feedback") if withheld else {}
    reasons = {pid: str(data.get("ra_comment") or "").strip() for pid, data in feedback.items()}
    for r in rows:
        if r.sensitive:
            r.withheld, r.withheld_reason = _withheld(r, reasons), reasons.get(r.subject_id) or None
    return rows


def register_workbook(session: Session, year: int, order: Order) -> bytes:
    """信息公开登记表 in the order shown, as the page lists it: the 公开期限 a date cell, an item past
    it and not published marked 已逾期 as on the page, an item withheld as 涉密或敏感 marked 不予公开
    with the reason recorded at the results feedback (the public page never shows it)."""
    book = _new_workbook()
    sheet = _Sheet(book, "信息公开登记", f"{year}年度预算绩效信息公开登记表", REGISTER_COLUMNS)
    today = clock.now().astimezone(clock.CHINA).date()
    for r in _mark_withheld(session, _ordered_rows(session, year, order, with_sensitive=True)):
        if r.sensitive:
            published = r.withheld
        elif r.published_at:
            published = r.published_at.astimezone(clock.CHINA).strftime("已公开 %Y-%m-%d")
        else:
            published = "未公开（已逾期）" if r.due_on and r.due_on < today else "未公开"
        sheet.row([r.kind_name, r.title, r.unit_name or "财政局", r.due_on or "未定", published])
    return _saved(book)


def register(session: Session, year: int) -> Register:
    """The whole register of ``year`` by kind then title (the API's answer): as the workbook, an
    item withheld as 涉密或敏感 is listed, marked 不予公开 with its reason, never publishable."""
    rows = _mark_withheld(session, _ordered_rows(session, year, REGISTER_DEFAULT, with_sensitive=True))
    return Register(year, rows, sum(1 for r in rows if r.sensitive))


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
