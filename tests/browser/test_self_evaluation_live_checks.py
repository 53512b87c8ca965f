"""Walk 11, findings 3 and 4 in Chromium on the demo: an empty self-evaluation shows no error
and no red total; 9,999 executed on a 1,380 budget is flagged on its cell while typing and the
rate/points are not shown as 100/10. Screenshots at 1440 and 390 go to ``JIXIAO_SHOTS`` when it is set."""

from __future__ import annotations

import os

import pytest

from .pages import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def shoot(page, name):
    folder = os.environ.get("JIXIAO_SHOTS")
    if not folder:
        return
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}_{width}.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def open_task(page, base, step):
    for scope in ("mine", "claimable"):
        page.goto(f"{base}/inbox?scope={scope}")
        link = page.locator("tr, li, .card", has_text=step).locator("a[href*='/tasks/']")
        if link.count():
            link.first.click()
            break
    page.wait_for_url("**/tasks/**")
    if page.locator("#claim").count():
        page.click("#claim")
    page.wait_for_load_state("networkidle")


def test_walk_11_self_evaluation_is_quiet_until_typed_and_flags_executed_over_budget(page, own_demo_server):
    base = own_demo_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    open_task(page, base, "填报绩效自评表")
    page.wait_for_selector("output#ev_self_total")
    form = page.locator("#task-form")
    assert form.locator(".field-error:visible").count() == 0
    assert form.locator("output.computed.invalid").count() == 0
    assert "必须大于 0" not in form.inner_text()
    shoot(page, "selfeval_empty")

    page.fill("#ev_budget_fiscal", "1380")
    page.fill("#ev_executed_fiscal", "9999")
    page.wait_for_selector(".field-error.live:has-text('全年执行数不能超过全年预算数')")
    assert page.locator("output#ev_execution_rate").inner_text() == "—"
    assert page.locator("output#ev_execution_points").inner_text() == "—"
    shoot(page, "selfeval_over_budget")
