"""Pages with a year selector open on the dashboard's year (this year when it has projects, else
the newest): 信息公开登记, 打分表 and 真实性核查 (walkthrough of issue 12, finding 7)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from workflows import clock
from workflows.policy import Actor
from workflows.queries import dashboard
from workflows.store import User

PERF = Actor("zhou.perf", frozenset({"performance_office"}))


@pytest.mark.parametrize("url", ["/disclosure", "/reports/score-table", "/reports/spot-checks"])
def test_a_year_page_opens_on_the_dashboards_year(web, db_of, url):
    clock.set_now(clock.parse_moment("2026-12-04T09:00:00"))
    with db_of.reading() as session:
        submitter = session.scalar(select(User).where(User.username == "zhang.san"))
        actor, unit_id = Actor.of(submitter), submitter.unit_id
    with db_of.unit_of_work() as uow:  # a project of next year: the newest year, not this one
        factories.project(uow, "WZ2027-900", actor=actor, fiscal_year=2027, unit_id=unit_id)
        uow.commit()
    with db_of.reading() as session:
        assert dashboard.default_year(session, PERF) == 2026
    page = web("zhou.perf").get(url).text
    assert re.search(r'<option value="2026"\s+selected', page), url
