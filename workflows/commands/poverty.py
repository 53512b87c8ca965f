"""扶贫资金项目月度评价 the monthly evaluation of poverty-alleviation fund projects (DOMAIN R-AS-2).

``start_poverty_year`` starts one ``poverty_fund_ranking`` instance per month of the year whose
evaluation has not opened yet (idempotent: a month already started is left as it is); each
instance's timer opens its month on the 1st of the next month. ``review_month`` completes the
office's review of the pre-filled sheet (an adjustment needs a reason, within the DMN's bound);
``rectify`` records a unit's measure for each item fed back to it and completes its task. Both
tasks are completed only through these commands (the generic doors refuse them), so the facts
on the sheet and the items are the ones the month opened with.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, domain
from ..engine import specs
from ..errors import Conflict, Forbidden, FormInvalid, NotFound
from ..policy import Actor, may_complete
from ..store import Database, HumanTask, PovertyIssue, PovertyMonth, ProcessInstance, audit, transaction
from . import instances
from ._poverty_tables import PROCESS_ID, REVIEW_TASK

Unit = Database | Session
OFFICE = frozenset({"performance_office", "admin"})
RECTIFY_TASK = "pr_rectify"
MONTHS = range(1, 13)
MAX_REASON = 500
MAX_MEASURE = 1000


def business_key(year: int, month: int) -> str:
    return f"poverty-ranking-{year}-{month:02d}"


def _office_only(actor: Actor, what: str) -> None:
    if not (actor.is_system or actor.roles & OFFICE):
        raise Forbidden(f"只有绩效科可以{what}")


def month_instances(session: Session, year: int) -> dict[int, int]:
    """The year's month instances started (and not cancelled): {month: instance id}."""
    keys = {business_key(year, m): m for m in MONTHS}
    found = session.execute(
        select(ProcessInstance.business_key, ProcessInstance.id)
        .where(
            ProcessInstance.process_id == PROCESS_ID,
            ProcessInstance.business_key.in_(list(keys)),
            ProcessInstance.status != "cancelled",
        )
        .order_by(ProcessInstance.id)
    ).all()
    months: dict[int, int] = {}
    for key, instance_id in found:
        months.setdefault(keys[key], instance_id)
    return months


def months_still_to_open(year: int) -> list[int]:
    """The months whose evaluation opens today or later (China time): what starting now covers."""
    today = clock.now().astimezone(clock.CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    return [m for m in MONTHS if clock.parse_moment(domain.first_of_next_month(year, m)) >= today]


def start_poverty_year(uow: Unit, year: int, *, actor: Actor) -> dict[int, int]:
    """Start the monthly evaluation of the year's months still to open; returns {month: instance
    id} of the months started by this call (none when all were started before)."""
    _office_only(actor, "启动扶贫资金项目月度评价")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise FormInvalid({"year": ["年度应在 2000 至 2100 之间"]})
    months = months_still_to_open(year)
    if not months:
        raise FormInvalid({"year": [f"{year}年各月的评价时间均已过，不能再启动"]})
    with transaction(uow) as session:
        specs.latest_definition(session, PROCESS_ID)  # ProcessNotFound when not deployed
        have = month_instances(session, year)
        started = {}
        for month in months:
            if month in have:
                continue
            result = instances.start(
                session,
                PROCESS_ID,
                actor=actor,
                data={"ranking_year": year, "ranking_month": month},
                business_key=business_key(year, month),
            )
            started[month] = result.instance_id
        return started


def _month_of(session: Session, task: HumanTask) -> PovertyMonth:
    month = session.scalar(select(PovertyMonth).where(PovertyMonth.instance_id == task.instance_id))
    if month is None:
        raise NotFound("月度评价不存在")
    return month


def _open_task(session: Session, task_id: str, spec: str, missing: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None or task.process_id != PROCESS_ID or task.task_spec != spec:
        raise NotFound(missing)
    if task.status != "open":
        raise Conflict("该任务已办结")
    return task


def _adjustment(raw, bound: Decimal, key: str) -> Decimal:
    try:
        value = Decimal(str(raw if raw not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise FormInvalid({key: ["应为数字"]}) from None
    if not value.is_finite() or abs(value) > bound:
        raise FormInvalid({key: [f"调整分应在 -{bound} 至 {bound} 分之间"]})
    return value


def _unknown_keys(known: set[str], given: tuple[dict, ...], field: str, what: str) -> dict[str, list[str]]:
    """A field error naming the ids sent that the sheet does not hold (the API sends ids; nothing
    sent for an id the month does not know is silently dropped)."""
    unknown = sorted({str(k) for d in given for k in d} - known)
    return {field: [f"{what}：{'、'.join(unknown[:10])}"]} if unknown else {}


def review_month(uow: Unit, task_id: str, adjustments: dict, *, actor: Actor, reasons: dict | None = None):
    """Complete the office's review: the sheet's facts as pre-filled, each unit's adjustment
    (``{unit_id: points}`` within the DMN's bound) with its reason; the process ranks."""
    reasons = reasons or {}
    with transaction(uow) as session:
        task = _open_task(session, task_id, REVIEW_TASK, "月度评价审核任务不存在")
        if not may_complete(actor, task):
            raise Forbidden("只有绩效科可以审核月度评价表")
        month = _month_of(session, task)
        bound = Decimal(str((month.rules or {}).get("adjust_max", 0)))
        rows = list((task.draft or {}).get("units") or [])
        errors = _unknown_keys(
            {str(r["unit_id"]) for r in rows}, (adjustments, reasons), "adjustments", "不在本月评价表中的单位"
        )
        sheet = []
        for row in rows:
            unit_id = row["unit_id"]
            raw = adjustments.get(unit_id, adjustments.get(str(unit_id), row.get("adjustment", 0)))
            reason = str(
                reasons.get(unit_id, reasons.get(str(unit_id), row.get("adjustment_reason", ""))) or ""
            ).strip()
            try:
                value = _adjustment(raw, bound, f"adjustment_{unit_id}")
            except FormInvalid as exc:
                errors.update(exc.fields)
                continue
            if value and not reason:
                errors[f"reason_{unit_id}"] = ["调整得分须说明理由"]
            elif len(reason) > MAX_REASON:
                errors[f"reason_{unit_id}"] = [f"理由不超过 {MAX_REASON} 字"]
            entry = {k: v for k, v in row.items() if k != "adjustment_reason"}
            entry["adjustment"] = float(value)
            if value:
                entry["adjustment_reason"] = reason
            sheet.append(entry)
        if errors:
            raise FormInvalid(errors)
        return instances.complete_task(session, task_id, {"units": sheet}, actor=actor, dedicated=True)


def rectify(uow: Unit, task_id: str, measures: dict, *, actor: Actor):
    """A unit reports its rectification: a measure for every item fed back to it this month."""
    with transaction(uow) as session:
        task = _open_task(session, task_id, RECTIFY_TASK, "整改任务不存在")
        if not may_complete(actor, task):
            raise Forbidden("只有被反馈问题的单位可以报送整改情况")
        month = _month_of(session, task)
        issues = list(
            session.scalars(
                select(PovertyIssue)
                .where(PovertyIssue.month_id == month.id, PovertyIssue.unit_id == task.unit_id)
                .order_by(PovertyIssue.project_id, PovertyIssue.id)
            )
        )
        errors = _unknown_keys({str(i.id) for i in issues}, (measures,), "measures", "不属于本单位本月的问题")
        reported = []
        for issue in issues:
            text = str(measures.get(issue.id, measures.get(str(issue.id), "")) or "").strip()
            if not text:
                errors[f"measure_{issue.id}"] = ["请填写整改措施"]
            elif len(text) > MAX_MEASURE:
                errors[f"measure_{issue.id}"] = [f"整改措施不超过 {MAX_MEASURE} 字"]
            reported.append({"issue_id": issue.id, "measure": text})
        if errors:
            raise FormInvalid(errors)
        now = clock.now()
        for issue, entry in zip(issues, reported, strict=True):
            issue.measure, issue.rectified_at, issue.rectified_by = entry["measure"], now, actor.username
        audit.append(
            session,
            action="poverty.rectified",
            actor=actor.username,
            instance_id=task.instance_id,
            task_id=task_id,
            data={
                "year": month.fiscal_year,
                "month": month.month,
                "unit": task.unit_id,
                "items": len(issues),
            },
        )
        return instances.complete_task(
            session, task_id, {"pr_measures": reported}, actor=actor, dedicated=True
        )
