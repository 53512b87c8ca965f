"""A submission goes round: invalid value → field error → fix → submit → the reviewer claims it and
returns it with a comment → the submitter sees the comment and resubmits (issue 4, browser tests)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Jixiao@2026"
PROJECT = "农村人居环境整治"


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def logout(page):
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


def open_claimable(page, base, title):
    page.goto(f"{base}/inbox?scope=claimable")
    row = page.locator("#inbox tbody tr", has_text=PROJECT).filter(has_text=title)
    row.locator("td a").first.click()
    page.wait_for_selector("form.task-form")


def test_submit_invalid_fix_review_return_resubmit(page, live_server, tmp_path):
    base = live_server
    shots = tmp_path / "screenshots"

    # 1. the unit submitter fills the form with a negative amount and sees the error beside the field
    login(page, base, "zhang.san")
    open_claimable(page, base, "填报绩效目标")
    page.fill("#amount", "-5")
    page.fill("#start_date", "2026-05-31")
    page.fill("#indicators-0-name", "村庄覆盖率")
    page.fill("#indicators-0-target", "≥90%")
    page.click("#submit")
    error = page.locator('.field-error[data-field="amount"]')
    assert error.inner_text() == "不能小于 0"
    page.screenshot(path=shots / "1-field-error.png", full_page=True)

    # 2. fix it and submit; the page says where the project is now
    page.fill("#amount", "362")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    assert "单位负责人审核" in page.locator(".flash").inner_text()
    logout(page)

    # the unit head approves
    login(page, base, "wang.head")
    open_claimable(page, base, "单位负责人审核")
    page.check("#head_approved")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    logout(page)

    # 3. the finance reviewer finds it, claims it, returns it with a comment
    login(page, base, "li.si")
    open_claimable(page, base, "财政审核")
    page.click("#claim")
    page.wait_for_selector("#submit")
    page.fill("#comments textarea[name=body]", "绩效指标不够量化，请补充数量指标")
    page.click("#add-comment")
    page.wait_for_selector("text=绩效指标不够量化")
    page.select_option("#decision", "return")
    page.fill("#review_comment", "退回整改")
    page.screenshot(path=shots / "2-reviewer-returns.png", full_page=True)
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    logout(page)

    # 4. the submitter sees it back with the comment, the form pre-filled, and resubmits
    login(page, base, "zhang.san")
    open_claimable(page, base, "填报绩效目标")
    assert "绩效指标不够量化" in page.locator("#comments").inner_text()
    assert page.input_value("#amount") == "362"
    page.fill("#indicators-1-name", "整治村庄数量")
    page.fill("#indicators-1-target", "≥20个")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    assert "单位负责人审核" in page.locator(".flash").inner_text()
    page.screenshot(path=shots / "3-resubmitted.png", full_page=True)
    assert len(list(shots.glob("*.png"))) == 3


def test_task_page_draws_the_diagram_with_the_current_step(page, live_server):
    login(page, live_server, "zhang.san")
    open_claimable(page, live_server, "填报绩效目标")
    diagram = page.locator(".diagram[data-ready='1']")
    diagram.wait_for(timeout=15000)
    assert page.locator(".diagram .djs-element.current[data-element-id='submit']").count() == 1
    assert page.locator(".diagram .bjs-powered-by").count() == 1  # the bpmn.io watermark stays
