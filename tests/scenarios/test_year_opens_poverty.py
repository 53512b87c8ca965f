"""Opening the fiscal year starts the poverty-fund monthly evaluation (DOMAIN R-AS-2) with the
year's other processes, so the performance office takes no separate step; opening again, or the
poverty page's own start, starts nothing twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.scenarios.conftest import YEAR, in_role
from workflows import commands
from workflows.commands.poverty import month_instances
from workflows.store import AuditEvent, ProcessInstance

OFFICE = in_role("performance_office", None)
APPROVED = date(YEAR, 1, 20)
PROCESS = "poverty_fund_ranking"


@pytest.fixture
def units(paths):
    with paths.db.unit_of_work() as uow:
        factories.unit(uow, "360922-001", "万载县农业农村局")
        factories.unit(uow, "360922-002", "万载县教育局")
        uow.commit()


def _count(paths) -> int:
    with paths.db.reading() as session:
        return session.scalar(
            select(func.count()).select_from(ProcessInstance).where(ProcessInstance.process_id == PROCESS)
        )


def test_R_AS_2_opening_the_year_starts_each_month_of_the_poverty_evaluation_once(paths, units):
    paths.clock_at(f"{YEAR}-01-21T09:00:00")
    opened = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    with paths.db.reading() as session:
        months = month_instances(session, YEAR)
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "fiscal_year.opened"))
    assert sorted(months) == list(range(1, 13))  # January's opens on February 1: still to come
    assert opened.started[PROCESS] == [months[m] for m in range(1, 13)]
    assert event.data["started"][PROCESS] == opened.started[PROCESS]
    assert len(opened.started["department_wide"]) == 2  # with the units' own processes
    again = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    assert PROCESS not in again.started and again.started["department_wide"] == []
    assert commands.start_poverty_year(paths.db, YEAR, actor=OFFICE) == {}  # the page's button
    assert _count(paths) == 12


def test_R_AS_2_opening_the_year_after_the_page_started_it_starts_only_the_months_missing(paths, units):
    paths.clock_at(f"{YEAR}-03-02T09:00:00")
    by_page = commands.start_poverty_year(paths.db, YEAR, actor=OFFICE)
    assert sorted(by_page) == list(range(3, 13))  # February's opened March 1: past
    opened = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    assert PROCESS not in opened.started
    assert _count(paths) == 10


def test_R_AS_2_opening_a_past_year_starts_no_month_and_still_opens_it(paths, units):
    paths.clock_at(f"{YEAR + 2}-03-02T09:00:00")
    opened = commands.open_fiscal_year(paths.db, YEAR, APPROVED, actor=OFFICE)
    assert PROCESS not in opened.started and len(opened.started["department_wide"]) == 2
    assert _count(paths) == 0
