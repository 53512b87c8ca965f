"""Keep the assessment and disclosure-calendar tables equal to a ``unit_assessment`` workflow.

A save of the process runs it (an entry of :mod:`._domain_sync`): the process writes ``assessment_july`` /
``assessment_december`` (status scoring → approving → published, with the ranked rows) and
``disclosure_due``; this copies them into ``assessment_cycle``, ``assessment_score`` and
``disclosure_due`` so pages read tables and never load the workflow (DESIGN 3). When a cycle
opens, its units' facts are written to the score rows and pre-fill the scoring task's sheet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import steps
from ..store import AssessmentCycle, AssessmentScore, BudgetUnit, DisclosureDue, HumanTask, audit
from ._assessment_facts import unit_facts
from ._domain_sync import DomainSync

PROCESS_ID = "unit_assessment"
CYCLES = ("july", "december")
POINTS = ("timeliness", "target_quality", "rectification", "accuracy", "judgement", "total")
FACTS = ("late_tasks", "target_returns", "rect_done", "rect_open", "spot_checked", "spot_false")
_KEYS = {f"assessment_{c}": c for c in CYCLES} | {"disclosure_due": "disclosure_due"}


def _values_of(instance, workflow, _engine_steps) -> dict | None:
    return steps.latest_writes(workflow, _KEYS) or None


def _sync(session: Session, instance, values: dict, saving) -> None:
    actor_name = saving.actor.username
    if values.get("disclosure_due"):
        _sync_due(session, values["disclosure_due"])
    for cycle in CYCLES:
        if values.get(cycle):
            _sync_cycle(session, instance.id, values[cycle], actor_name)


def _sync_due(session: Session, due: dict) -> None:
    year = None
    for kind, day in due.items():
        on = date.fromisoformat(str(day))
        year = year or _year_of(kind, on)
    for kind, day in due.items():
        row = session.get(DisclosureDue, (year, kind))
        on = date.fromisoformat(str(day))
        if row is None:
            session.add(DisclosureDue(fiscal_year=year, kind=kind, due_on=on))
        elif row.due_on != on:
            row.due_on = on


def _year_of(kind: str, on: date) -> int:
    return on.year if kind in ("targets", "ranking_july", "ranking_december") else on.year - 1


def _sync_cycle(session: Session, instance_id: int, value: dict, actor_name: str) -> None:
    year, name, status = int(value["year"]), value["cycle"], value["status"]
    cycle = session.scalar(
        select(AssessmentCycle).where(AssessmentCycle.fiscal_year == year, AssessmentCycle.cycle == name)
    )
    now = clock.now()
    if cycle is None:
        cycle = AssessmentCycle(
            fiscal_year=year,
            cycle=name,
            instance_id=instance_id,
            status=status,
            opened_at=now,
            published=False,
        )
        session.add(cycle)
        session.flush()
        _open_sheet(session, cycle, now)
        audit.append(
            session,
            action="assessment.cycle_opened",
            actor=actor_name,
            instance_id=instance_id,
            data={"year": year, "cycle": name},
        )
        return
    if cycle.status == status:
        return
    cycle.status = status
    if status == "scoring":  # returned by leadership: the sheet comes back as it was sent
        _refill_sheet(session, cycle)
    elif status == "approving":
        cycle.scored_at = now
        cycle.weights = value.get("weights")
        _write_points(session, cycle, value.get("rows") or [])
    elif status == "published" and not cycle.published:
        cycle.published, cycle.published_at, cycle.approved_by = True, now, actor_name
        audit.append(
            session,
            action="assessment.published",
            actor=actor_name,
            instance_id=instance_id,
            data={"year": year, "cycle": name},
        )


def _open_sheet(session: Session, cycle: AssessmentCycle, now) -> None:
    """The cycle's facts, as of its opening, on its score rows and as the scoring task's draft."""
    facts = unit_facts(session, cycle.fiscal_year, now)
    for row in facts:
        session.add(
            AssessmentScore(
                cycle_id=cycle.id,
                unit_id=row["unit_id"],
                facts={k: row[k] for k in FACTS if k in row},
            )
        )
    task = _scoring_task(session, cycle)
    if task is not None and task.draft is None:
        task.draft = {"units": [{**row, "judgement": 0} for row in facts]}


def _write_points(session: Session, cycle: AssessmentCycle, rows: list[dict]) -> None:
    scores = {
        s.unit_id: s
        for s in session.scalars(select(AssessmentScore).where(AssessmentScore.cycle_id == cycle.id))
    }
    for row in rows:
        score = scores.get(int(row["unit_id"]))
        if score is None:
            continue  # a unit added after the cycle opened is not in this cycle
        for column in POINTS:  # accuracy is None for a unit nobody spot-checked (未抽查)
            setattr(score, column, None if row.get(column) is None else Decimal(str(row[column])))
        score.rank = None if row.get("rank") is None else int(row["rank"])


def _refill_sheet(session: Session, cycle: AssessmentCycle) -> None:
    task = _scoring_task(session, cycle)
    if task is None or task.draft is not None:
        return
    rows = session.execute(
        select(AssessmentScore, BudgetUnit.name)
        .join(BudgetUnit, BudgetUnit.id == AssessmentScore.unit_id)
        .where(AssessmentScore.cycle_id == cycle.id)
        .order_by(BudgetUnit.code)
    ).all()
    task.draft = {
        "units": [
            {"unit_id": s.unit_id, "unit_name": name, **s.facts, "judgement": float(s.judgement or 0)}
            for s, name in rows
        ]
    }


def _scoring_task(session: Session, cycle: AssessmentCycle) -> HumanTask | None:
    return session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == cycle.instance_id,
            HumanTask.task_spec == f"as_score_{cycle.cycle}",
            HumanTask.status == "open",
        )
    )


TABLES = DomainSync("assessment", _values_of, _sync, process_id=PROCESS_ID)  # R-AS-1
