"""Open a fiscal year: record its budget approval date and start its yearly processes per unit.

DOMAIN 4 R-DW-1: department-wide targets are due 20 days after the budget approval
(部门预算批复), so a year's department-wide work starts from that date. The performance office
opens the year once the budget is approved; every budget unit then gets one instance of each
yearly process (``YEARLY_STARTERS``), its tasks going to that unit; the bureau-wide processes of
the year start with it (the unit assessment R-AS-1, the poverty-fund months R-AS-2). Re-opening the same year
starts only what is missing (a unit created since), so it is safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import specs
from ..errors import Forbidden, FormInvalid, ProcessNotFound
from ..policy import Actor
from ..store import BudgetUnit, Database, FiscalYear, ProcessInstance, audit, transaction
from . import assessment, instances, poverty

Unit = Database | Session

YEAR_OPENERS = frozenset({"performance_office", "admin"})
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class YearlyStarter:
    """A process every budget unit runs once per fiscal year; its business key is
    ``<prefix><year>-<unit code>`` (``DW2027-360922-001``)."""

    process_id: str
    key_prefix: str

    def business_key(self, year: int, unit_code: str) -> str:
        return f"{self.key_prefix}{year}-{unit_code}"


# The processes opening a fiscal year starts for every unit: one line per process.
YEARLY_STARTERS: tuple[YearlyStarter, ...] = (
    YearlyStarter("department_wide", "DW"),  # 部门整体支出 R-DW-1, R-DW-2, R-MN-6
)


@dataclass(frozen=True)
class OpenedYear:
    year: int
    budget_approved_on: date
    started: dict[str, list[int]]  # process id → instance ids started by this call


def year_errors(year, budget_approved_on) -> dict[str, list[str]]:
    """What is wrong with a year and its approval date, per field, in Chinese (empty: nothing).
    The one rule for the shared input schema (page and API) and the command itself."""
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [f"预算年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"]
    if budget_approved_on is None:
        errors["budget_approved_on"] = ["此项为必填项"]
    elif not isinstance(budget_approved_on, date):
        errors["budget_approved_on"] = ["日期格式应为 年-月-日"]
    elif "year" not in errors and budget_approved_on.year != year:
        errors["budget_approved_on"] = [f"预算批复日期应在 {year} 年内"]
    return errors


def open_fiscal_year(uow: Unit, year: int, budget_approved_on: date | None, *, actor: Actor) -> OpenedYear:
    """Record the year's budget approval and start each yearly process for every unit lacking it."""
    if not (actor.is_admin or actor.roles & YEAR_OPENERS):
        raise Forbidden("无权开启预算年度")
    errors = year_errors(year, budget_approved_on)
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        row = session.get(FiscalYear, year)
        if row is not None and row.budget_approved_on != budget_approved_on:
            raise FormInvalid(
                {
                    "budget_approved_on": [
                        f"{year} 年度已开启，预算批复日期为 {row.budget_approved_on.isoformat()}"
                    ]
                }
            )
        for starter in YEARLY_STARTERS:
            if specs.latest_definition(session, starter.process_id, required=False) is None:
                raise ProcessNotFound(f"没有已部署的流程 {starter.process_id!r}")
        if row is None:
            row = FiscalYear(
                year=year,
                budget_approved_on=budget_approved_on,
                opened_by=actor.username,
                opened_at=clock.now(),
            )
            session.add(row)
            session.flush()
        started = {s.process_id: _start_missing(session, s, row, actor) for s in YEARLY_STARTERS}
        # the bureau-wide processes of the year: one instance each, not one per unit (R-AS-1's
        # July and December cycles wait in it); named in ``started`` only when started now
        if specs.latest_definition(session, assessment.PROCESS_ID, required=False) is not None:
            running = assessment.year_instance(session, year)
            instance_id = assessment.start_assessment_year(session, year, actor=actor)
            if running is None:
                started[assessment.PROCESS_ID] = [instance_id]
        # R-AS-2: the monthly poverty-fund evaluation, one instance per month still to open (a
        # month already started, or whose evaluation date has passed, is left as it is)
        deployed = specs.latest_definition(session, poverty.PROCESS_ID, required=False) is not None
        if deployed and poverty.months_still_to_open(year):
            months = poverty.start_poverty_year(session, year, actor=actor)
            if months:
                started[poverty.PROCESS_ID] = [months[m] for m in sorted(months)]
        audit.append(
            session,
            action="fiscal_year.opened",
            actor=actor.username,
            data={
                "year": year,
                "budget_approved_on": budget_approved_on.isoformat(),
                "started": started,
            },
        )
        return OpenedYear(year, budget_approved_on, started)


def _start_missing(session: Session, starter: YearlyStarter, year: FiscalYear, actor: Actor) -> list[int]:
    units = list(session.scalars(select(BudgetUnit).order_by(BudgetUnit.code)))
    keys = {starter.business_key(year.year, u.code): u for u in units}
    have = set(
        session.scalars(
            select(ProcessInstance.business_key).where(
                ProcessInstance.business_key.in_(list(keys)),
                ProcessInstance.process_id == starter.process_id,
                ProcessInstance.status != "cancelled",
            )
        )
    )
    started = []
    for key, unit in keys.items():
        if key in have:
            continue
        result = instances.start(
            session,
            starter.process_id,
            actor=actor,
            data={
                "fiscal_year": year.year,
                "budget_approved_on": year.budget_approved_on.isoformat(),
                "unit_id": unit.id,
                "unit_name": unit.name,
            },
            business_key=key,
            unit_id=unit.id,
        )
        started.append(result.instance_id)
    return started
