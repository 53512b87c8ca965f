"""年度评价对象选取 the year's selection: start it, save a choice, draw the spot-check sample, confirm.

Each a command in one unit of work with its audit events (chained on the year's
``annual_selection`` instance). DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7. The quotas are
the DMN ``selection_quotas`` decision; confirming is the completion of the instance's user task
``sel_choose``, refused while a quota fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from .. import clock
from .. import quotas as rules
from ..engine import specs
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound
from ..policy import Actor
from ..store import AnnualSelection, Database, HumanTask, SelectionItem, SpotCheck, audit, transaction
from ..store import selection as read
from . import instances, spot_checks

Unit = Database | Session
PROCESS_ID = "annual_selection"
SELECTORS = frozenset({"performance_office"})  # the seeds' 绩效科 owns key evaluations and spot checks


def _may_select(actor: Actor) -> None:
    if not (actor.is_admin or actor.is_system or actor.roles & SELECTORS):
        raise Forbidden("只有绩效科可以进行年度评价对象选取")


def _year(year) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not 2000 <= value <= 2100:
        raise FormInvalid({"fiscal_year": ["预算年度应为 2000 至 2100 年之间的年份"]})
    return value


def _open(session: Session, year: int, lock_version: int | None = None) -> AnnualSelection:
    row = read.selection_of(session, year)
    if row is None:
        raise NotFound(f"{year} 年度尚未发起评价对象选取")
    if row.status == "confirmed":
        raise Conflict(f"{year} 年度的选取已确认，不能再修改")
    if lock_version is not None and row.lock_version != lock_version:
        raise Conflict("选取已被他人修改，请刷新后重试")
    return row


def start_selection(uow: Unit, year: int, *, actor: Actor) -> int:
    """Start the year's ``annual_selection`` instance (one per fiscal year); returns the instance id."""
    _may_select(actor)
    year = _year(year)
    with transaction(uow) as session:
        if read.selection_of(session, year) is not None:
            raise Conflict(f"{year} 年度的评价对象选取已发起")
        started = instances.start(
            session, PROCESS_ID, actor=actor, data={"fiscal_year": year}, business_key=f"selection-{year}"
        )
        now = clock.now()
        session.add(
            AnnualSelection(
                fiscal_year=year,
                instance_id=started.instance_id,
                status="draft",
                spot_draws=0,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
            )
        )
        return started.instance_id


def save_selection(
    uow: Unit,
    year: int,
    picked: Mapping[str, list[int] | set[int]],
    *,
    actor: Actor,
    lock_version: int | None = None,
    unit_id: int | None = None,
    shown: list[int] | None = None,
) -> int:
    """Replace the ticked categories (the spot-check sample is drawn, never ticked); returns the
    new lock version. Projects not of the year (or not of ``unit_id``, when the page shows one
    unit, or not among ``shown``, the page of candidates listed: the other ticks are kept) are
    refused per category."""
    _may_select(actor)
    with transaction(uow) as session:
        row = _open(session, year, lock_version)
        valid = set(read.candidate_ids(session, year, unit_id, shown))
        errors = {}
        clean: dict[str, set[int]] = {}
        for category in rules.TICKED:
            ids = {int(i) for i in picked.get(category) or ()}
            stray = sorted(ids - valid)
            if stray:
                errors[category] = [f"项目 {', '.join(map(str, stray[:5]))} 不是 {year} 年度的候选项目"]
            clean[category] = ids
        unknown = set(picked) - set(rules.TICKED)
        for category in sorted(unknown):
            errors[category] = ["不能勾选此类别（真实性抽查样本须随机抽取）"]
        if errors:
            raise FormInvalid(errors)
        saved = read.chosen(session, year)
        if unit_id is not None or shown is not None:
            saved = {c: ids & valid for c, ids in saved.items()}
        added = {c: sorted(clean[c] - saved.get(c, set())) for c in rules.TICKED}
        removed = {c: sorted(saved.get(c, set()) - clean[c]) for c in rules.TICKED}
        for category, ids in removed.items():
            for chunk in _chunks(ids):
                session.execute(
                    delete(SelectionItem).where(
                        SelectionItem.fiscal_year == year,
                        SelectionItem.category == category,
                        SelectionItem.project_id.in_(chunk),
                    )
                )
        _insert(session, year, [(c, pid) for c, ids in added.items() for pid in ids])
        row.updated_at = clock.now()
        flag_modified(row, "updated_at")  # an UPDATE even when the clock stands still
        session.flush()  # bumps lock_version
        audit.append(
            session,
            action="selection.saved",
            actor=actor.username,
            instance_id=row.instance_id,
            # what changed (the confirmation records the whole choice)
            data={"fiscal_year": year, "added": added, "removed": removed},
        )
        return row.lock_version


def draw_sample(
    uow: Unit,
    year: int,
    *,
    actor: Actor,
    reason: str | None = None,
    seed: str | None = None,
) -> list[int]:
    """R-EV-7: draw the spot-check sample at random, reproducibly: the seed is generated (or given,
    to replay a recorded draw), recorded on the selection and in the audit log with the sample.
    A second draw replaces the first only with a recorded reason (a decision, audited)."""
    _may_select(actor)
    reason = (reason or "").strip()
    with transaction(uow) as session:
        row = _open(session, year)
        if row.spot_draws and not reason:
            raise FormInvalid({"reason": ["已抽取过样本，重新抽取须填写理由"]})
        quotas = read.quotas_of(session, row.instance_id)
        if quotas is None:
            raise BusinessRuleRefused("选取比例尚未确定，不能抽取")
        population = read.candidate_ids(session, year)
        seed = (seed or "").strip() or secrets.token_hex(8)
        sample = rules.draw(population, rules.sample_size(len(population), quotas), seed)
        previous = read.spot_check_sample(session, year)
        session.execute(
            delete(SelectionItem).where(
                SelectionItem.fiscal_year == year, SelectionItem.category == rules.SPOT_CHECK
            )
        )
        _insert(session, year, [(rules.SPOT_CHECK, p) for p in sample])
        row.spot_seed = seed
        row.spot_draws = (row.spot_draws or 0) + 1
        row.updated_at = clock.now()
        session.flush()  # bumps lock_version
        audit.append(
            session,
            action="selection.redrawn" if previous or row.spot_draws > 1 else "selection.drawn",
            actor=actor.username,
            instance_id=row.instance_id,
            data={
                "fiscal_year": year,
                "seed": seed,
                "population": len(population),
                "sample": sample,
                "draw": row.spot_draws,
                "reason": reason or None,
                "previous_size": len(previous),
            },
        )
        return sample


def confirm_selection(uow: Unit, year: int, *, actor: Actor, note: str = "") -> None:
    """Confirm the year's selection: refused while a quota fails (each failure's reason in Chinese);
    completes the ``sel_choose`` task in the same unit of work. From then on the selection marks the
    projects (third-party and expert review pre-set on the evaluation review, key monitoring)."""
    _may_select(actor)
    with transaction(uow) as session:
        row = _open(session, year)
        bench = read.workbench(session, year, with_rows=False)
        if bench.quotas is None or bench.task_id is None:
            raise BusinessRuleRefused("选取流程未在等待确认，不能确认")
        failed = bench.failures
        if failed:
            raise FormInvalid({f"{c.category}:{c.scope}": [c.message] for c in failed})
        counts = "；".join(f"{rules.TITLES[c]} {len(bench.chosen.get(c, ()))} 个" for c in rules.CATEGORIES)
        now = clock.now()
        row.status, row.confirmed_by, row.confirmed_at, row.updated_at = "confirmed", actor.username, now, now
        row.note = (note or "").strip() or None
        session.flush()
        audit.append(
            session,
            action="selection.confirmed",
            actor=actor.username,
            instance_id=row.instance_id,
            data={
                "fiscal_year": year,
                "seed": row.spot_seed,
                **{c: sorted(bench.chosen.get(c, ())) for c in rules.CATEGORIES},
                "checks": [{"quota": f"{c.category}:{c.scope}", "message": c.message} for c in bench.checks],
            },
        )
        data = {"sel_quotas_met": True, "sel_counts": counts}
        if row.note:
            data["sel_note"] = row.note
        task_actor = (
            actor if not actor.is_system else Actor(actor.username, frozenset({"performance_office"}))
        )
        instances.complete_task(session, bench.task_id, data, actor=task_actor, dedicated=True)
        _start_spot_checks(session, year, sorted(bench.chosen.get(rules.SPOT_CHECK, ())), task_actor)


def _start_spot_checks(session: Session, year: int, sample: list[int], actor: Actor) -> None:
    """R-EV-7: the drawn sample's projects that have self-evaluated go to their authenticity spot
    checks now (a check verifies the 自评表's claims); the rest stay in the sample, for the
    office to start from the spot-check page once their self-evaluation is in."""
    if not sample or specs.latest_definition(session, "spot_check", required=False) is None:
        return
    evaluated = set(
        session.scalars(
            select(HumanTask.project_id).where(
                HumanTask.project_id.in_(sample),
                HumanTask.task_spec == "ev_self",
                HumanTask.status == "completed",
            )
        )
    )
    checked = set(
        session.scalars(
            select(SpotCheck.project_id).where(
                SpotCheck.fiscal_year == year, SpotCheck.project_id.in_(sample)
            )
        )
    )
    todo = [p for p in sample if p in evaluated and p not in checked]
    if todo:
        spot_checks.start_spot_checks(session, year, todo, actor=actor)


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _insert(session: Session, year: int, items: list[tuple[str, int]]) -> None:
    """Many selection rows in one executemany (the ORM's unit of work is slow for 10,000 rows)."""
    if items:
        session.execute(
            insert(SelectionItem),
            [{"fiscal_year": year, "category": c, "project_id": pid} for c, pid in items],
        )


def selected_ids(session: Session, year: int, category: str) -> list[int]:
    return list(
        session.scalars(
            select(SelectionItem.project_id).where(
                SelectionItem.fiscal_year == year, SelectionItem.category == category
            )
        )
    )
