"""审计日志 the audit log as a list (issue 12, item 7): paged, sorted and filtered in SQL, by date
range (China time), actor, project code and action, as the reader may read it
(:func:`workflows.policy.audit_event_clause`); the same ordered query feeds the Excel file. The
chain check is a command (``commands.verify_audit_log``): it moves the verification checkpoints.

Action and process names a reader sees come from the caller (``names``), so the web layer's
labels serve the file too and this module stays free of Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from ..store import AuditEvent, ProcessInstance, Project, User
from .exports import Column, _new_workbook, _saved, _Sheet
from .paging import Order, Page, Sorts, count, ordered, page_of

MAX_ACTOR, MAX_CODE, MAX_ACTION = 80, 40, 60

SORTS = Sorts(
    {
        "at": (AuditEvent.at, AuditEvent.id),
        "actor": AuditEvent.actor,
        "action": AuditEvent.action,
        "process": ProcessInstance.process_id,
        "project": Project.code,
    },
    default=Order("at", descending=True),
    tiebreak=(AuditEvent.id,),
)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def _text(value, limit: int) -> str | None:
    text = str(value or "").strip()
    return text[:limit] if text else None


@dataclass(frozen=True)
class AuditFilter:
    """Which events the list covers; ``None`` means any. Dates are China dates, both included."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str | None = None  # a username or its beginning, or part of a display name (张三)
    project: str | None = None  # a project code, or its beginning
    action: str | None = None  # one action (``task.completed``)
    event: int | None = None  # one event (the first break ``verify`` found)

    @classmethod
    def from_args(cls, args: Mapping) -> AuditFilter:
        """From a query string; a value that does not parse is no filter (the page checks the
        form first and names the field)."""
        event = str(args.get("event") or "").strip()
        return cls(
            date_from=_date(args.get("date_from")),
            date_to=_date(args.get("date_to")),
            actor=_text(args.get("actor"), MAX_ACTOR),
            project=_text(args.get("project"), MAX_CODE),
            action=_text(args.get("action"), MAX_ACTION),
            event=int(event) if event.isdigit() and int(event) < 2**63 else None,
        )

    def as_args(self) -> dict:
        args = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in args.items() if v is not None}

    def conditions(self) -> list:
        found = []
        if self.date_from is not None:
            found.append(AuditEvent.at >= _day_start(self.date_from))
        if self.date_to is not None:
            found.append(AuditEvent.at < _day_start(self.date_to + timedelta(days=1)))
        if self.actor:
            found.append(actor_clause(self.actor))
        if self.project:
            found.append(Project.code.startswith(self.project, autoescape=True))
        if self.action:
            found.append(AuditEvent.action == self.action)
        if self.event is not None:
            found.append(AuditEvent.id == self.event)
        return found


def actor_clause(text: str):
    """Events by the user whose login begins with ``text`` (``zhang``) or whose name contains
    it (张三, 住建局): the clerk types what the page shows. Names become logins first, so the
    events are still found through ``ix_audit_event_actor``."""
    named = select(User.username).where(User.display_name.contains(text, autoescape=True))
    return or_(AuditEvent.actor.startswith(text, autoescape=True), AuditEvent.actor.in_(named))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA)


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str
    action: str
    instance_id: int | None
    task_id: str | None
    process_id: str | None
    project_id: int | None
    project_code: str | None
    project_name: str | None
    kept_for: str | None  # a draft saved with an upload, a comment or a refused submit (save_draft)


def _project_id():
    """The event's project: its instance's, or, for ``project.created`` (written before the
    project's first instance, on the system chain), the one its data names."""
    return case(
        (AuditEvent.action == "project.created", AuditEvent.data["project"].as_integer()),
        else_=ProcessInstance.project_id,
    )


def query(actor: Actor, filters: AuditFilter) -> Select:
    return (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.instance_id,
            AuditEvent.task_id,
            ProcessInstance.process_id,
            Project.id.label("project_id"),
            Project.code.label("project_code"),
            Project.name.label("project_name"),
            AuditEvent.data["kept_for"].as_string().label("kept_for"),
        )
        .select_from(AuditEvent)
        .outerjoin(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .outerjoin(Project, Project.id == _project_id())
        .where(policy.audit_event_clause(actor, AuditEvent.instance_id), *filters.conditions())
    )


def page(
    session: Session, actor: Actor, filters: AuditFilter, order: Order, *, page: int = 1, per_page: int = 50
) -> Page:
    found = page_of(session, query(actor, filters), SORTS, order, page=page, per_page=per_page, scalars=False)
    found.items = [Entry(*row) for row in found.items]
    return found


def total(session: Session, actor: Actor, filters: AuditFilter) -> int:
    return count(session, query(actor, filters))


COLUMNS = (
    Column("序号", 10, "0"),
    Column("时间", 20, "yyyy-mm-dd hh:mm:ss"),
    Column("操作人", 18),
    Column("登录名", 14),
    Column("操作", 22),
    Column("流程", 26),
    Column("项目编码", 16),
    Column("项目名称", 34),
    Column("流程实例", 10, "0"),
)


def workbook(
    session: Session, actor: Actor, filters: AuditFilter, order: Order, names: Mapping, progress=None
) -> bytes:
    """审计日志 as listed, in the page's order; people by their Chinese names (the login beside),
    actions and processes by theirs, times as China-time date cells."""
    action_name = names.get("action", str)
    process_name = names.get("process", str)
    person_name = names.get("person", str)  # accounts that are not people (系统定时任务)
    book = _new_workbook()
    sheet = _Sheet(book, "审计日志", "审计日志", COLUMNS)
    listed = (
        query(actor, filters)
        .add_columns(User.display_name)
        .outerjoin(User, User.username == AuditEvent.actor)
    )
    rows = session.execute(ordered(listed, SORTS, order).execution_options(yield_per=1000))
    people: dict[str, str] = {}
    for done, (*row, display_name) in enumerate(rows, start=1):
        entry = Entry(*row)
        if entry.actor not in people:
            people[entry.actor] = display_name or str(person_name(entry.actor))
        sheet.row(
            [
                entry.id,
                entry.at.astimezone(clock.CHINA).replace(tzinfo=None),  # Excel holds no time zone
                people[entry.actor],
                entry.actor,
                str(action_name(entry.action)),
                str(process_name(entry.process_id)) if entry.process_id else None,
                entry.project_code,
                entry.project_name,
                entry.instance_id,
            ]
        )
        if progress is not None and done % 1000 == 0:
            progress(done)
    return _saved(book)
