"""考核 Assessment of units (DOMAIN 6 R-AS-1) and 公开 publication of the year's items.

``start_assessment_year`` starts the year's ``unit_assessment`` instance (idempotent: a second
call returns the first instance); its timers open the July and December cycles. ``score_cycle``
completes a cycle's scoring task with the office's judgement on the pre-filled sheet.
``publish_item`` records the performance office's decision to publish one item of the
disclosure register (R-TG-3, R-RA-4, R-EV-4); a sensitive item is refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import specs
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound
from ..policy import Actor
from ..store import Database, Disclosure, HumanTask, ProcessInstance, Project, audit, transaction
from . import instances
from ._assessment_tables import PROCESS_ID
from ._disclosure_items import PROJECT_KINDS, project_items

Unit = Database | Session
OFFICE = frozenset({"performance_office", "admin"})
JUDGEMENT_MAX = Decimal(10)  # the scoring form's maximum; the form refuses more in any case


def business_key(year: int) -> str:
    return f"unit-assessment-{year}"


def _office_only(actor: Actor, what: str) -> None:
    if not (actor.is_system or actor.roles & OFFICE):
        raise Forbidden(f"只有绩效科可以{what}")


def year_instance(session: Session, year: int) -> int | None:
    """The year's assessment instance, if one was started (and not cancelled)."""
    return session.scalar(
        select(ProcessInstance.id)
        .where(
            ProcessInstance.process_id == PROCESS_ID,
            ProcessInstance.business_key == business_key(year),
            ProcessInstance.status != "cancelled",
        )
        .order_by(ProcessInstance.id)
        .limit(1)
    )


def start_assessment_year(uow: Unit, year: int, *, actor: Actor) -> int:
    """Start the fiscal year's unit assessment; the instance already started is returned as is."""
    _office_only(actor, "启动年度考核")
    if not 2000 <= int(year) <= 2100:
        raise FormInvalid({"year": ["年度应在 2000 至 2100 之间"]})
    with transaction(uow) as session:
        existing = year_instance(session, year)
        if existing is not None:
            return existing
        specs.latest_definition(session, PROCESS_ID)  # ProcessNotFound when not deployed
        started = instances.start(
            session,
            PROCESS_ID,
            actor=actor,
            data={"assessment_year": int(year)},
            business_key=business_key(year),
        )
        return started.instance_id


def _number(value, unit_id) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FormInvalid({f"judgement_{unit_id}": ["应为数字"]}) from None
    if not (Decimal(0) <= number <= JUDGEMENT_MAX) or not number.is_finite():
        raise FormInvalid({f"judgement_{unit_id}": [f"综合评价分应在 0 至 {JUDGEMENT_MAX} 分之间"]})
    return number


def score_cycle(uow: Unit, task_id: str, judgements: dict, *, actor: Actor, notes: dict | None = None):
    """Complete a cycle's scoring task: the sheet's facts as pre-filled, the office's judgement
    points (``{unit_id: points}``, 0–10) and notes; the process computes points and ranks."""
    notes = notes or {}
    with transaction(uow) as session:
        task = session.get(HumanTask, task_id)
        if task is None or task.process_id != PROCESS_ID or not task.task_spec.startswith("as_score_"):
            raise NotFound("考核评分任务不存在")
        if task.status != "open":
            raise Conflict("该考核已评分")
        rows = list((task.draft or {}).get("units") or [])
        sheet = []
        for row in rows:
            unit_id = row["unit_id"]
            raw = judgements.get(unit_id, judgements.get(str(unit_id), row.get("judgement", 0)))
            points = _number(raw if raw not in (None, "") else 0, unit_id)
            entry = {**row, "judgement": float(points)}
            note = str(
                notes.get(unit_id, notes.get(str(unit_id), row.get("judgement_note", ""))) or ""
            ).strip()
            entry.pop("judgement_note", None)
            if note:
                entry["judgement_note"] = note[:500]
            sheet.append(entry)
        return instances.complete_task(session, task_id, {"units": sheet}, actor=actor, dedicated=True)


def publish_item(uow: Unit, kind: str, subject_id: int, *, actor: Actor) -> int:
    """公开 publish one item of the disclosure register (a human decision, audited)."""
    _office_only(actor, "公开信息")
    if kind not in PROJECT_KINDS:
        raise FormInvalid({"kind": ["不是可公开的事项"]})
    with transaction(uow) as session:
        year = session.scalar(select(Project.fiscal_year).where(Project.id == subject_id))
        if year is None:
            raise NotFound("项目不存在")
        item = next(
            (i for i in project_items(session, year) if i.kind == kind and i.project_id == subject_id), None
        )
        if item is None:
            raise BusinessRuleRefused("该事项尚未到公开环节")
        if item.sensitive:
            raise BusinessRuleRefused("涉密或敏感事项不予公开")
        if session.scalar(
            select(Disclosure.id).where(Disclosure.kind == kind, Disclosure.subject_id == subject_id)
        ):
            raise Conflict("该事项已公开")
        row = Disclosure(
            fiscal_year=year,
            kind=kind,
            subject_id=subject_id,
            published_at=clock.now(),
            published_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="disclosure.published",
            actor=actor.username,
            data={"kind": kind, "project": subject_id, "year": year},
        )
        return row.id
