"""The designer pages through the test client: who may open them, lint, preview, deploy, export."""

from __future__ import annotations

import io
import json
import zipfile


def test_the_designer_lands_on_the_workbench_list_after_login(app):
    from tests.server.conftest import Browser

    browser = Browser(app.test_client())
    response = browser.login("designer")
    assert response.headers["Location"].endswith("/designer/")
    page = browser.get("/designer/")
    assert "流程与版本" in page.text and "review" in page.text


def test_other_roles_may_not_open_the_designer(web):
    assert web("zhang.san").get("/designer/").status_code == 403
    assert web("zhang.san").get("/designer/workbench").status_code == 403


def test_workbench_opens_the_draft_and_lint_reports_located_errors(web):
    designer = web("designer")
    page = designer.get("/designer/workbench?file=review.bpmn")
    assert page.status_code == 200 and 'data-kind="bpmn"' in page.text
    text = designer.get("/designer/draft/files/review.bpmn").json["text"]
    broken = text.replace(
        'formJsonSchemaFilename" value="review_submit.json', 'formJsonSchemaFilename" value="missing.json'
    )
    assert broken != text
    saved = designer.client.put(
        "/designer/draft/files/review.bpmn", json={"text": broken}, headers={"X-CSRFToken": designer.token}
    )
    assert saved.status_code == 200, saved.text
    errors = designer.client.post("/designer/draft/lint", headers={"X-CSRFToken": designer.token}).json[
        "errors"
    ]
    assert any("missing.json" in e["message"] and e["element"] for e in errors)


def test_form_preview_uses_the_task_pages_renderer(web):
    designer = web("designer")
    schema = '{"type": "object", "properties": {"amount": {"type": "number", "title": "金额（万元）"}}, "required": ["amount"]}'
    body = designer.client.post(
        "/designer/forms/preview", json={"text": schema}, headers={"X-CSRFToken": designer.token}
    ).json
    assert 'name="amount"' in body["html"] and "金额（万元）" in body["html"] and body["error"] is None
    bad = designer.client.post(
        "/designer/forms/preview", json={"text": "{"}, headers={"X-CSRFToken": designer.token}
    )
    assert bad.json["html"] is None and bad.json["error"]


def test_deploy_without_a_note_is_refused_per_field(web):
    designer = web("designer")
    designer.get("/designer/workbench")
    response = designer.post("/designer/draft/deploy", {"note": ""})
    assert response.status_code == 400


def test_export_is_a_zip_of_the_draft(web):
    designer = web("designer")
    response = designer.get("/designer/draft/export.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "review.bpmn" in names


def test_a_form_reads_in_english_when_the_page_is_english(web):
    """One language per page (issue 10 item 1): a form's Chinese words come from the catalogue."""
    designer = web("designer")
    schema = json.dumps(
        {
            "type": "object",
            "properties": {
                "decision": {"type": "string", "title": "审核结论", "enum": ["通过", "退回整改"]},
                "amount": {
                    "type": "number",
                    "title": "申请金额（万元）",
                    "description": "新增项目须开展事前绩效评估。（DOMAIN R-EA-1）",
                },
            },
        },
        ensure_ascii=False,
    )
    preview = lambda: designer.client.post(  # noqa: E731
        "/designer/forms/preview", json={"text": schema}, headers={"X-CSRFToken": designer.token}
    ).json["html"]
    zh = preview()
    assert "审核结论" in zh and ">退回整改<" in zh and "DOMAIN" not in zh
    designer.get("/lang/en")
    en = preview()
    assert "Review decision" in en and "Amount requested (10k CNY)" in en
    assert ">Return for rectification<" in en and 'value="退回整改"' in en  # the stored value stays
    assert "A new project needs an ex-ante performance assessment." in en and "审核" not in en
