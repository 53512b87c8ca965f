"""The REST API /api/v1: every endpoint, its answers and its error shapes."""

from __future__ import annotations

import io

from sqlalchemy import select

from workflows.store import AuditEvent

from .conftest import open_task, project_id


def _submit_data():
    return {
        "amount": 362,
        "start_date": "2026-05-31",
        "indicators": [{"name": "污水处理率", "target": "≥95%", "weight": 50}],
    }


def test_token_for_valid_password_and_401_for_wrong(api, client):
    assert (
        client.post("/api/v1/auth/token", json={"username": "li.si", "password": "nope"}).status_code == 401
    )
    body = client.post("/api/v1/auth/token", json={"username": "li.si", "password": "nope"}).json
    assert body["error"] == "unauthorized" and "message" in body and body["fields"] == {}
    assert api("li.si").get("/api/v1/me").json["roles"] == ["finance_reviewer"]


def test_calls_without_a_token_answer_401_json(client):
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_me_shows_unit(api):
    me = api("zhang.san").get("/api/v1/me").json
    assert me["username"] == "zhang.san" and me["unit_name"] == "万载县住房和城乡建设局"


def test_processes_lists_deployed_review(api):
    assert "review" in [p["process_id"] for p in api("li.si").get("/api/v1/processes").json]


def test_submitter_creates_project_for_own_unit_and_its_review_starts(api):
    response = api("zhang.san").post(
        "/api/v1/projects",
        json={
            "code": "T-1",
            "name": "测试项目",
            "fiscal_year": 2026,
            "amount": 100.5,
            "process_id": "review",
        },
    )
    assert response.status_code == 201, response.json
    project = response.json
    assert project["amount"] == "100.50" and project["unit_name"] == "万载县住房和城乡建设局"
    assert project["instances"][0]["process_id"] == "review"
    assert project["instances"][0]["current_step"] == "填报绩效目标"


def test_submitter_cannot_create_project_for_other_unit(api, db_of):
    other_unit = api("li.na").get("/api/v1/me").json["unit_id"]
    response = api("zhang.san").post(
        "/api/v1/projects",
        json={"code": "T-2", "name": "越权", "fiscal_year": 2026, "amount": 1, "unit_id": other_unit},
    )
    assert response.status_code == 403 and response.json["error"] == "forbidden"


def test_expert_cannot_create_projects(api):
    response = api("wang.expert").post(
        "/api/v1/projects", json={"code": "T-3", "name": "x", "fiscal_year": 2026, "amount": 1}
    )
    assert response.status_code == 403


def test_invalid_project_body_answers_400_per_field(api):
    response = api("zhang.san").post(
        "/api/v1/projects", json={"code": "", "fiscal_year": "soon", "amount": -1}
    )
    assert response.status_code == 400
    assert {"code", "name", "fiscal_year", "amount"} <= set(response.json["fields"])


def test_duplicate_project_code_is_a_conflict(api):
    response = api("zhang.san").post(
        "/api/v1/projects", json={"code": "WZ2026-001", "name": "重复", "fiscal_year": 2026, "amount": 1}
    )
    assert response.status_code == 409


def test_get_project_own_unit_ok_other_unit_404(api, db_of):
    pid = project_id(db_of, "WZ2026-001")
    assert api("zhang.san").get(f"/api/v1/projects/{pid}").status_code == 200
    assert api("li.na").get(f"/api/v1/projects/{pid}").status_code == 404
    assert api("li.na").get("/api/v1/projects/999999").status_code == 404


def test_start_instance_by_performance_office(api):
    response = api("zhou.perf").post(
        "/api/v1/instances", json={"process_id": "review", "business_key": "K-1"}
    )
    assert response.status_code == 201
    instance = response.json
    assert instance["status"] == "running" and instance["open_tasks"][0]["task_spec"] == "submit"
    again = api("zhou.perf").get(f"/api/v1/instances/{instance['id']}")
    assert again.json["business_key"] == "K-1"
    events = api("zhou.perf").get(f"/api/v1/instances/{instance['id']}/audit").json
    assert [e["action"] for e in events][:2] == ["instance.started", "task.created"]


def test_start_instance_of_unknown_process_is_404(api):
    assert api("zhou.perf").post("/api/v1/instances", json={"process_id": "nope"}).status_code == 404


def test_unit_submitter_may_not_start_free_instances(api):
    assert api("zhang.san").post("/api/v1/instances", json={"process_id": "review"}).status_code == 403


def test_unit_submitter_may_not_inject_start_data(api, db_of):
    pid = project_id(db_of, "WZ2026-001")
    response = api("zhang.san").post(
        "/api/v1/instances", json={"process_id": "review", "project_id": pid, "data": {"decision": "approve"}}
    )
    assert response.status_code == 422 and response.json["error"] == "business_rule_refused"


def test_task_list_scopes(api):
    claimable = api("zhang.san").get("/api/v1/tasks?scope=claimable").json
    assert claimable["total"] == 3  # U001 has three demo projects
    assert {t["unit_name"] for t in claimable["items"]} == {"万载县住房和城乡建设局"}
    assert api("zhang.san").get("/api/v1/tasks?scope=mine").json["total"] == 0
    assert api("li.na").get("/api/v1/tasks?scope=claimable").json["total"] == 2


def test_task_list_filters_and_search(api, db_of):
    me = api("zhang.san")
    assert me.get("/api/v1/tasks?scope=claimable&q=污水").json["total"] == 1
    assert me.get("/api/v1/tasks?scope=claimable&q=WZ2026-00").json["total"] == 3
    assert me.get("/api/v1/tasks?scope=claimable&year=2025").json["total"] == 0
    assert me.get("/api/v1/tasks?scope=claimable&process=review&per_page=2").json["items"].__len__() == 2
    assert me.get("/api/v1/tasks?scope=claimable&fund_type=general_public").json["total"] == 3


def test_task_list_bad_query_is_400(api):
    response = api("zhang.san").get("/api/v1/tasks?scope=everything&page=0")
    assert response.status_code == 400
    assert {"scope", "page"} <= set(response.json["fields"])


def test_task_detail_has_form_schema_data_and_context(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    detail = api("zhang.san").get(f"/api/v1/tasks/{task.id}").json
    assert detail["form"] == "review_submit.json"
    assert detail["form_schema"]["properties"]["amount"]["title"] == "申请金额（万元）"
    assert detail["context"]["project"]["code"] == "WZ2026-002"
    assert detail["project_name"] == "农村人居环境整治"


def test_claim_complete_and_next_owner_sees_it(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    assert me.post(f"/api/v1/tasks/{task.id}/claim").status_code == 204
    assert me.get("/api/v1/tasks?scope=mine").json["total"] == 1
    response = me.post(f"/api/v1/tasks/{task.id}/complete", json={"data": _submit_data()})
    assert response.status_code == 200, response.json
    assert response.json["next_tasks"][0]["task_spec"] == "head_approve"
    assert response.json["instance"]["current_step"] == "单位负责人审核"
    head_inbox = api("wang.head").get("/api/v1/tasks?scope=claimable").json
    assert [t["task_spec"] for t in head_inbox["items"]] == ["head_approve"]
    assert api("chen.head").get("/api/v1/tasks?scope=claimable").json["total"] == 0
    assert me.get("/api/v1/tasks?scope=completed").json["total"] == 1


def test_complete_with_invalid_data_is_400_with_chinese_field_errors_and_saves_nothing(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    response = me.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {"amount": -5, "indicators": []}})
    assert response.status_code == 400
    body = response.json
    assert body["error"] == "form_invalid"
    assert body["fields"]["amount"] == ["不能小于 0"]
    assert "start_date" in body["fields"] and "indicators" in body["fields"]
    assert me.get(f"/api/v1/tasks/{task.id}").json["status"] == "open"


def test_complete_twice_is_409(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    assert me.post(f"/api/v1/tasks/{task.id}/complete", json={"data": _submit_data()}).status_code == 200
    again = me.post(f"/api/v1/tasks/{task.id}/complete", json={"data": _submit_data()})
    assert again.status_code == 409 and again.json["error"] == "task_already_completed"
    assert again.json["message"] == "该任务已办结，不能重复提交"  # said in Chinese, no task id


def test_first_claim_audits_no_previous_holder(api, db_of):
    task = open_task(db_of, project_code="WZ2026-005", task_spec="submit")
    assert api("li.na").post(f"/api/v1/tasks/{task.id}/claim").status_code == 204
    with db_of.reading() as session:
        claimed = session.scalars(
            select(AuditEvent).where(AuditEvent.task_id == task.id, AuditEvent.action == "task.claimed")
        ).one()
    assert claimed.data == {"assignee": "li.na", "previous": None}


def test_claim_twice_and_unclaim_unclaimed_are_409(api, db_of):
    task = open_task(db_of, project_code="WZ2026-005", task_spec="submit")
    other = api("li.na")
    assert other.post(f"/api/v1/tasks/{task.id}/claim").status_code == 204
    again = other.post(f"/api/v1/tasks/{task.id}/claim")
    # walk of session 11: a second 认领 (a double click) read 「已被他人认领」 though it was one's own
    assert (
        again.status_code == 409
        and "你已认领该任务" in again.json["message"]
        and "他人" not in again.json["message"]
    )
    assert other.post(f"/api/v1/tasks/{task.id}/unclaim").status_code == 204
    response = other.post(f"/api/v1/tasks/{task.id}/unclaim")
    assert response.status_code == 409 and response.json["error"] == "not_claimed_by_you"


def test_completing_a_task_claimed_by_someone_else_is_409(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    assert api("zhang.san").post(f"/api/v1/tasks/{task.id}/claim").status_code == 204
    response = api("zhou.perf").post(f"/api/v1/tasks/{task.id}/complete", json={"data": _submit_data()})
    assert response.status_code == 409 and response.json["error"] == "not_claimed_by_you"


def test_assign_to_colleague_without_role_is_403(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    me.post(f"/api/v1/tasks/{task.id}/claim")
    response = me.post(f"/api/v1/tasks/{task.id}/assign", json={"username": "li.si"})
    assert response.status_code == 403
    assert me.post(f"/api/v1/tasks/{task.id}/assign", json={}).status_code == 400


def test_comments_and_attachments_round_trip(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    comment = me.post(f"/api/v1/tasks/{task.id}/comments", json={"body": "请补充测算依据"})
    assert comment.status_code == 201 and comment.json["author"] == "zhang.san"
    assert me.post(f"/api/v1/tasks/{task.id}/comments", json={"body": ""}).status_code == 400
    upload = me.post(
        f"/api/v1/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 demo"), "测算依据.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    attachment = upload.json
    assert len(attachment["sha256"]) == 64
    download = me.get(f"/api/v1/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 demo"
    assert api("li.na").get(f"/api/v1/attachments/{attachment['id']}").status_code == 404
    detail = me.get(f"/api/v1/tasks/{task.id}").json
    assert detail["context"]["comments"][0]["body"] == "请补充测算依据"
    assert detail["context"]["attachments"][0]["filename"] == "测算依据.pdf"


def test_executable_upload_is_refused(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    response = api("zhang.san").post(
        f"/api/v1/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "file" in response.json["fields"]


def test_draft_is_kept_and_prefills(api, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = api("zhang.san")
    assert me.post(f"/api/v1/tasks/{task.id}/draft", json={"data": {"amount": 12}}).status_code == 204
    assert me.get(f"/api/v1/tasks/{task.id}").json["data"] == {"amount": 12}


def test_unknown_task_is_404_json(api):
    response = api("li.si").get("/api/v1/tasks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/auth/token",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/projects",
    ):
        assert path in spec["paths"]
