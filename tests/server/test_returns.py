"""Work sent back to the submitter (DOMAIN R-TG-2, R-RC-1): whatever the decision is called, the
reopened step shows who returned it and why; a return needs a reason; a review step that comes
round again starts with its decision and comment empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from demo import form_data as forms
from tests.api_uploads import complete_waiting, waiting_task
from workflows.engine import specs
from workflows.store import AuditEvent

from .conftest import open_task

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"code": "RT-1", "name": "城区道路提升改造", "fiscal_year": 2026, "amount": 480}
REFUSAL = "目标值无法衡量，请改为可量化的指标。"


def _task(client, spec: str) -> dict:
    return waiting_task(client, PROJECT["code"], spec)


def _complete(client, spec: str, data: dict) -> None:
    complete_waiting(client, PROJECT["code"], spec, data)


def _completed(db_of) -> int:
    with db_of.reading() as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == "task.completed"))


@pytest.fixture
def at_ex_ante_head(api, db_of):
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))


@pytest.fixture
def at_targets_review(at_ex_ante_head, api):
    _complete(api("wang.head"), "ea_head", forms.head_approval())
    _complete(api("li.si"), "ea_finance_review", forms.ex_ante_review(86.5))
    _complete(api("zhang.san"), "tg_set", forms.performance_targets(PROJECT["name"], 480))


def test_a_first_refusal_reopens_the_targets_with_the_return_banner_and_its_reason(
    web, at_targets_review, db_of
):
    reviewer = web("li.si")
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_review")
    reviewer.post(f"/tasks/{task.id}/claim")
    answer = reviewer.post(
        f"/tasks/{task.id}",
        data={"tg_decision": "不予安排", "tg_comment": REFUSAL, "action": "submit"},
        follow_redirects=True,
    )
    flash = " ".join(lxml_html.fromstring(answer.text).xpath("string(//*[contains(@class,'flash')])").split())
    assert "首次审核不予安排的，先退回单位调整：已退回至" in flash, flash
    assert "填报绩效目标" in flash and "已提交。" not in flash

    again = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    page = lxml_html.fromstring(web("zhang.san").get(f"/tasks/{again.id}").text)
    banner = " ".join(page.get_element_by_id("return-banner").text_content().split())
    assert "已被退回：不予安排" in banner
    assert "退回人：李四" in banner and "财政审核绩效目标" in banner
    assert f"退回理由：{REFUSAL}" in banner
    assert "首次审核不予安排的，先退回单位调整" in banner


def test_the_api_names_the_decision_that_sent_the_work_back(api, at_targets_review, db_of):
    _complete(api("li.si"), "tg_review", forms.targets_decision("不予安排") | {"tg_comment": REFUSAL})
    again = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    context = api("zhang.san").get(f"/api/v1/tasks/{again.id}").json["context"]
    refusal = [d for d in context["decisions"] if d["data"].get("tg_decision") == "不予安排"]
    assert context["came_back_from"] == refusal[-1]["task_id"]


def test_a_first_round_task_shows_no_return_banner(web, at_targets_review, db_of):
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_review")
    page = lxml_html.fromstring(web("li.si").get(f"/tasks/{task.id}").text)
    assert not page.xpath("//*[@id='return-banner']")


@pytest.mark.parametrize(
    ("spec", "who", "data", "field"),
    [
        (
            "ea_head",
            "wang.head",
            {"ea_head_opinion": "退回修改", "ea_head_comment": "   "},
            "ea_head_comment",
        ),
        ("ea_head", "wang.head", {"ea_head_opinion": "退回修改"}, "ea_head_comment"),
    ],
)
def test_a_return_without_a_reason_is_refused_through_the_api(
    api, at_ex_ante_head, db_of, spec, who, data, field
):
    before = _completed(db_of)
    task = _task(api(who), spec)
    response = api(who).post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 400, response.json
    assert "退回时请填写退回理由" in str(response.json), response.json
    assert field in str(response.json)
    assert _completed(db_of) == before
    assert _task(api(who), spec)["id"] == task["id"]  # still open, nothing moved


def test_a_return_without_a_reason_is_refused_beside_the_field_on_the_page(web, at_ex_ante_head, db_of):
    head = web("wang.head")
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="ea_head")
    before = _completed(db_of)
    response = head.post(
        f"/tasks/{task.id}", data={"ea_head_opinion": "退回修改", "ea_head_comment": "", "action": "submit"}
    )
    assert response.status_code == 400
    page = lxml_html.fromstring(response.text)
    [field] = page.xpath("//*[@name='ea_head_comment']")
    block = field.getparent()
    while block is not None and "退回时请填写退回理由" not in block.text_content():
        block = block.getparent()
    assert block is not None and block.tag != "form", "the message is not beside the field"
    assert _completed(db_of) == before
    assert open_task(db_of, project_code=PROJECT["code"], task_spec="ea_head").id == task.id


def test_a_return_with_a_reason_and_an_approval_without_one_are_accepted(api, at_ex_ante_head):
    _complete(
        api("wang.head"), "ea_head", {"ea_head_opinion": "退回修改", "ea_head_comment": "金额测算依据不足"}
    )
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))
    _complete(api("wang.head"), "ea_head", {"ea_head_opinion": "同意报送"})


def test_every_review_form_that_can_return_work_asks_for_a_reason():
    import json

    from workflows.engine import forms as engine_forms
    from workflows.queries import returns

    returning = []
    for path in sorted((ROOT / "forms").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        for key, prop in schema["properties"].items():
            choices = set(prop.get("enum") or []) if isinstance(prop, dict) else set()
            for verdict in sorted(choices & (returns.RETURN_VALUES | {"不予安排"})):
                returning.append(path.name)
                reasons = [k for k in schema["properties"] if k.endswith(returns.REASON_NAMES) and k != key]
                data = {key: verdict, **{k: "" for k in reasons}}
                errors = engine_forms.check_errors(schema, data)
                assert any("理由" in m for ms in errors.values() for m in ms), (path.name, verdict, errors)
    assert "targets_review.json" in returning and "ex_ante_head_approval.json" in returning


def test_a_review_step_that_comes_round_again_starts_with_its_decision_and_comment_empty(
    web, api, at_ex_ante_head, db_of
):
    _complete(
        api("wang.head"), "ea_head", {"ea_head_opinion": "退回修改", "ea_head_comment": "金额测算依据不足"}
    )
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))
    task = _task(api("wang.head"), "ea_head")
    assert api("wang.head").get(f"/api/v1/tasks/{task['id']}").json["data"] == {}
    page = lxml_html.fromstring(web("wang.head").get(f"/tasks/{task['id']}").text)
    [comment] = page.xpath("//*[@name='ea_head_comment']")
    assert (comment.text or "") + (comment.get("value") or "") == ""
    assert not page.xpath("//input[@name='ea_head_opinion'][@checked]")
    assert not page.xpath("//select[@name='ea_head_opinion']/option[@selected][@value!='']")
    # a draft saved on this round's task is kept
    head = web("wang.head")
    head.post(f"/tasks/{task['id']}/claim")
    head.post(
        f"/tasks/{task['id']}",
        data={"ea_head_opinion": "同意报送", "ea_head_comment": "已补充测算", "action": "draft"},
    )
    assert api("wang.head").get(f"/api/v1/tasks/{task['id']}").json["data"] == {
        "ea_head_opinion": "同意报送",
        "ea_head_comment": "已补充测算",
    }


def test_the_submitter_hears_of_a_return_with_who_and_why(api, web, at_targets_review, db_of):
    clerk = api("zhang.san")
    before = clerk.get("/api/v1/notifications?unread=true").json
    _complete(api("li.si"), "tg_review", forms.targets_decision("不予安排") | {"tg_comment": REFUSAL})
    [notice] = [n for n in clerk.get("/api/v1/notifications?unread=true").json if n not in before]
    assert notice["kind"] == "returned"
    assert "已被李四" in notice["message"] and "退回至「填报绩效目标」" in notice["message"]
    assert f"退回理由：{REFUSAL}" in notice["message"]
    again = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    assert notice["task_id"] == again.id
    assert "已被退回：填报绩效目标" in web("zhang.san").get("/notices").text


def test_an_approval_sends_no_return_notice(api, at_targets_review):
    _complete(api("li.si"), "tg_review", forms.targets_decision("通过"))
    kinds = [n["kind"] for n in api("zhang.san").get("/api/v1/notifications").json]
    assert "returned" not in kinds


def test_a_resubmission_is_not_taken_for_a_return(web, api, at_ex_ante_head, db_of):
    _complete(
        api("wang.head"), "ea_head", {"ea_head_opinion": "退回修改", "ea_head_comment": "金额测算依据不足"}
    )
    clerk = web("zhang.san")
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="ea_write")
    clerk.post(f"/tasks/{task.id}/claim")
    report = forms.ex_ante_report(PROJECT["name"], 480)
    fields = {k: ("on" if v is True else v) for k, v in report.items() if not isinstance(v, (list, dict))}
    answer = clerk.post(f"/tasks/{task.id}", data={**fields, "action": "submit"}, follow_redirects=True)
    flash = lxml_html.fromstring(answer.text).xpath("string(//*[contains(@class,'flash')])")
    assert "已提交" in flash and "退回" not in flash, flash
    again = open_task(db_of, project_code=PROJECT["code"], task_spec="ea_head")
    page = lxml_html.fromstring(web("wang.head").get(f"/tasks/{again.id}").text)
    assert not page.xpath("//*[@id='return-banner']")
    assert api("wang.head").get(f"/api/v1/tasks/{again.id}").json["context"]["came_back_from"] is None
    notices = api("wang.head").get("/api/v1/notifications").json
    assert "returned" not in [n["kind"] for n in notices]


def _inbox_marks(client) -> dict[str, bool]:
    """``{task id: whether its row carries the red 退回 tag}`` of the 我的任务 and 待认领 tabs' rows
    (a project's filer finds its report and targets in 我的任务)."""
    marks = {}
    for scope in ("mine", "claimable"):
        page = lxml_html.fromstring(client.get(f"/inbox?scope={scope}&per_page=100").text)
        for row in page.xpath("//table[@id='inbox']/tbody/tr[@data-task]"):
            cell = row.xpath(".//td[contains(@class,'task-cell')]//*[@class='returned-mark']")
            marks[row.get("data-task")] = bool(cell)
    return marks


def test_a_first_refusal_tags_the_reopened_targets_in_the_submitters_inbox(
    web, api, at_targets_review, db_of
):
    """R-TG-2: the targets a first 不予安排 sent back are marked 退回 in the unit's inbox, as the task
    page's banner has it; a fresh task of the same clerk carries no tag."""
    other = {**PROJECT, "code": "RT-2", "name": "乡村公路养护"}
    assert api("zhang.san").post("/api/v1/projects", json=other).status_code == 201
    fresh = open_task(db_of, project_code="RT-2", task_spec="ea_write")
    _complete(api("li.si"), "tg_review", forms.targets_decision("不予安排") | {"tg_comment": REFUSAL})
    again = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    marks = _inbox_marks(web("zhang.san"))
    assert marks[again.id] is True
    assert marks[fresh.id] is False
    page = lxml_html.fromstring(web("zhang.san").get(f"/tasks/{again.id}").text)
    assert page.xpath("//*[@id='return-banner']")  # the same notion of a return as the task page's


def test_a_resubmission_puts_no_return_tag_on_the_reviewers_row(web, api, at_ex_ante_head, db_of):
    _complete(
        api("wang.head"), "ea_head", {"ea_head_opinion": "退回修改", "ea_head_comment": "金额测算依据不足"}
    )
    again = open_task(db_of, project_code=PROJECT["code"], task_spec="ea_write")
    assert _inbox_marks(web("zhang.san"))[again.id] is True
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))
    review = open_task(db_of, project_code=PROJECT["code"], task_spec="ea_head")
    assert _inbox_marks(web("wang.head"))[review.id] is False
