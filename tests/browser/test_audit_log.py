"""审计日志 in Chromium: the administrator opens the audit log from the top bar, filters it to one
action and an actor, sorts by actor, pages on, exports the list in the background and reads the
chain check; the performance office sees only the events of process instances. Screenshots at
1440 and 390 px stay in the test's tmp dir (``audit-1440.png``…) for a person to look at."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.server.conftest import PASSWORD
from workflows.store import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}  # dates as a Chinese clerk's browser shows them


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))


def _events(page) -> list[int]:
    return [int(e) for e in page.locator("#audit-log tbody tr[data-event]").evaluate_all(
        "rows => rows.map(r => r.dataset.event)"
    )]  # fmt: skip


def test_the_administrator_filters_sorts_pages_exports_and_checks_the_log(
    app, db, live_server, page, tmp_path
):
    app.config["JIXIAO_EXPORT_DIRECT_ROWS"] = 3  # the five project.created events: a long list here
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, live_server, "admin")
    page.click("header nav >> text=审计日志")
    page.wait_for_url(re.compile(r"/audit$"))
    assert page.locator("#audit-log tbody tr").count() > 0
    page.screenshot(path=str(tmp_path / "audit-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    page.select_option("select[name=action]", label="创建项目")
    page.fill("input[name=actor]", "zhang")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(re.compile(r"action=project\.created"))
    texts = page.locator("#audit-log tbody tr td:nth-child(3)").all_inner_texts()
    assert texts == ["创建项目"] * 3  # zhang.san created three of the five
    page.goto(f"{live_server}/audit?action=project.created&per_page=2")
    page.click('#audit-log th[data-sort-key="actor"] a')
    page.wait_for_url(re.compile(r"sort=actor&dir=asc"))
    first = page.locator("#audit-log tbody tr td:nth-child(2) small").all_inner_texts()
    page.click("#pager a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert "action=project.created" in page.url and "sort=actor" in page.url
    second = page.locator("#audit-log tbody tr td:nth-child(2) small").all_inner_texts()
    assert first + second == ["li.na", "li.na", "zhang.san", "zhang.san"]

    page.click("#export-audit")  # five rows over a limit of three: written in the background
    page.wait_for_function("document.querySelector('#export-audit-form .percent').textContent === '100%'")
    link = page.locator("#export-audit-form a.download")
    link.wait_for(state="visible")
    with page.expect_download() as download:
        link.click()
    data = open(download.value.path(), "rb").read()
    rows = list(load_workbook(BytesIO(data))["审计日志"].iter_rows(min_row=3, values_only=True))
    assert [r[3] for r in rows] == ["li.na", "li.na", "zhang.san", "zhang.san", "zhang.san"]
    assert [r[2] for r in rows][::2] == [
        "李娜（应急局填报）",
        "张三（住建局填报）",
        "张三（住建局填报）",
    ]  # 操作人 by name
    assert {r[4] for r in rows} == {"创建项目"}

    page.click("#verify-link")
    page.wait_for_url(re.compile(r"/audit/verify"))
    assert "审计链完整" in page.locator("#chain-check").inner_text()
    page.screenshot(path=str(tmp_path / "verify-1440.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/audit")
    page.screenshot(path=str(tmp_path / "audit-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_performance_office_reads_the_events_of_process_instances(db, live_server, page):
    _login(page, live_server, "zhou.perf")
    page.click("header nav >> text=审计日志")
    page.wait_for_url(re.compile(r"/audit$"))
    shown = set(_events(page))
    with db.reading() as session:
        system = set(session.scalars(select(AuditEvent.id).where(AuditEvent.instance_id.is_(None))))
    assert shown and not shown & system
    assert "账号、登录和流程部署等系统记录仅管理员可查看" in page.inner_text("main")
