"""试运行 through the designer's pages: choose a process, step through its lanes with the task page's
forms, make a timer due, undo; nothing is written to the database."""

from __future__ import annotations

import json
import re
from html import unescape

from sqlalchemy import func, select

from workflows.store import AuditEvent, HumanTask, ProcessInstance, Timer


def _hidden(page: str, form_marker: str) -> dict:
    """The hidden fields of the first form whose opening tag holds ``form_marker``."""
    start = page.index(form_marker)
    form = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
    return {
        unescape(n): unescape(v) for n, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def _counts(app):
    with app.extensions["jixiao_db"].reading() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t))
            for t in (ProcessInstance, HumanTask, Timer, AuditEvent)
        )


def test_only_designers_may_try_a_process(web):
    assert web("zhang.san").get("/designer/trial/").status_code == 403
    page = web("designer").get("/designer/trial/?process=review")
    assert page.status_code == 200 and "开始试运行" in page.text and 'value="review" selected' in page.text


def test_the_designer_steps_through_the_lanes_and_writes_nothing(app, web):
    designer = web("designer")
    designer.get("/designer/workbench")  # opens the draft (one audit event), as the designer would
    before = _counts(app)
    page = designer.post(
        "/designer/trial/", {"process_id": "review", "start_data": "{}", "steps": "[]", "action": "start"}
    )
    assert page.status_code == 200 and "填报绩效目标" in page.text and "以「单位填报人」身份提交" in page.text

    carried = _hidden(page.text, 'data-element="submit"')
    page = designer.post(
        "/designer/trial/",
        {
            **carried,
            "amount": "362",
            "start_date": "2026-03-01",
            "indicators-0-name": "受益人口",
            "indicators-0-target": "≥5000",
        },
    )
    assert page.status_code == 200 and "单位负责人审核" in page.text
    page = designer.post(
        "/designer/trial/", {**_hidden(page.text, 'data-element="head_approve"'), "head_approved": "on"}
    )
    assert (
        "财政审核" in page.text and "审核期限" in page.text and "令其到期" in page.text
    )  # the boundary timer is set

    # the finance reviewer approves: the gateway's path is shown with its condition
    page = designer.post(
        "/designer/trial/", {**_hidden(page.text, 'data-element="finance_review"'), "decision": "approve"}
    )
    assert (
        "条件成立" in page.text and "decision == &#34;approve&#34;" in page.text and "抽取专家" in page.text
    )
    assert page.text.count('class="task-form trial-task" data-element="expert_score"') == 2

    # undo, then let the deadline pass instead; the undone form keeps what was chosen
    page = designer.post("/designer/trial/", _hidden(page.text, 'id="trial-undo"'))
    assert "令其到期" in page.text and 'data-element="finance_review"' in page.text
    assert '<option value="approve" selected>' in page.text
    page = designer.post("/designer/trial/", _hidden(page.text, 'value="timer:review_deadline:0"'))
    assert "流程已结束" in page.text and "标记逾期" in page.text
    steps = json.loads(_hidden(page.text, 'id="trial-restart"')["steps"])
    assert [s["element"] for s in steps] == ["submit", "head_approve", "review_deadline"]

    assert _counts(app) == before  # no instance, task, timer or audit event came of it


def test_refused_form_data_shows_field_errors_and_keeps_what_was_typed(web):
    designer = web("designer")
    page = designer.post(
        "/designer/trial/", {"process_id": "review", "start_data": "{}", "steps": "[]", "action": "start"}
    )
    page = designer.post(
        "/designer/trial/",
        {**_hidden(page.text, 'data-element="submit"'), "amount": "-5", "start_date": "2026-03-01"},
    )
    assert page.status_code == 400 and "表单未通过校验" in page.text
    assert 'value="-5"' in page.text and "不能小于 0" in page.text
    assert json.loads(_hidden(page.text, 'data-element="submit"')["steps"]) == []


def test_bad_start_data_and_forged_steps_are_refused_on_the_start_page(web):
    designer = web("designer")
    bad = designer.post(
        "/designer/trial/", {"process_id": "review", "start_data": "[1, 2", "steps": "[]", "action": "start"}
    )
    assert bad.status_code == 400 and "不是有效的 JSON" in bad.text and "[1, 2" in bad.text
    forged = designer.post(
        "/designer/trial/",
        {
            "process_id": "review",
            "start_data": "{}",
            "steps": '[{"kind": "exec", "element": "x"}]',
            "action": "undo",
        },
    )
    assert forged.status_code == 400 and "试运行记录无法读取" in forged.text


def test_a_broken_draft_lists_its_lint_errors_instead_of_running(web):
    designer = web("designer")
    designer.get("/designer/workbench")
    text = designer.get("/designer/draft/files/review.bpmn").json["text"]
    broken = text.replace('decision == "approve"', "decision ==")
    saved = designer.client.put(
        "/designer/draft/files/review.bpmn", json={"text": broken}, headers={"X-CSRFToken": designer.token}
    )
    assert saved.status_code == 200
    start = designer.get("/designer/trial/?process=review")
    assert "草稿中有错误" in start.text
    page = designer.post(
        "/designer/trial/", {"process_id": "review", "start_data": "{}", "steps": "[]", "action": "start"}
    )
    assert (
        "草稿有错误，不能试运行" in page.text
        and "Flow_approve" in page.text
        or "Gateway_decision" in page.text
    )


def test_a_returned_form_comes_back_filled(web):
    designer = web("designer")
    page = designer.post(
        "/designer/trial/", {"process_id": "review", "start_data": "{}", "steps": "[]", "action": "start"}
    )
    typed = {
        "amount": "362",
        "start_date": "2026-03-01",
        "indicators-0-name": "受益人口",
        "indicators-0-target": "≥5000",
    }
    page = designer.post("/designer/trial/", {**_hidden(page.text, 'data-element="submit"'), **typed})
    page = designer.post(
        "/designer/trial/", {**_hidden(page.text, 'data-element="head_approve"'), "head_approved": "on"}
    )
    page = designer.post(
        "/designer/trial/", {**_hidden(page.text, 'data-element="finance_review"'), "decision": "return"}
    )
    assert "默认路径" in page.text and 'name="amount"' in page.text
    assert 'value="362"' in page.text and 'value="受益人口"' in page.text
