"""年度报告 through the pages (DOMAIN R-RA-4): the performance office starts the year's evaluation
report, writes its narrative in the inbox task, leadership returns it once and then approves it,
and the released report reads on the page and downloads as a PDF — from an empty database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "ar_highlights": "全县178个预算单位全面开展事前评估和绩效目标管理，实现监控、评价全覆盖。",
    "ar_problems": "部分单位绩效指标设置不够细化量化。",
    "ar_next_steps": "扩大第三方重点评价范围，强化评价结果应用。",
}


def take(desk: Desk, title: str) -> None:
    """Open the task from the inbox and claim it when it waits in the role's pool."""
    desk.open_task(title, "")
    if desk.page.locator("#claim").count():
        desk.claim()


def test_R_RA_4_the_evaluation_report_is_written_approved_and_released_through_the_pages(
    browser, year, serve, shots
):
    clock.set_now(clock.parse_moment("2027-08-20T09:00"))
    base = serve(year.url)
    desks = {}
    for username in ("perf.zhou", "lead.liu", "fin.li", "zj.tian"):
        desks[username] = Desk(browser, base, username, shots)
        desks[username].first_sign_in(year.one_time[username], OWN_PASSWORD)
    zhou, liu, li, tian = (desks[u] for u in ("perf.zhou", "lead.liu", "fin.li", "zj.tian"))

    # the performance office starts the 2026 evaluation report from the 年度报告 page
    page = zhou.page
    page.click("nav >> text=年度报告")
    page.fill("#start-report input[name=year]", "1899")
    page.click("#start-report button[type=submit]")
    assert zhou.field_errors().get("year")  # bad input: a field error, nothing started
    page.fill("#start-report input[name=year]", "2026")
    page.select_option("#start-report select[name=kind]", label="预算绩效评价结果报告")
    page.click("#start-report button[type=submit]")
    assert "已开始编制" in page.locator(".flash").inner_text()
    row = page.locator("#reports tbody tr").first
    assert "2026年度预算绩效评价结果报告" in row.inner_text() and "编制中" in row.inner_text()
    assert "2027年9月30日" in row.inner_text()  # R-RA-4: by 30 September of the next year
    zhou.look("ar-01-list")

    # the narrative is written in the inbox task
    take(zhou, "编制年度报告")
    zhou.fill(TEXT)
    assert "审定年度报告" in zhou.submit()

    # leadership returns it once with a reason, then approves it
    take(liu, "审定年度报告")
    assert liu.page.locator("#annual-document").count() == 1  # the leader reads the whole report first
    liu.fill({"ar_decision": "退回修改", "ar_comment": "请补充结果应用情况"})
    liu.submit()
    take(zhou, "编制年度报告")
    zhou.fill({"ar_highlights": TEXT["ar_highlights"] + "\n评价结果与下年度预算安排挂钩。"})
    zhou.submit()
    take(liu, "审定年度报告")
    liu.fill({"ar_decision": "同意发布"})
    liu.submit()

    # a finance reviewer reads the released report and downloads it as a PDF
    page = li.page
    page.click("nav >> text=年度报告")
    row = page.locator("#reports tbody tr").first
    assert "已发布" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/annual-reports/\d+$"))
    document = page.locator("#document").inner_text()
    assert "一、总体情况" in document and "评价结果与下年度预算安排挂钩。" in document
    assert "草稿" not in document
    li.look("ar-02-released")
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    # a unit's staff have no such page
    assert tian.page.goto(f"{base}/annual-reports").status == 403
    assert zhou.problems + liu.problems + li.problems == []
