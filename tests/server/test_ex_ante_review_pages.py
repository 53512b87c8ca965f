"""The ex-ante review scored per aspect (R-EA-2) with the total computed (issue 10, item 4).

Finance scores each aspect the report must cover (必要性 20, 投入经济性 15, 绩效目标合理性 20,
实施方案可行性 20, 筹资合规性 15, 风险 10: the form's data, adding up to 100); ``ea_finance_score``,
which the BPMN reads against the 80 threshold (R-EA-4), is their sum, computed, never typed. The
page shows it as text; a score over its aspect's points is refused beside the field on the page
and through the API, and nothing is recorded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from demo import form_data as forms
from tests.api_uploads import complete_waiting, waiting_task
from workflows.engine import specs

ROOT = Path(__file__).resolve().parents[2]
FORM = json.loads((ROOT / "forms" / "ex_ante_finance_review.json").read_text(encoding="utf-8"))
PROJECT = {"code": "EA-1", "name": "农村污水管网建设", "fiscal_year": 2026, "amount": 362}


def _task(client, spec: str) -> dict:
    return waiting_task(client, PROJECT["code"], spec)


def _complete(client, spec: str, data: dict) -> None:
    complete_waiting(client, PROJECT["code"], spec, data)


@pytest.fixture
def review_task(api, db_of) -> str:
    """A new project's ex-ante report, approved by the unit head: the finance review is open."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 362))
    _complete(api("wang.head"), "ea_head", forms.head_approval())
    return _task(api("li.si"), "ea_finance_review")["id"]


def test_r_ea_2_the_aspects_points_are_data_adding_up_to_100():
    points = {k: FORM["properties"][k]["maximum"] for k, _p in forms.EX_ANTE_ASPECTS}
    assert points == dict(forms.EX_ANTE_ASPECTS) and sum(points.values()) == 100
    assert set(points) <= set(FORM["required"]) and "ea_finance_score" not in FORM["required"]


def test_r_ea_2_the_page_asks_a_score_per_aspect_and_shows_the_total_as_text(web, review_task):
    html = web("li.si").get(f"/tasks/{review_task}").text
    for title in ("项目必要性（20分）", "投入经济性（15分）", "绩效目标合理性（20分）", "风险可控性（10分）"):
        assert title in html
    assert '<output id="ea_finance_score"' in html and 'name="ea_finance_score"' not in html
    assert "系统自动计算" in html


def test_r_ea_2_a_typed_total_is_ignored_the_sum_of_the_aspects_is_recorded(api, review_task):
    data = {**forms.ex_ante_review(86.5), "ea_finance_score": 100}
    done = api("li.si").post(f"/api/v1/tasks/{review_task}/complete", json={"data": data})
    assert done.status_code == 200, done.json
    project = api("zhou.perf").get("/api/v1/projects?q=EA-1").json["items"][0]
    decisions = api("zhou.perf").get(f"/api/v1/projects/{project['id']}").json["decisions"]
    [review] = [d for d in decisions if d["step"] == "ea_finance_review"]
    assert review["values"]["ea_finance_score"] == 86.5
    assert project["stage"] == "targets"  # 86.5 ≥ 80 (R-EA-4)


def test_r_ea_4_aspects_adding_up_below_80_stop_the_project(api, review_task):
    done = api("li.si").post(
        f"/api/v1/tasks/{review_task}/complete", json={"data": forms.ex_ante_review(79.5, "不支持")}
    )
    assert done.status_code == 200, done.json
    project = api("zhou.perf").get("/api/v1/projects?q=EA-1").json["items"][0]
    assert project["stage"] != "targets"


def test_r_ea_2_an_aspect_over_its_points_is_refused_on_page_and_api(web, api, review_task):
    data = {**forms.ex_ante_review(86), "ea_score_necessity": 22}  # 必要性 is worth 20
    page = web("li.si").post(
        f"/tasks/{review_task}", {**{k: str(v) for k, v in data.items()}, "action": "submit"}
    )
    assert page.status_code == 400, page.text[:300]
    assert 'data-field="ea_score_necessity"' in page.text and "不能大于 20" in page.text
    answer = api("li.si").post(f"/api/v1/tasks/{review_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {"ea_score_necessity": ["不能大于 20"]}
    assert _task(api("li.si"), "ea_finance_review")["id"] == review_task  # nothing recorded


def test_r_ea_2_a_missing_aspect_is_refused_on_page_and_api(web, api, review_task):
    data = forms.ex_ante_review(86)
    del data["ea_score_risk"]
    page = web("li.si").post(
        f"/tasks/{review_task}", {**{k: str(v) for k, v in data.items()}, "action": "submit"}
    )
    assert page.status_code == 400 and 'data-field="ea_score_risk"' in page.text
    answer = api("li.si").post(f"/api/v1/tasks/{review_task}/complete", json={"data": data})
    assert answer.status_code == 400 and "ea_score_risk" in answer.json["fields"]


def test_a_draft_shows_the_total_of_what_was_scored(web, review_task):
    me = web("li.si")
    draft = {k: str(v) for k, v in forms.ex_ante_aspects(88).items()}
    saved = me.post(f"/tasks/{review_task}", {**draft, "action": "draft"})
    assert saved.status_code in (200, 302), saved.text[:300]
    html = me.get(f"/tasks/{review_task}").text
    assert '<output id="ea_finance_score" class="computed" aria-live="polite">88</output>' in html


def test_r_ea_4_support_with_a_total_the_table_does_not_support_is_refused_on_page_and_api(
    web, api, review_task
):
    """支持 at 79.5: the deployed ex_ante_decision table (not the form) says no; the page and the API
    refuse it on the conclusion in the table's words, and nothing is recorded."""
    data = forms.ex_ante_review(79.5, "支持")
    assert "80" not in json.dumps(FORM["x-checks"], ensure_ascii=False)  # the threshold is the table's
    page = web("li.si").post(
        f"/tasks/{review_task}", {**{k: str(v) for k, v in data.items()}, "action": "submit"}
    )
    assert page.status_code == 400, page.text[:300]
    assert '<span class="field-error" data-field="ea_finance_conclusion" role="alert">' in page.text
    assert "评分低于80分，不进入预算安排：不能选择“支持”" in page.text
    answer = api("li.si").post(f"/api/v1/tasks/{review_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {
        "ea_finance_conclusion": ["评分低于80分，不进入预算安排：不能选择“支持”"]
    }
    assert _task(api("li.si"), "ea_finance_review")["id"] == review_task  # nothing recorded
    project = api("zhou.perf").get("/api/v1/projects?q=EA-1").json["items"][0]
    assert project["stage"] == "ex_ante"


def test_the_live_total_flags_a_score_over_its_points_and_does_not_add_it(web, review_task):
    """The page's running total (POST …/computed, nothing saved): 22 on the 20-point 必要性 is
    flagged on its field with the words the submit refuses it with, and the total is invalid."""
    me = web("li.si")
    typed = {k: str(v) for k, v in forms.ex_ante_aspects(86).items()}
    shown = me.post(f"/tasks/{review_task}/computed", typed).json
    assert shown == {"values": {"ea_finance_score": 86}, "errors": {}, "invalid": []}
    over = me.post(f"/tasks/{review_task}/computed", {**typed, "ea_score_necessity": "22"}).json
    assert over["errors"] == {"ea_score_necessity": ["不能大于 20"]}
    assert over["invalid"] == ["ea_finance_score"]
    page = me.post(
        f"/tasks/{review_task}",
        {**typed, "ea_score_necessity": "22", "ea_finance_conclusion": "支持", "action": "submit"},
    )
    assert page.status_code == 400 and "不能大于 20" in page.text
    assert 'class="computed invalid"' in page.text  # the refused page shows the total as invalid too
    assert 'id="error-summary"' in page.text and 'href="#field-ea_score_necessity"' in page.text


def test_the_printed_expert_panel_is_the_one_chosen_not_the_whole_pool(web, review_task):
    """Paper (print.css hides the pool's list where a printed value stands beside it) names only
    the experts chosen for this project's panel."""
    from lxml import html as lxml_html

    me = web("li.si")
    chosen = ["sun.expert", "wang.expert"]
    saved = me.post(f"/tasks/{review_task}", {"experts": chosen, "action": "draft"})
    assert saved.status_code in (200, 302), saved.text[:300]
    page = lxml_html.fromstring(me.get(f"/tasks/{review_task}").text)
    field = page.get_element_by_id("field-experts")
    options = {o.get("value"): o.text_content() for o in field.xpath(".//select/option")}
    assert len(options) == 3 and set(chosen) < set(options)  # the pool offers a third expert
    [printed] = field.xpath('.//*[@class="print-value"]')
    assert printed.text_content() == "、".join(options[u] for u in chosen)
    [select] = field.xpath(".//select")
    assert select.getnext() is printed  # the select then its printed value: print.css shows only the value


def test_the_first_expert_to_hand_in_reads_submitted_not_returned(web, api, db_of, review_task):
    """Walk of session 11: the first of two experts submitting read 「已退回至…（孙丽华），待其修改后
    重新提交：专家评审打分」. The other expert's sheet was open before and stays open; a submission
    that opens nothing new returns nothing, on the page and in the bell."""
    panel = {**forms.ex_ante_review(88, next_step="专家评审"), "experts": ["sun.expert", "wang.expert"]}
    done = api("li.si").post(f"/api/v1/tasks/{review_task}/complete", json={"data": panel})
    assert done.status_code == 200, done.json
    [sheet] = [t for t in api("wang.expert").get("/api/v1/tasks?scope=mine").json["items"]]
    expert = web("wang.expert")
    sent = expert.post(f"/tasks/{sheet['id']}", {**forms.ex_ante_expert_sheet(88), "action": "complete"})
    assert sent.status_code == 302, sent.text[:500]
    flash = re.search(r'data-flash="done">(.*?)</div>', expert.get("/inbox").text, re.S).group(1)
    assert "已退回" not in flash and "已提交。项目当前环节：专家评审打分" in flash
    bell = api("sun.expert").get("/api/v1/notifications").json
    assert not [n for n in bell if "退回" in n["message"]]
