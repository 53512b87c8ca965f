"""Keep the poverty-fund evaluation tables equal to a ``poverty_fund_ranking`` workflow (R-AS-2).

Every save of the process runs it (an entry of the save's domain tables, :mod:`._domain_sync`): the process
writes ``poverty_month`` (status reviewing → approving → published, or empty; with the rules it
used and the ranked rows); this copies it into ``poverty_month`` and ``poverty_score`` so pages
read tables and never load the workflow (DESIGN 3). When a month opens, each unit's facts and
the items to feed back (``poverty_issue``) are computed from the read tables
(:mod:`._poverty_facts`) and pre-fill the office's review task.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import steps
from ..store import BudgetUnit, HumanTask, PovertyIssue, PovertyMonth, PovertyScore, audit
from ._domain_sync import DomainSync
from ._poverty_facts import KIND_COUNTS, month_facts

PROCESS_ID = "poverty_fund_ranking"
REVIEW_TASK = "pr_review"
FACTS = ("projects", "amount", *KIND_COUNTS.values())


def _month_of(instance, workflow, _engine_steps) -> dict | None:
    return steps.latest_writes(workflow, {"poverty_month": "month"}).get("month") or None


def _sync(session: Session, instance, value: dict, saving) -> None:
    _sync_month(session, instance.id, value, saving.actor.username)


def _sync_month(session: Session, instance_id: int, value: dict, actor_name: str) -> None:
    year, number, status = int(value["year"]), int(value["month"]), value["status"]
    month = session.scalar(
        select(PovertyMonth).where(PovertyMonth.fiscal_year == year, PovertyMonth.month == number)
    )
    now = clock.now()
    if month is None:
        month = PovertyMonth(
            fiscal_year=year,
            month=number,
            instance_id=instance_id,
            status=status,
            opened_at=now,
            published=False,
            rules=value.get("rules"),
        )
        session.add(month)
        session.flush()
        units = _open_sheet(session, month)
        audit.append(
            session,
            action="poverty.month_opened",
            actor=actor_name,
            instance_id=instance_id,
            data={"year": year, "month": number, "units": units},
        )
        return
    if month.status == status:
        return
    month.status = status
    if status == "reviewing":  # returned by leadership: the sheet comes back as it was sent
        _refill_sheet(session, month)
    elif status == "approving":
        month.reviewed_at = now
        _write_points(session, month, value.get("rows") or [])
    elif status == "published" and not month.published:
        month.published, month.published_at, month.approved_by = True, now, actor_name
        audit.append(
            session,
            action="poverty.published",
            actor=actor_name,
            instance_id=instance_id,
            data={"year": year, "month": number},
        )


def _open_sheet(session: Session, month: PovertyMonth) -> int:
    """The month's facts as the tables stand at its opening: score rows, items, the task's sheet."""
    rows, issues = month_facts(session, month.fiscal_year, month.month, month.rules or {})
    for row in rows:
        session.add(
            PovertyScore(
                month_id=month.id, unit_id=row["unit_id"], facts={k: row[k] for k in FACTS}, supervise=False
            )
        )
    for issue in issues:
        session.add(
            PovertyIssue(
                month_id=month.id,
                unit_id=issue.unit_id,
                project_id=issue.project_id,
                kind=issue.kind,
                detail=issue.detail,
            )
        )
    task = _review_task(session, month)
    if task is not None and task.draft is None:
        task.draft = {"units": [{**row, "adjustment": 0} for row in rows]}
    return len(rows)


def _write_points(session: Session, month: PovertyMonth, rows: list[dict]) -> None:
    scores = {
        s.unit_id: s for s in session.scalars(select(PovertyScore).where(PovertyScore.month_id == month.id))
    }
    for row in rows:
        score = scores.get(int(row["unit_id"]))
        if score is None:
            continue
        score.deduction = Decimal(str(row["deduction"]))
        score.adjustment = Decimal(str(row["adjustment"]))
        score.adjustment_reason = (row.get("adjustment_reason") or None) if row["adjustment"] else None
        score.total = Decimal(str(row["total"]))
        score.rank = int(row["rank"])
        score.supervise = bool(row.get("supervise"))


def _refill_sheet(session: Session, month: PovertyMonth) -> None:
    task = _review_task(session, month)
    if task is None or task.draft is not None:
        return
    rows = session.execute(
        select(PovertyScore, BudgetUnit.name)
        .join(BudgetUnit, BudgetUnit.id == PovertyScore.unit_id)
        .where(PovertyScore.month_id == month.id)
        .order_by(BudgetUnit.code)
    ).all()
    task.draft = {
        "units": [
            {
                "unit_id": s.unit_id,
                "unit_name": name,
                **s.facts,
                "adjustment": float(s.adjustment or 0),
                **({"adjustment_reason": s.adjustment_reason} if s.adjustment_reason else {}),
            }
            for s, name in rows
        ]
    }


def _review_task(session: Session, month: PovertyMonth) -> HumanTask | None:
    return session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == month.instance_id,
            HumanTask.task_spec == REVIEW_TASK,
            HumanTask.status == "open",
        )
    )


TABLES = DomainSync("poverty", _month_of, _sync, process_id=PROCESS_ID)  # R-AS-2
