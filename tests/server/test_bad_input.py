"""Bad input never gets through and never answers 500 (issue 9 item 7).

Every case goes through the page (a form post) and the API (``/api/v1``), answers 400 (or
413 for a body over the limit) with a Chinese field error, and changes nothing: the rows, the
task and the audit log are as they were.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from workflows.store import AuditEvent, Comment, DesignerDraft, HumanTask, Project

from .conftest import open_task

VALID_SUBMIT_PAGE = {
    "amount": "362",
    "start_date": "2026-05-31",
    "category": "service",
    "channel": "local",
    "summary": "农村人居环境整治",
    "confirmed": "1",
    "indicators-0-name": "村庄覆盖率",
    "indicators-0-target": "≥90%",
    "indicators-0-weight": "50",
}
VALID_SUBMIT_API = {
    "amount": 362,
    "start_date": "2026-05-31",
    "indicators": [{"name": "污水处理率", "target": "≥95%", "weight": 50}],
}
NEW_PROJECT = {
    "code": "T-BAD",
    "name": "测试项目",
    "fiscal_year": "2026",
    "amount": "100",
    "process_id": "review",
}

LONE_SURROGATE = "\ud800"
DEEP = 100_000


def counts(db) -> dict:
    with db.reading() as session:
        return {
            "audit": session.scalar(select(func.count()).select_from(AuditEvent)),
            "comments": session.scalar(select(func.count()).select_from(Comment)),
            "projects": session.scalar(select(func.count()).select_from(Project)),
            "open_tasks": session.scalar(
                select(func.count()).select_from(HumanTask).where(HumanTask.status == "open")
            ),
            "drafts": session.scalar(select(func.count()).select_from(DesignerDraft)),
        }


def task_state(db, task_id: str) -> tuple:
    with db.reading() as session:
        task = session.get(HumanTask, task_id)
        return task.status, task.draft


def raw_json(client_api, url: str, text: str):
    """Post a JSON body exactly as written (``NaN``, ``"\\ud800"``, deep arrays…)."""
    return client_api.post(url, data=text.encode("utf-8"), content_type="application/json")


def assert_api_field_error(response, field: str | None = None, status: int = 400):
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json
    assert {"error", "message", "fields"} <= set(body), body
    if field is not None:
        assert any(k == field or k.startswith(field + "/") for k in body["fields"]), body
        messages = [m for k, v in body["fields"].items() for m in v]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages


def assert_page_error(response, status: int = 400):
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert "text/html" in response.headers["Content-Type"]
    assert "Traceback" not in response.text


# --- a task form: the page ----------------------------------------------------------


@pytest.fixture
def submit_task(db_of):
    return open_task(db_of, project_code="WZ2026-002", task_spec="submit")


PAGE_TASK_CASES = {
    # a table cell with no maxLength of its own: the default for a single line applies
    "long_text_in_cell": {"indicators-0-target": "长" * 3000},
    # a textarea with its own maxLength (2000)
    "long_textarea": {"summary": "长" * 2001},
    "nan_number": {"amount": "NaN"},
    "infinite_number": {"amount": "inf"},
    "negative_infinity": {"indicators-0-weight": "-Infinity"},
    "nul_in_text": {"indicators-0-name": "村庄\x00覆盖率"},
}


@pytest.mark.parametrize("case", PAGE_TASK_CASES)
def test_bad_task_form_on_the_page_is_a_field_error_and_changes_nothing(case, web, db_of, submit_task):
    me = web("zhang.san")
    before = counts(db_of), task_state(db_of, submit_task.id)
    response = me.post(
        f"/tasks/{submit_task.id}", {**VALID_SUBMIT_PAGE, **PAGE_TASK_CASES[case], "action": "submit"}
    )
    assert_page_error(response)
    assert 'class="field-error' in response.text or "field-error" in response.text
    # nothing changes but the task's draft: a refused submit keeps what was typed (issue 10), as
    # 保存草稿 does, and says so in the audit log
    after = counts(db_of), task_state(db_of, submit_task.id)
    kept = after[0]["audit"] - before[0]["audit"]
    assert {**after[0], "audit": 0} == {**before[0], "audit": 0} and after[1][0] == before[1][0] == "open"
    with db_of.reading() as session:
        newest = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(kept)).all()
    assert set(newest) <= {"task.draft_saved"}


@pytest.mark.parametrize("case", ["nul_in_text", "long_text_in_cell"])
def test_bad_draft_on_the_page_is_refused_and_changes_nothing(case, web, db_of, submit_task):
    me = web("zhang.san")
    before = counts(db_of), task_state(db_of, submit_task.id)
    response = me.post(
        f"/tasks/{submit_task.id}", {**VALID_SUBMIT_PAGE, **PAGE_TASK_CASES[case], "action": "draft"}
    )
    assert_page_error(response)
    assert (counts(db_of), task_state(db_of, submit_task.id)) == before


def test_a_page_post_over_the_body_limit_is_413_in_chinese_with_a_way_back(web, db_of, submit_task):
    me = web("zhang.san")
    before = counts(db_of)
    response = me.post(
        f"/tasks/{submit_task.id}", {**VALID_SUBMIT_PAGE, "summary": "长" * 1_000_000, "action": "submit"}
    )
    assert_page_error(response, 413)
    assert "提交的内容过大" in response.text
    assert f'href="/tasks/{submit_task.id}"' in response.text  # back to where the user was
    assert counts(db_of) == before


# --- a task form: the API -----------------------------------------------------------


def _complete_body(**overrides) -> str:
    data = json.dumps({**VALID_SUBMIT_API, **overrides}, ensure_ascii=False)
    return '{"data": ' + data + "}"


API_TASK_CASES = {
    # field errors name the field inside the form's data, as the form's own errors do
    "megabyte_text": (
        _complete_body(indicators=[{"name": "x", "target": "长" * 1_000_000}]),
        "indicators/0/target",
    ),
    "long_textarea": (_complete_body(summary="长" * 2001), "summary"),
    "nan_literal": (_complete_body().replace('"amount": 362', '"amount": NaN'), "data/amount"),
    "infinity_literal": (_complete_body().replace('"amount": 362', '"amount": Infinity'), "data/amount"),
    "lone_surrogate": (_complete_body().replace("污水处理率", "\\ud800"), "indicators/0/name"),
    "nul": (_complete_body().replace("污水处理率", "\\u0000"), "indicators/0/name"),
    "surrogate_in_a_key": (
        _complete_body(indicators=[{"name": "a", "target": "b", "x": 1}]).replace('"x"', '"\\udc00"'),
        "indicators/0",
    ),
    "deep_array": ('{"data": {"amount": ' + "[" * DEEP + "]" * DEEP + "}}", None),
    # deeper than any JSON body may be: refused while parsing, at its place in the body
    "deep_body": (
        '{"data": {"indicators": [{"name": "a", "target": "b", "x": ' + "[" * 200 + "]" * 200 + "}]}}",
        "data",
    ),
    # a JSON body may hold it, task data may not
    "deeper_than_task_data": (
        '{"data": {"indicators": [{"name": "a", "target": "b", "x": ' + "[" * 12 + "]" * 12 + "}]}}",
        "indicators/0/x",
    ),
}


@pytest.mark.parametrize("case", API_TASK_CASES)
def test_bad_task_data_through_the_api_is_400_and_changes_nothing(case, api, db_of, submit_task):
    me = api("zhang.san")
    body, field = API_TASK_CASES[case]
    before = counts(db_of), task_state(db_of, submit_task.id)
    response = raw_json(me, f"/api/v1/tasks/{submit_task.id}/complete", body)
    assert_api_field_error(response, field)
    assert (counts(db_of), task_state(db_of, submit_task.id)) == before


@pytest.mark.parametrize("case", ["megabyte_text", "nan_literal", "lone_surrogate", "nul", "deep_array"])
def test_bad_draft_through_the_api_is_400_and_changes_nothing(case, api, db_of, submit_task):
    me = api("zhang.san")
    body, field = API_TASK_CASES[case]
    before = counts(db_of), task_state(db_of, submit_task.id)
    response = raw_json(me, f"/api/v1/tasks/{submit_task.id}/draft", body)
    assert_api_field_error(response, field)
    assert (counts(db_of), task_state(db_of, submit_task.id)) == before


def test_an_api_body_over_the_limit_is_413_json(api, db_of, submit_task):
    me = api("zhang.san")
    before = counts(db_of)
    body = _complete_body(summary="x" * 8 * 1024 * 1024)
    response = raw_json(me, f"/api/v1/tasks/{submit_task.id}/complete", body)
    assert_api_field_error(response, status=413)
    assert response.json["error"] == "too_large"
    assert counts(db_of) == before


def test_start_data_is_checked_like_task_data(api, db_of):
    me = api("zhou.perf")
    before = counts(db_of)
    body = '{"process_id": "review", "data": {"note": "x", "n": NaN}}'
    assert_api_field_error(raw_json(me, "/api/v1/instances", body), "data/n")
    for text in ("\\u0000", "\\ud800"):
        body = '{"process_id": "review", "data": {"note": "' + text + '"}}'
        assert_api_field_error(raw_json(me, "/api/v1/instances", body), "note")
    assert counts(db_of) == before


def test_valid_data_still_completes_after_the_checks(api, submit_task):
    response = api("zhang.san").post(
        f"/api/v1/tasks/{submit_task.id}/complete",
        json={"data": {**VALID_SUBMIT_API, "summary": "长" * 2000}},
    )
    assert response.status_code == 200, response.json


# --- comments -----------------------------------------------------------------------

COMMENT_CASES = {
    "lone_surrogate": ('{"body": "\\ud800"}', "body"),
    "surrogate_pair_halves_reversed": ('{"body": "\\udc00\\ud800"}', "body"),
    "nul": ('{"body": "a\\u0000b"}', "body"),
    "too_long": (json.dumps({"body": "长" * 4001}), "body"),
    "not_text": ('{"body": ["a"]}', "body"),
    "deep": ('{"body": ' + "[" * DEEP + "]" * DEEP + "}", None),
}


@pytest.mark.parametrize("case", COMMENT_CASES)
def test_bad_comment_through_the_api_is_400_and_changes_nothing(case, api, db_of, submit_task):
    body, field = COMMENT_CASES[case]
    me = api("zhang.san")
    before = counts(db_of)
    response = raw_json(me, f"/api/v1/tasks/{submit_task.id}/comments", body)
    assert_api_field_error(response, field)
    assert counts(db_of) == before


@pytest.mark.parametrize("text", ["a\x00b", "长" * 4001], ids=["nul", "too_long"])
def test_bad_comment_on_the_page_is_a_field_error_and_changes_nothing(text, web, db_of, submit_task):
    me = web("zhang.san")
    before = counts(db_of)
    response = me.post(f"/tasks/{submit_task.id}/comments", {"body": text})
    assert_page_error(response)
    assert "field-error" in response.text
    assert counts(db_of) == before


def test_a_lone_surrogate_in_a_posted_form_never_reaches_the_database(web, db_of, submit_task):
    """Browsers send UTF-8; a byte sequence for a surrogate (ED A0 80) is not UTF-8 at all."""
    me = web("zhang.san")
    response = me.client.post(
        f"/tasks/{submit_task.id}/comments",
        data=b"csrf_token=" + me.token.encode() + b"&body=a%ED%A0%80b",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400), response.status_code
    with db_of.reading() as session:
        for body in session.scalars(select(Comment.body)):
            assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in body)


# --- projects -----------------------------------------------------------------------

PROJECT_CASES = {
    "surrogate_name": ("name", LONE_SURROGATE),
    "nul_name": ("name", "项目\x00名称"),
    "nul_code": ("code", "T\x00X"),
    "long_name": ("name", "长" * 201),
    "nan_amount": ("amount", "NaN"),
    "infinite_amount": ("amount", "Infinity"),
}


@pytest.mark.parametrize("case", PROJECT_CASES)
def test_bad_project_through_the_api_is_400_and_changes_nothing(case, api, db_of):
    field, value = PROJECT_CASES[case]
    body = {**NEW_PROJECT, "fiscal_year": 2026, "amount": 100}
    text = json.dumps({**body, field: "__VALUE__"})
    if value in ("NaN", "Infinity"):
        text = text.replace('"__VALUE__"', value)
    else:
        text = text.replace('"__VALUE__"', json.dumps(value))
    me = api("zhang.san")
    before = counts(db_of)
    response = raw_json(me, "/api/v1/projects", text)
    assert_api_field_error(response, None if value in ("NaN", "Infinity") else field)
    assert counts(db_of) == before


@pytest.mark.parametrize("case", [c for c in PROJECT_CASES if c != "surrogate_name"])
def test_bad_project_on_the_page_is_a_field_error_and_changes_nothing(case, web, db_of):
    field, value = PROJECT_CASES[case]
    me = web("zhang.san")
    before = counts(db_of)
    response = me.post("/projects/new", {**NEW_PROJECT, field: value})
    assert_page_error(response)
    assert "field-error" in response.text or "error" in response.text
    assert counts(db_of) == before


def test_a_deep_project_body_is_400_not_500(api, db_of):
    me = api("zhang.san")
    before = counts(db_of)
    response = raw_json(me, "/api/v1/projects", "[" * DEEP + "]" * DEEP)
    assert_api_field_error(response)
    response = raw_json(me, "/api/v1/projects", '{"name": ' + "[" * 5000 + "]" * 5000 + "}")
    assert_api_field_error(response)
    assert counts(db_of) == before


@pytest.mark.parametrize("q", ["\x00", "长" * 101])
def test_bad_searches_are_field_errors(q, api, web):
    assert_api_field_error(api("zhang.san").get("/api/v1/projects", query_string={"q": q}), "q")
    assert_api_field_error(api("zhang.san").get("/api/v1/tasks", query_string={"q": q}), "q")
    assert_page_error(web("zhang.san").get("/projects", query_string={"q": q}))


# --- administration -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url,body,field",
    [
        ("/api/v1/admin/units", {"code": "U9", "name": "单位\x00"}, "name"),
        ("/api/v1/admin/units", {"code": "U9", "name": LONE_SURROGATE}, "name"),
        (
            "/api/v1/admin/experts",
            {"username": "x.y", "display_name": "专家", "fields": ["给排水\x00"]},
            "fields",
        ),
    ],
)
def test_bad_admin_text_is_a_field_error(url, body, field, api, db_of):
    me = api("admin")
    before = counts(db_of)
    response = raw_json(me, url, json.dumps(body))
    assert_api_field_error(response, field)
    assert counts(db_of) == before


def test_bad_admin_text_on_the_page_is_a_field_error(web, db_of):
    me = web("admin")
    before = counts(db_of)
    response = me.post("/admin/units", {"code": "U9", "name": "单位\x00"})
    assert_page_error(response)
    assert counts(db_of) == before


# --- designer drafts ----------------------------------------------------------------


def test_a_draft_file_over_the_limit_is_refused(web, db_of):
    me = web("designer")
    me.get("/designer/workbench")
    before = counts(db_of)
    response = me.client.put(
        "/designer/draft/files/huge.json",
        json={"text": "x" * (12 * 1024 * 1024)},
        headers={"X-CSRFToken": me.token},
    )
    assert response.status_code == 413, response.status_code
    assert response.json["error"] == "too_large"
    response = me.client.put(
        "/designer/draft/files/big.json",
        json={"text": "x" * (2 * 1024 * 1024 + 1)},
        headers={"X-CSRFToken": me.token},
    )
    assert_api_field_error(response, "text")
    assert counts(db_of) == before


@pytest.mark.parametrize("text", ['{"title": "\\ud800"}', '{"title": "\\u0000"}'], ids=["surrogate", "nul"])
def test_a_draft_file_with_unsavable_characters_is_refused(text, web, db_of):
    me = web("designer")
    me.get("/designer/workbench")
    before = counts(db_of)
    response = me.client.put(
        "/designer/draft/files/bad.json",
        data=('{"text": ' + json.dumps(text)[:-1].replace("\\\\u", "\\u") + '"}').encode(),
        content_type="application/json",
        headers={"X-CSRFToken": me.token},
    )
    assert_api_field_error(response, "text")
    assert counts(db_of) == before


def test_a_draft_bundle_over_its_total_limit_is_refused(web, db_of):
    from workflows.commands import designer as drafts

    me = web("designer")
    me.get("/designer/workbench")
    chunk = "x" * (drafts.MAX_FILE_BYTES - 100)
    saved = 0
    response = None
    for index in range(drafts.MAX_BUNDLE_BYTES // len(chunk) + 2):
        response = me.client.put(
            f"/designer/draft/files/filler{index}.json",
            json={"text": chunk},
            headers={"X-CSRFToken": me.token},
        )
        if response.status_code != 200:
            break
        saved += 1
    assert saved < drafts.MAX_BUNDLE_BYTES // len(chunk) + 2
    assert_api_field_error(response, "text")
    assert "草稿" in response.json["fields"]["text"][0]


def test_a_deeply_nested_form_preview_is_an_error_not_a_500(web):
    me = web("designer")
    response = me.client.post(
        "/designer/forms/preview", json={"text": "[" * DEEP + "]" * DEEP}, headers={"X-CSRFToken": me.token}
    )
    assert response.status_code == 200 and response.json["html"] is None


def test_a_deeply_nested_draft_form_lints_without_a_500(web):
    me = web("designer")
    me.get("/designer/workbench")
    saved = me.client.put(
        "/designer/draft/files/deep.json",
        json={"text": "[" * DEEP + "]" * DEEP},
        headers={"X-CSRFToken": me.token},
    )
    assert saved.status_code in (200, 400)
    response = me.client.post("/designer/draft/lint", headers={"X-CSRFToken": me.token})
    assert response.status_code == 200


# --- uploads still work under the body limits ---------------------------------------


def test_an_upload_near_the_attachment_limit_still_works(api, app, submit_task):
    size = app.config["JIXIAO_MAX_ATTACHMENT_BYTES"] - 1024
    response = api("zhang.san").post(
        f"/api/v1/tasks/{submit_task.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 " + b"0" * size), "大文件.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.text[:300]


def test_an_upload_over_the_request_limit_is_413_json(api, app, db_of, submit_task):
    me = api("zhang.san")
    before = counts(db_of)
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = me.post(
        f"/api/v1/tasks/{submit_task.id}/attachments",
        data={"file": (io.BytesIO(b"0" * size), "太大.pdf")},
        content_type="multipart/form-data",
    )
    assert_api_field_error(response, status=413)
    assert counts(db_of) == before
