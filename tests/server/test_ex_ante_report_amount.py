"""The ex-ante report's 申请金额 stays within the project's amount, and its pledge must be ticked
(issue 10): the unit sees 项目金额 as text beside 申请金额; more than the project's amount, or an
unticked 承诺, is refused beside the field on the page and through the API, and nothing is
recorded; the finance reviewer then reads the amounts as 1,380.00 in 前序环节."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from demo import form_data as forms
from tests.api_uploads import upload_named_files, waiting_task
from workflows.engine import specs

from .test_bound_rows_pages import posted

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"code": "EA-AMT", "name": "城区排水管网改造", "fiscal_year": 2026, "amount": 1380}
TOO_MUCH = "申请金额不能超过项目金额 1,380.00 万元"


def _task(client, spec: str) -> dict:
    return waiting_task(client, PROJECT["code"], spec)


def _recorded_steps(api) -> list[str]:
    project = api("zhou.perf").get(f"/api/v1/projects?q={PROJECT['code']}").json["items"][0]
    decisions = api("zhou.perf").get(f"/api/v1/projects/{project['id']}").json["decisions"]
    return [d["step"] for d in decisions if d["kind"] == "task"]


@pytest.fixture
def report_task(api, db_of) -> str:
    """A new project of 1,380 万元 (the real bpmn/): its ex-ante report open for the unit."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    task_id = _task(api("zhang.san"), "ea_write")["id"]
    # 评估报告附件: the report uploaded in the task's 附件 first, as the unit does
    upload_named_files(api("zhang.san"), task_id, forms.ex_ante_report(PROJECT["name"], 1380))
    return task_id


def test_the_api_refuses_a_requested_amount_above_the_projects_and_records_nothing(api, report_task):
    data = forms.ex_ante_report(PROJECT["name"], 1380.01)
    answer = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {"ea_requested_amount_wan": [TOO_MUCH]}
    assert _task(api("zhang.san"), "ea_write")["id"] == report_task  # still open, nothing recorded
    assert "ea_write" not in _recorded_steps(api)


def test_the_api_refuses_a_raised_project_amount_posted_beside_it(api, report_task):
    data = {**forms.ex_ante_report(PROJECT["name"], 1500), "ea_project_amount_wan": 2000}
    answer = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {
        "ea_project_amount_wan": ["项目金额（万元）应与项目申报的内容一致，不能修改"]
    }
    assert "ea_write" not in _recorded_steps(api)


def test_the_api_accepts_the_projects_amount_and_records_it_beside_the_request(api, report_task):
    data = forms.ex_ante_report(PROJECT["name"], 1380)
    answer = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answer.status_code == 200, answer.json
    project = api("zhou.perf").get(f"/api/v1/projects?q={PROJECT['code']}").json["items"][0]
    decisions = api("zhou.perf").get(f"/api/v1/projects/{project['id']}").json["decisions"]
    [report] = [d for d in decisions if d["step"] == "ea_write"]
    assert report["values"]["ea_requested_amount_wan"] == 1380
    assert report["values"]["ea_project_amount_wan"] == 1380  # held from the project, not typed


def test_the_page_shows_the_project_amount_as_text_and_marks_the_pledge_required(web, report_task):
    html = web("zhang.san").get(f"/tasks/{report_task}").text
    assert '<span class="bound-value fixed-value" id="ea_project_amount_wan-shown">1,380.00</span>' in html
    assert 'type="text" inputmode="decimal" name="ea_project_amount_wan"' not in html
    pledge = re.search(r'<label for="ea_truth_pledge">([^<]*)(<span class="req">\*</span>)?</label>', html)
    assert pledge and pledge.group(2), "the pledge carries the required mark"


def test_the_page_refuses_too_much_beside_the_field_keeping_what_was_typed(web, api, report_task):
    me = web("zhang.san")
    body = {k: v for k, v in posted(me.get(f"/tasks/{report_task}").text).items() if k != "csrf_token"}
    typed = forms.ex_ante_report(PROJECT["name"], 1500)
    body.update({k: str(v) for k, v in typed.items() if k != "ea_truth_pledge"})
    body.update({"ea_truth_pledge": "1", "action": "submit"})
    refused = me.post(f"/tasks/{report_task}", body)
    assert refused.status_code == 400
    assert (
        f'<span class="field-error" data-field="ea_requested_amount_wan" role="alert">{TOO_MUCH}</span>'
        in (refused.text)
    )
    assert typed["ea_necessity"] in refused.text and 'value="1500"' in refused.text
    assert "ea_write" not in _recorded_steps(api)


def test_the_error_summary_names_a_raised_project_amount_once(web, report_task):
    """Walk finding: 「项目金额（万元）：项目金额（万元）应与项目申报的内容一致」 said the label twice."""
    me = web("zhang.san")
    body = {k: v for k, v in posted(me.get(f"/tasks/{report_task}").text).items() if k != "csrf_token"}
    body.update({k: str(v) for k, v in forms.ex_ante_report(PROJECT["name"], 1380).items()})
    body.update({"ea_truth_pledge": "1", "ea_project_amount_wan": "2000", "action": "submit"})
    refused = me.post(f"/tasks/{report_task}", body)
    assert refused.status_code == 400
    summary = " ".join(
        lxml_html.fromstring(refused.text).get_element_by_id("error-summary").text_content().split()
    )
    assert "项目金额（万元）应与项目申报的内容一致，不能修改" in summary
    assert summary.count("项目金额（万元）") == 1, summary


def test_the_page_refuses_an_unticked_pledge_beside_it(web, api, report_task):
    me = web("zhang.san")
    body = {k: v for k, v in posted(me.get(f"/tasks/{report_task}").text).items() if k != "csrf_token"}
    typed = forms.ex_ante_report(PROJECT["name"], 1380)
    body.update({k: str(v) for k, v in typed.items() if k != "ea_truth_pledge"})  # left unticked
    body["action"] = "submit"
    refused = me.post(f"/tasks/{report_task}", body)
    assert refused.status_code == 400
    assert (
        '<span class="field-error" data-field="ea_truth_pledge" role="alert">请勾选此项</span>'
        in refused.text
    )
    assert "ea_write" not in _recorded_steps(api)


def test_the_finance_reviewer_reads_the_amounts_with_separators_and_two_decimals(web, api, report_task):
    data = forms.ex_ante_report(PROJECT["name"], 1234.5)
    done = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert done.status_code == 200, done.json
    head = api("wang.head").post(
        f"/api/v1/tasks/{_task(api('wang.head'), 'ea_head')['id']}/complete",
        json={"data": forms.head_approval()},
    )
    assert head.status_code == 200, head.json
    html = web("li.si").get(f"/tasks/{_task(api('li.si'), 'ea_finance_review')['id']}").text
    earlier = html[html.index('id="earlier-steps"') : html.index('class="decide"')]
    assert "<dt>申请金额（万元）</dt>\n  <dd>1,234.50</dd>" in earlier
    assert "<dt>项目金额（万元）</dt>\n  <dd>1,380.00</dd>" in earlier


# --- 评估报告附件: the name of a file uploaded to this instance, nothing typed --------------------


def test_the_api_refuses_a_report_file_never_uploaded_and_records_nothing(api, report_task):
    data = {**forms.ex_ante_report(PROJECT["name"], 1380), "ea_report_attachment": "未上传的报告.pdf"}
    answer = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {"ea_report_attachment": ["请选择已上传的附件"]}
    assert _task(api("zhang.san"), "ea_write")["id"] == report_task  # still open, nothing recorded
    assert "ea_write" not in _recorded_steps(api)


def test_an_unknown_report_file_is_told_together_with_the_forms_other_errors(api, report_task):
    data = {**forms.ex_ante_report(PROJECT["name"], 1380.01), "ea_report_attachment": "未上传的报告.pdf"}
    answer = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {
        "ea_report_attachment": ["请选择已上传的附件"],
        "ea_requested_amount_wan": [TOO_MUCH],
    }


def test_the_page_offers_the_uploaded_files_by_name(web, report_task):
    html = web("zhang.san").get(f"/tasks/{report_task}").text
    report = forms.ex_ante_report(PROJECT["name"], 1380)["ea_report_attachment"]
    assert f'<option value="{report}"  translate="no">{report}</option>' in html
    assert "请先在下方“附件”处上传，再在此选择" not in html  # the hint only while nothing is uploaded


def test_the_page_refuses_a_posted_name_never_uploaded_beside_the_field(web, api, report_task):
    me = web("zhang.san")
    body = {k: v for k, v in posted(me.get(f"/tasks/{report_task}").text).items() if k != "csrf_token"}
    typed = forms.ex_ante_report(PROJECT["name"], 1380)
    body.update({k: str(v) for k, v in typed.items() if k != "ea_truth_pledge"})
    body.update({"ea_truth_pledge": "1", "ea_report_attachment": "未上传的报告.pdf", "action": "submit"})
    refused = me.post(f"/tasks/{report_task}", body)
    assert refused.status_code == 400
    assert (
        '<span class="field-error" data-field="ea_report_attachment" role="alert">请选择已上传的附件</span>'
        in refused.text
    )
    assert "ea_write" not in _recorded_steps(api)


def test_an_english_page_words_the_forms_refusals_in_english_keeping_their_figures(web, api, report_task):
    """A form's own check (申请金额不能超过项目金额 {…} 万元) and a held field's refusal read in
    English on an English page, the figure they quote as the Chinese has it; the API still
    answers in the words stored with the form."""
    me = web("zhang.san")
    me.get("/lang/en")
    shown = {k: v for k, v in posted(me.get(f"/tasks/{report_task}").text).items() if k != "csrf_token"}

    def refusals(amount, **changed) -> tuple[dict, str]:
        body = {**shown, **{k: str(v) for k, v in forms.ex_ante_report(PROJECT["name"], amount).items()}}
        refused = me.post(
            f"/tasks/{report_task}", {**body, "ea_truth_pledge": "1", "action": "submit", **changed}
        )
        assert refused.status_code == 400
        page = lxml_html.fromstring(refused.text)
        summary = " ".join(page.get_element_by_id("error-summary").text_content().split())
        return {e.get("data-field"): e.text_content() for e in page.find_class("field-error")}, summary

    said, summary = refusals(1500)
    assert said == {
        "ea_requested_amount_wan": "The requested amount cannot exceed the project amount of 1,380.00 (10k CNY)"
    }
    assert "申请金额" not in summary and "：" not in summary, summary  # English punctuation too
    said, summary = refusals(1380, ea_project_amount_wan="2000")
    assert said == {
        "ea_project_amount_wan": "Project amount (10k CNY) should be as the project was declared; it cannot be changed"
    }
    assert "应与" not in summary, summary
    data = forms.ex_ante_report(PROJECT["name"], 1500)
    answered = api("zhang.san").post(f"/api/v1/tasks/{report_task}/complete", json={"data": data})
    assert answered.status_code == 400 and answered.json["fields"] == {"ea_requested_amount_wan": [TOO_MUCH]}
