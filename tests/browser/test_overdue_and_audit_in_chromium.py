"""In Chromium (issue 12): the performance office follows the dashboard's 部门整体支出逾期待办
to the year page and reads the same number there; the administrator finds 张三's events by
name and runs the full audit-chain verification. Screenshots at 1440 and 390 px stay in the
test's tmp dir for a person to look at."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.server.conftest import PASSWORD
from workflows import clock, commands
from workflows.engine import specs
from workflows.policy import Actor
from workflows.store import Database

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_dashboards_overdue_work_opens_the_year_page_with_the_same_number(
    app, live_server, page, tmp_path
):
    db: Database = app.extensions["jixiao_db"]
    clock.set_now(clock.parse_moment("2027-01-25T09:00:00"))
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    office = Actor("zhou.perf", frozenset({"performance_office"}))
    commands.open_fiscal_year(db, 2027, date(2027, 1, 20), actor=office)
    clock.set_now(clock.parse_moment("2027-02-12T09:00:00"))  # the targets were due February 9

    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        _login(page, live_server, "zhou.perf")
        page.goto(f"{live_server}/dashboard?year=2027")
        link = page.locator("#dw-overdue")
        assert link.get_attribute("data-count") == "2" and "部门整体支出逾期待办 2 件" in link.inner_text()
        page.screenshot(path=str(tmp_path / f"dashboard-overdue-{width}.png"), full_page=True)
        _fits(page, width)
        link.click()
        page.wait_for_url(re.compile(r"/years\?year=2027"))
        assert page.locator("#dw-overdue").get_attribute("data-count") == "2"
        assert "逾期待办 2 件" in page.locator("#dw-overdue").inner_text()
        assert page.locator("#department-wide .badge.overdue").count() == 2
        page.screenshot(path=str(tmp_path / f"years-overdue-{width}.png"), full_page=True)
        page.context.clear_cookies()


def test_the_administrator_finds_events_by_name_and_verifies_the_whole_chain(live_server, page, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, live_server, "admin")
    page.goto(f"{live_server}/audit")
    page.fill("input[name=actor]", "张三")
    page.locator("input[name=actor]").press("Enter")
    page.wait_for_url(re.compile(r"actor="))
    actors = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert actors and all("张三" in a for a in actors)
    page.goto(f"{live_server}/audit/verify")
    assert page.locator("#chain-check").get_attribute("data-full") == "no"
    page.click("#verify-all button")
    page.wait_for_selector('#chain-check[data-full="yes"]')
    assert page.locator("#chain-check").get_attribute("data-intact") == "yes"
    assert "审计链完整" in page.locator("#chain-check").inner_text()
    page.screenshot(path=str(tmp_path / "audit-verify-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/audit/verify")
    page.screenshot(path=str(tmp_path / "audit-verify-390.png"), full_page=True)
    _fits(page, 390)
