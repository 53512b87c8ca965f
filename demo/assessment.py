"""The demo year's unit assessment (DOMAIN 6 R-AS-1) and a few published items (R-TG-3, R-RA-4).

As the people would: the performance office starts the year's assessment in spring; on July 1
the scheduler's catch-up opens the July cycle; the office scores the pre-filled sheet; the
leader approves, and the ranking is published (通报). The office then publishes the approved
targets and, where results were fed back and are not sensitive, the evaluation results.
Idempotent: what was done before is not done again.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from workflows import clock, commands
from workflows.commands._disclosure_items import project_items
from workflows.config import settings
from workflows.engine import specs
from workflows.errors import JixiaoError
from workflows.policy import Actor, holders_query
from workflows.store import AssessmentCycle, Database, Disclosure, HumanTask
from workflows.timers import fire_due_timers

from . import paths
from .paths import _clock_kept

log = logging.getLogger(__name__)

# 综合评价分 the office gives, by the unit's position in the sheet (a spread with one tie)
JUDGEMENTS = (9.0, 8.5, 8.5, 7.0, 9.5, 6.5, 8.0, 7.5)


def _holder(db: Database, role: str) -> Actor | None:
    with db.reading() as session:
        user = session.scalars(holders_query(role, None).limit(1)).first()
        return Actor.of(user) if user is not None else None


def _ensure_deployed(db: Database) -> None:
    with db.unit_of_work() as session:
        if specs.latest_definition(session, "unit_assessment", required=False) is None:
            specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor="demo")
            session.commit()


def load(db: Database, fiscal_year: int | None = None) -> int:
    """Run the July cycle of the year the demo's projects are monitored in (this year) to its 通报
    and publish some items of this year and last; returns 1 if it ran now."""
    fiscal_year = paths.this_fiscal_year() if fiscal_year is None else fiscal_year
    office, leader = _holder(db, "performance_office"), _holder(db, "leadership")
    if office is None or leader is None:
        log.warning("demo assessment: no performance office or leadership account")
        return 0
    try:
        _ensure_deployed(db)
        with _clock_kept():
            return _run(db, fiscal_year, office, leader)
    except (JixiaoError, LookupError) as exc:  # make run must still start; say why
        log.warning("demo assessment %s: %s", fiscal_year, exc)
        return 0


def _run(db: Database, year: int, office: Actor, leader: Actor) -> int:
    with db.reading() as session:
        published = session.scalar(
            select(AssessmentCycle.id).where(
                AssessmentCycle.fiscal_year == year,
                AssessmentCycle.cycle == "july",
                AssessmentCycle.published,
            )
        )
    if published is not None:
        return 0
    clock.set_now(clock.parse_moment(f"{year}-03-02T09:00:00"))
    instance_id = commands.start_assessment_year(db, year, actor=office)
    july = clock.parse_moment(f"{year}-07-01T09:00:00")
    clock.set_now(july)
    fire_due_timers(db, instance_id, now=july)  # as the scheduler's catch-up would
    clock.set_now(clock.parse_moment(f"{year}-07-08T10:00:00"))
    scoring = _open(db, instance_id, "as_score_july")
    if scoring is not None:
        units = [row["unit_id"] for row in (scoring.draft or {}).get("units", [])]
        judgements = {uid: JUDGEMENTS[i % len(JUDGEMENTS)] for i, uid in enumerate(units)}
        commands.score_cycle(db, scoring.id, judgements, actor=office)
    clock.set_now(clock.parse_moment(f"{year}-07-10T15:00:00"))
    approval = _open(db, instance_id, "as_approve_july")
    if approval is not None:
        commands.complete_task(
            db, approval.id, {"as_decision": "同意", "as_comment": "同意通报。"}, actor=leader
        )
    for items_year in (year - 1, year):  # last year's projects carry the evaluation results
        _publish_some(db, items_year, office)
    return 1


def _open(db: Database, instance_id: int, spec: str) -> HumanTask | None:
    with db.reading() as session:
        task = session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.status == "open"
            )
        )
        if task is not None:
            session.expunge(task)
        return task


def _publish_some(db: Database, year: int, office: Actor) -> None:
    """The approved targets (with the budget) and the fed-back results; the key reports stay
    for the register's 公开 button, so the demo shows both states."""
    with db.reading() as session:
        items = [i for i in project_items(session, year) if not i.sensitive and i.kind != "key_report"]
        done = set(session.execute(select(Disclosure.kind, Disclosure.subject_id)).all())
    for item in items:
        if (item.kind, item.project_id) in done:
            continue
        clock.set_now(
            clock.parse_moment(
                f"{year}-03-20T10:00:00" if item.kind == "targets" else f"{year + 1}-08-20T10:00:00"
            )
        )
        commands.publish_item(db, item.kind, item.project_id, actor=office)
