"""真实性核查 in the demo (DOMAIN R-EV-7, R-EV-3): two graded projects of last year are sampled in
May by the performance office; the units give evidence; one is found 不实 (城区道路养护工程:
一票否决, 差, funds recovered, the unit and its owner accountable, visible on the project page and
in the score table), the other 属实 (森林防火监测系统). Made through the same commands as the pages."""

from __future__ import annotations

import logging

from sqlalchemy import select

from workflows import clock, commands
from workflows.errors import JixiaoError
from workflows.policy import Actor, holders_query
from workflows.store import AuditEvent, Database, Project, SpotCheck

from . import paths
from . import spot_check_forms as forms

log = logging.getLogger(__name__)
SAMPLE = ((6, 0), (10, None))  # (demo project number, the core indicator found 不实 or None)


def load(db: Database) -> int:
    """Sample and check the demo year's two projects (idempotent); returns the checks started."""
    year = paths.this_fiscal_year() - 1  # the year results were applied for
    with db.reading() as session:
        office = session.scalars(holders_query("performance_office", None).limit(1)).first()
        if office is None:
            return 0
        actor = Actor.of(office)
        projects = {
            number: session.scalar(select(Project.id).where(Project.code == f"WZ{year}-{number:03d}"))
            for number, _ in SAMPLE
        }
        checked = set(session.scalars(select(SpotCheck.project_id).where(SpotCheck.fiscal_year == year)))
    started = 0
    with paths._clock_kept():  # noqa: SLF001 - the demo's own clock walk
        # after the evaluation graded them (late May) and before the June 30 deadline (R-EV-7)
        clock.set_now(clock.parse_moment(f"{year + 1}-06-20T09:00"))
        for number, false_at in SAMPLE:
            project_id = projects[number]
            if project_id is None or project_id in checked:
                continue
            try:
                [check_id] = commands.start_spot_checks(db, year, [project_id], actor=actor)
                _check(db, check_id, false_at, actor)
                started += 1
            except (JixiaoError, LookupError) as exc:  # make run must still start; say why
                log.warning("demo spot check of project %s: %s", number, exc)
    return started


def _check(db: Database, check_id: int, false_at: int | None, office: Actor) -> None:
    with db.reading() as session:
        instance_id = session.get(SpotCheck, check_id).instance_id
    [evidence] = paths.open_tasks(db, instance_id)
    rows = _start_rows(db, instance_id)
    commands.complete_task(db, evidence.id, forms.evidence(rows), actor=paths.holder_of(db, evidence))
    [finding] = paths.open_tasks(db, instance_id)
    submitted = forms.evidence(rows)["sc_indicators"]
    commands.complete_task(db, finding.id, forms.findings(submitted, false_at), actor=office)


def _start_rows(db: Database, instance_id: int) -> list[dict]:
    """The core indicators the spot check asks about, as it started (from the audit log)."""
    with db.reading() as session:
        started = session.scalar(
            select(AuditEvent).where(
                AuditEvent.instance_id == instance_id, AuditEvent.action == "instance.started"
            )
        )
        return list(started.data["data"]["sc_indicators"])


def check_the_sample(db: Database, year: int, office: Actor) -> int:
    """The year's spot checks the confirmed selection started for its drawn sample (R-EV-7: the
    sampled projects that had self-evaluated), carried out in June and found 属实; returns how many."""
    with db.reading() as session:
        waiting = list(
            session.scalars(
                select(SpotCheck.id).where(SpotCheck.fiscal_year == year, SpotCheck.verdict.is_(None))
            )
        )
    done = 0
    with paths._clock_kept():  # noqa: SLF001 - the demo's own clock walk
        clock.set_now(clock.parse_moment(f"{year + 1}-06-20T09:00"))
        for check_id in waiting:
            try:
                _check(db, check_id, None, office)
                done += 1
            except (JixiaoError, LookupError, ValueError) as exc:  # make run must still start; say why
                log.warning("demo spot check %s: %s", check_id, exc)
    return done
