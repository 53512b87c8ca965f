"""In Chromium (issue 10/12, items 1, 3, 4): finance sends an ex-ante project to three experts and
the flash names 专家评审打分 once, with the count; a task without a deadline reads 无期限, never a
bare —; a unit's overdue targets, offered to its submitters and not yet claimed, are counted and
listed under 已逾期 and can be claimed from there. Screenshots stay in the test's tmp dir."""

from __future__ import annotations

import re
from datetime import date

import pytest

from demo import form_data as demo
from tests.browser.ex_ante import at_finance_review, deploy_bpmn
from tests.browser.pages import login
from tests.server.conftest import PASSWORD
from workflows import clock, commands, policy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _flash(page) -> str:
    return page.locator('[data-flash="done"]').inner_text()


@pytest.fixture
def finance_review(app):
    """红色文化展陈's ex-ante assessment (the real bpmn/), written and approved by 住建局, waiting
    for 经济建设科's review: a step with no deadline."""
    return at_finance_review(app)[2]


def test_sending_a_project_to_three_experts_names_the_scoring_step_once_with_the_count(
    page, live_server, finance_review, tmp_path
):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, "li.si", PASSWORD)
    page.goto(f"{live_server}/inbox?scope=claimable")
    row = page.locator(f'tr[data-task="{finance_review}"]')
    assert row.locator("td.due").inner_text() == "无期限"  # item 3: no bare —
    page.goto(f"{live_server}/tasks/{finance_review}")
    assert "无期限" in page.locator(".task-head .meta").inner_text()
    page.click("#claim")
    page.wait_for_selector("form.task-form")
    for field, score in demo.ex_ante_aspects(86).items():
        page.fill(f"#{field}", str(score))
    page.select_option("#ea_finance_conclusion", "支持")
    page.select_option("#ea_next_step", "专家评审")
    page.fill("#ea_finance_comment", "项目专业性强，组织专家评审。")
    page.fill("#experts_draw", "3")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/inbox"))
    page.screenshot(path=str(tmp_path / "sent-to-experts.png"), full_page=True)
    flash = _flash(page)
    assert flash == "已提交。项目当前环节：专家评审打分（3位专家）"
    assert flash.count("专家评审打分") == 1
    page.goto(f"{live_server}/projects?q=WZ2026-003")  # its processes name the step once too
    page.click("#projects a:has-text('红色文化展陈')")
    page.wait_for_url(re.compile(r"/projects/\d+"))
    heads = " ".join(page.locator("h2").all_inner_texts())
    assert "专家评审打分（3项）" in heads and heads.count("专家评审打分") == 1, heads
    page.screenshot(path=str(tmp_path / "project-at-experts.png"), full_page=True)


def test_overdue_targets_offered_to_the_unit_are_counted_listed_and_claimable_under_overdue(
    app, page, live_server, tmp_path
):
    db = app.extensions["jixiao_db"]
    clock.set_now(clock.parse_moment("2027-01-25T09:00:00"))
    deploy_bpmn(db)
    office = policy.Actor("zhou.perf", frozenset({"performance_office"}))
    commands.open_fiscal_year(db, 2027, date(2027, 1, 20), actor=office)
    clock.set_now(clock.parse_moment("2027-02-12T09:00:00"))  # the targets were due February 9

    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, "zhang.san", PASSWORD)
    page.goto(f"{live_server}/inbox?scope=overdue")
    tab = page.locator('nav.tabs a[data-scope="overdue"] .count')
    assert tab.inner_text() == "1"  # 住建局's own targets, not yet claimed by anyone
    rows = page.locator("#inbox tbody tr[data-task]")
    assert rows.count() == 1
    assert rows.first.locator("td.task-cell").inner_text().startswith("填报部门整体支出绩效目标")
    assert "due-overdue" in rows.first.get_attribute("class")
    page.screenshot(path=str(tmp_path / "overdue-claimable.png"), full_page=True)

    rows.first.locator("button", has_text="认领").click()  # act on it where it is listed
    page.wait_for_url(re.compile(r"/tasks/"))
    assert _flash(page) == "已认领"
    page.goto(f"{live_server}/inbox?scope=overdue")
    assert page.locator('nav.tabs a[data-scope="overdue"] .count').inner_text() == "1"  # now my own
    assert page.locator('nav.tabs a[data-scope="mine"] .count').inner_text() == "1"
    assert page.locator("#inbox tbody tr[data-task] button", has_text="认领").count() == 0
    page.screenshot(path=str(tmp_path / "overdue-claimed.png"), full_page=True)


@pytest.mark.parametrize("width", [800, 1024])
def test_a_tablets_inbox_shows_every_column_it_keeps_and_the_claim_button_without_scrolling(
    page, live_server, finance_review, tmp_path, width
):
    """At 800 px the inbox was 898 px wide in a 768 px box: 优先级 and 认领 out of sight, and nothing
    hinting that the table scrolls (walk of session 12). A tablet's inbox leaves out 流程 and 创建时间
    (the task's name says the one, the sort keeps the other) and fits its box; a desk keeps all."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "li.si", PASSWORD)
    page.goto(f"{live_server}/inbox?scope=claimable")
    box = page.locator("#inbox").evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert box[0] <= box[1], box  # no sideways scroll
    claim = page.locator(f'tr[data-task="{finance_review}"] button', has_text="认领")
    assert claim.is_visible()
    right = claim.evaluate("b => b.getBoundingClientRect().right")
    assert right <= width, right
    headers = page.locator("#inbox thead th:visible").all_inner_texts()
    shown = [h for h in headers if h.strip()]
    if width <= 900:
        assert "流程" not in shown and "创建时间" not in " ".join(shown), shown
    else:
        assert "流程" in shown, shown
    page.screenshot(path=str(tmp_path / f"inbox-{width}.png"), full_page=True)


def test_an_english_inbox_at_1024_keeps_its_claim_button_in_its_box(
    page, live_server, finance_review, tmp_path
):
    """Walk of session 14: English words are wider than Chinese ones; at 1024 px the English inbox
    ran past its box and cut 认领 to "Cl". Up to 1100 px the inbox leaves out 创建时间 (the sort
    keeps it), and the table fits in either language."""
    page.set_viewport_size({"width": 1024, "height": 900})
    login(page, live_server, "li.si", PASSWORD)
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/inbox?scope=claimable")
    box = page.locator("#inbox").evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    page.screenshot(path=str(tmp_path / "inbox-en-1024.png"), full_page=True)
    assert box[0] <= box[1], box
    claim = page.locator(f'tr[data-task="{finance_review}"] button', has_text="Claim")
    assert claim.is_visible() and claim.evaluate("b => b.getBoundingClientRect().right") <= 1024
    shown = [h.strip() for h in page.locator("#inbox thead th:visible").all_inner_texts() if h.strip()]
    assert "Process" in shown and not any(h.startswith("Created") for h in shown), shown
