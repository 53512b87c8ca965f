"""The expert pool in Chromium (DOMAIN R-EX-1, R-RL-1): the administrator admits an expert of
住建局 (U001) to the pool; 经济建设科's reviewer has an expert panel drawn for a 住建局 project,
and the panel holds only eligible experts (never one of the project's own unit)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from demo import form_data as demo
from tests.browser.ex_ante import at_finance_review
from workflows.store import AuditEvent, HumanTask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Jixiao@2026"


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def logout(page):
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


@pytest.fixture
def finance_review(app):
    """A 住建局 project's ex-ante assessment (the real bpmn/) waiting for finance's review."""
    return at_finance_review(app)


def test_R_EX_1_admin_adds_an_expert_and_a_reviewer_draws_an_eligible_panel(
    page, live_server, finance_review, tmp_path
):
    base = live_server
    db, instance_id, task_id = finance_review
    shots = tmp_path / "screenshots"

    # 1. the administrator admits 住建局's own engineer to the pool
    login(page, base, "admin")
    page.goto(f"{base}/admin/experts")
    page.fill("#username", "qian.expert")
    page.fill("#display_name", "钱工（住建局）")
    page.fill("#fields", "建筑工程；工程造价")
    page.fill("#organisation", "万载县住房和城乡建设局")
    page.select_option("#unit_code", "U001")
    page.click("#new-expert button[type=submit]")
    page.wait_for_url(f"{base}/admin/experts")
    assert "一次性密码" in page.locator(".flash").inner_text()
    assert "qian.expert" in page.locator("#experts").inner_text()
    page.screenshot(path=shots / "1-pool.png", full_page=True)
    logout(page)

    # 2. 经济建设科's reviewer opens the review: the pool offers only experts outside 住建局
    login(page, base, "li.si")
    page.goto(f"{base}/tasks/{task_id}")
    page.click("#claim")
    page.wait_for_selector("form.task-form")
    offered = page.locator("#experts option").evaluate_all("options => options.map(o => o.value)")
    assert sorted(offered) == ["sun.expert", "wang.expert", "zhao.expert"]

    # 3. expert review without a panel is refused beside the field; then a draw of three
    for field, score in demo.ex_ante_aspects(86).items():  # a score per aspect (R-EA-2)
        page.fill(f"#{field}", str(score))
    page.select_option("#ea_finance_conclusion", "支持")
    page.select_option("#ea_next_step", "专家评审")
    page.fill("#ea_finance_comment", "项目专业性强，组织专家评审。")
    page.click("#submit")
    assert page.locator('.field-error[data-field="experts"]').count() == 1
    page.fill("#experts_draw", "3")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    page.screenshot(path=shots / "2-drawn.png", full_page=True)

    with db.reading() as session:
        panel = sorted(
            session.scalars(
                select(HumanTask.assignee).where(
                    HumanTask.instance_id == instance_id, HumanTask.task_spec == "ea_expert_score"
                )
            )
        )
        drawn = session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.drawn"))
    assert panel == ["sun.expert", "wang.expert", "zhao.expert"]  # never qian.expert (住建局)
    assert "qian.expert" not in drawn.data["candidates"] and drawn.data["seed"]
    logout(page)

    # 4. a drawn expert finds the sheet in their inbox
    login(page, base, "wang.expert")
    assert "专家评审打分" in page.locator("body").inner_text()
