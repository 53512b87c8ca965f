"""A project's history reads as steps (issue 10, item 1): who by name and role, when, what they
decided under the form's own title, and a return's reason on its own highlighted line — on the
project page's timeline and the task page's earlier steps, not buried inside 填报内容."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from demo import form_data as forms
from tests.api_uploads import complete_waiting, waiting_task
from workflows.engine import specs
from workflows.queries import returns

from .conftest import open_task, project_id

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"code": "HS-1", "name": "农村污水管网建设", "fiscal_year": 2026, "amount": 362}
REASON = "指标不够量化，请调整。"


def _complete(client, spec: str, data: dict) -> None:
    complete_waiting(client, PROJECT["code"], spec, data)


@pytest.fixture
def returned(api, db_of):
    """Targets filed, then returned by finance (退回调整) with a reason."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 362))
    _complete(api("wang.head"), "ea_head", forms.head_approval())
    _complete(api("li.si"), "ea_finance_review", forms.ex_ante_review(86.5))
    _complete(api("zhang.san"), "tg_set", forms.performance_targets(PROJECT["name"], 362))
    _complete(api("li.si"), "tg_review", forms.targets_decision("退回调整"))
    return project_id(db_of, PROJECT["code"])


def _all(element, tag: str = "*", *classes: str) -> list:
    """Descendants ``tag`` carrying every one of ``classes`` (CSS ``tag.a.b``)."""
    test = "".join(f"[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]" for c in classes)
    return element.xpath(f".//{tag}{test}")


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_the_project_history_shows_a_return_with_role_decision_and_reason(web, returned):
    page = lxml_html.fromstring(web("zhou.perf").get(f"/projects/{returned}").text)
    [step] = _all(page, "li", "event", "returned")
    assert step.get("data-action") == "task.completed"
    what = _text(_all(step, "*", "what")[0])
    assert "财政审核绩效目标" in what
    assert _text(_all(step, "*", "who")[0]) == "财政业务科室 李四（经济建设科）"
    assert [_text(v) for v in _all(step, "*", "verdict", "returned")] == ["审核结论：退回调整"]
    assert [_text(r) for r in _all(step, "*", "return-reason")] == [f"退回理由：{REASON}"]
    # the filing before it: its role, no verdict, no reason line
    [filed] = [e for e in _all(page, "li", "event") if "填报绩效目标" in _text(e) and _all(e, "*", "who")]
    assert _text(_all(filed, "*", "who")[0]) == "单位填报人 张三（住建局填报）"
    assert not (_all(filed, "*", "verdict") + _all(filed, "*", "return-reason"))
    # an approval shows its decision, never a reason line
    approvals = [e for e in _all(page, "li", "event") if "审核结论：支持" in _text(e)]
    assert approvals and not _all(approvals[0], "*", "return-reason")


def test_the_resubmission_tasks_earlier_steps_show_the_return_the_same_way(web, returned, db_of):
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    page = lxml_html.fromstring(web("zhang.san").get(f"/tasks/{task.id}").text)
    [step] = _all(page.get_element_by_id("earlier-steps"), "li", "returned")
    assert "财政业务科室 李四（经济建设科）" in _text(step)
    assert [_text(v) for v in _all(step, "*", "verdict")] == ["审核结论：退回调整"]
    assert [_text(r) for r in _all(step, "*", "return-reason")] == [f"退回理由：{REASON}"]


def test_a_decision_is_the_forms_choice_and_its_reason_the_words_given_with_it():
    schema = {
        "properties": {
            "rect_verdict": {"type": "string", "enum": ["通过", "退回"]},
            "rect_comment": {"type": "string"},
            "expert_opinion": {"type": "string"},
            "tg_project_kind": {"type": "string", "enum": ["新增项目", "延续项目"]},
        }
    }
    data = {
        "rect_comment": "佐证不足",
        "rect_verdict": "退回",
        "tg_project_kind": "新增项目",
        "expert_opinion": "可",
    }
    step = returns.step_of(schema, data)
    assert step["decision"] == [{"key": "rect_verdict", "value": "退回"}]
    assert step["returned"] and step["reason"] == "佐证不足；可"
    passed = returns.step_of(schema, {**data, "rect_verdict": "通过"})
    assert passed["decision"] == [{"key": "rect_verdict", "value": "通过"}]
    assert not passed["returned"] and passed["reason"] == ""


def test_the_resubmission_banner_names_who_returned_it_with_their_role_and_the_reason(web, returned, db_of):
    task = open_task(db_of, project_code=PROJECT["code"], task_spec="tg_set")
    clerk = web("zhang.san")
    page = lxml_html.fromstring(clerk.get(f"/tasks/{task.id}").text)
    banner = page.get_element_by_id("return-banner")
    [by] = _all(banner, "p", "returned-by")
    assert _text(by).startswith("退回人：李四（经济建设科）（财政业务科室） · 财政审核绩效目标 · "), _text(by)
    assert f"退回理由：{REASON}" in _text(banner)
    clerk.get("/lang/en")
    english = lxml_html.fromstring(clerk.get(f"/tasks/{task.id}").text)
    [by] = _all(english.get_element_by_id("return-banner"), "p", "returned-by")
    assert _text(by).startswith("Returned by: 李四（经济建设科） (Finance reviewer)"), _text(by)


def test_repeated_draft_saves_read_as_one_line_with_their_count(api, web, db_of):
    """A clerk who saves a draft five times leaves one 保存草稿 line on the project page (the
    last, with 共 5 次 and the first time), not five lines between the steps; a step between two
    saves keeps them apart."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    task = waiting_task(api("zhang.san"), PROJECT["code"], "ea_write")
    for n in range(5):
        draft = {"ea_necessity": f"第{n + 1}稿"}
        response = api("zhang.san").post(f"/api/v1/tasks/{task['id']}/draft", json={"data": draft})
        assert response.status_code in (200, 204), response.json
    page = lxml_html.fromstring(web("zhang.san").get(f"/projects/{project_id(db_of, PROJECT['code'])}").text)
    drafts = page.xpath("//li[@data-action='task.draft_saved']")
    assert len(drafts) == 1
    assert "保存草稿" in _text(drafts[0]) and "（共 5 次，首次" in _text(drafts[0])
