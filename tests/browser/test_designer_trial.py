"""试运行 in Chromium (issue 13 item 7): the designer picks a process from the list, steps through
its lanes with the task page's forms, sees the gateway's path and the deadline timer on the
diagram and beside it, makes the timer due, and nothing is stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workflows.store import HumanTask, ProcessInstance

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Jixiao@2026"
SHOTS = Path(os.environ.get("JIXIAO_SHOTS") or "/tmp/jixiao-designer-shots")


def _login(page, base):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "designer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/designer/")


def test_the_designer_tries_a_draft_lane_by_lane(page, live_server, app):
    SHOTS.mkdir(parents=True, exist_ok=True)
    db = app.extensions["jixiao_db"]
    with db.reading() as s:
        before = (
            s.scalar(select(func.count()).select_from(ProcessInstance)),
            s.scalar(select(func.count()).select_from(HumanTask)),
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, live_server)
    page.locator("tr[data-process='review'] a", has_text="试运行").click()
    page.click("#trial-go")
    page.wait_for_selector("#diagram-trial[data-ready='1']", timeout=20000)

    task = page.locator("form.trial-task[data-element='submit']")
    task.locator("input[name=amount]").fill("362")
    task.locator("input[name=start_date]").fill("2026-03-01")
    task.locator("input[name='indicators-0-name']").fill("受益人口")
    task.locator("input[name='indicators-0-target']").fill("≥5000")
    task.get_by_role("button", name="以「单位填报人」身份提交").click()
    task = page.locator("form.trial-task[data-element='head_approve']")
    task.locator("input[name=head_approved]").check()
    task.get_by_role("button").click()
    page.wait_for_selector("#trial-timers tr[data-element='review_deadline']")
    assert "审核期限" in page.locator("#trial-timers").inner_text()

    task = page.locator("form.trial-task[data-element='finance_review']")
    task.locator("select[name=decision]").select_option("approve")
    task.get_by_role("button").click()
    page.wait_for_selector("#diagram-trial[data-ready='1']", timeout=20000)
    gateway = page.locator("#trial-path li[data-element='Gateway_decision']").inner_text()
    assert "抽取专家" in gateway and "条件成立" in gateway and 'decision == "approve"' in gateway
    assert page.locator("form.trial-task[data-element='expert_score']").count() == 2
    # the diagram marks what was passed and what waits
    assert page.locator("g.djs-element.done[data-element-id='Gateway_decision']").count() == 1
    assert page.locator("g.djs-element.current[data-element-id='expert_score']").count() == 1
    page.screenshot(path=SHOTS / "trial-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "trial-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1440, "height": 900})

    page.click("#trial-undo")
    page.locator("#trial-timers tr[data-element='review_deadline'] button").click()
    page.wait_for_selector("#trial-ended")
    assert "标记逾期" in page.locator("#trial-path").inner_text()
    with db.reading() as s:
        after = (
            s.scalar(select(func.count()).select_from(ProcessInstance)),
            s.scalar(select(func.count()).select_from(HumanTask)),
        )
    assert after == before
