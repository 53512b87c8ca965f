"""People through the front door: finance offices and their units (R-RL-1), the expert pool
(R-EX-1), administration pages and API (role admin), first sign-in with a one-time password."""

from __future__ import annotations

from sqlalchemy import select

from workflows.store import AuditEvent, User

from .conftest import Browser, csrf_of, open_task, project_id
from .test_pages import VALID_SUBMIT

# demo: 经济建设科 (li.si) reviews U001 住建局, 行政政法科 (he.fin) reviews U002 应急局
OWN, OTHER = "WZ2026-002", "WZ2026-005"  # U001, U002


def _review_task(web, db_of, code):
    task = open_task(db_of, project_code=code, task_spec="submit")
    submitter = "zhang.san" if code == OWN else "li.na"
    head = "wang.head" if code == OWN else "chen.head"
    assert web(submitter).post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"}).status_code == 302
    head_task = open_task(db_of, project_code=code, task_spec="head_approve")
    web(head).post(f"/tasks/{head_task.id}", {"head_approved": "1", "action": "submit"})
    return open_task(db_of, project_code=code, task_spec="finance_review")


def test_R_RL_1_reviewer_sees_only_their_offices_units(api, db_of, web):
    """li.si (经济建设科 → U001) sees, reads and claims U001's review; U002's answers 404."""
    own = _review_task(web, db_of, OWN)
    other = _review_task(web, db_of, OTHER)
    li = api("li.si")
    claimable = {t["id"] for t in li.get("/api/v1/tasks?scope=claimable&per_page=100").json["items"]}
    assert own.id in claimable and other.id not in claimable
    assert li.get(f"/api/v1/tasks/{other.id}").status_code == 404
    assert li.post(f"/api/v1/tasks/{other.id}/claim").status_code == 404
    assert li.get(f"/api/v1/projects/{project_id(db_of, OTHER)}").status_code == 404
    assert web("li.si").get(f"/projects/{project_id(db_of, OTHER)}").status_code == 404
    codes = {p["code"] for p in li.get("/api/v1/projects").json["items"]}
    assert OWN in codes and OTHER not in codes
    assert li.post(f"/api/v1/tasks/{own.id}/claim").status_code == 204
    he = api("he.fin")  # 行政政法科 → U002: the mirror image
    assert he.post(f"/api/v1/tasks/{other.id}/claim").status_code == 204
    assert he.get(f"/api/v1/tasks/{own.id}").status_code == 404


def test_R_RL_1_performance_office_and_leadership_see_every_unit(api, db_of):
    for user in ("zhou.perf", "liu.leader"):
        codes = {p["code"] for p in api(user).get("/api/v1/projects").json["items"]}
        assert {OWN, OTHER} <= codes


def test_R_RL_1_a_review_is_handed_only_to_a_reviewer_of_the_same_office(api, db_of, web):
    own = _review_task(web, db_of, OWN)
    li = api("li.si")
    li.post(f"/api/v1/tasks/{own.id}/claim")
    assert li.post(f"/api/v1/tasks/{own.id}/assign", json={"username": "he.fin"}).status_code == 403


def test_R_RL_1_admin_moves_a_unit_to_another_office_and_the_reviewer_follows(api, db_of, web):
    other = _review_task(web, db_of, OTHER)
    admin = api("admin")
    offices = {o["name"]: o for o in admin.get("/api/v1/admin/offices").json}
    units = {u["code"]: u["id"] for u in admin.get("/api/v1/admin/units").json}
    moved = admin.client.put(
        f"/api/v1/admin/offices/{offices['经济建设科']['id']}",
        headers=admin.headers,
        json={"name": "经济建设科", "unit_ids": [units["U001"], units["U002"]]},
    )
    assert moved.status_code == 200 and moved.json["unit_codes"] == ["U001", "U002"]
    assert api("li.si").get(f"/api/v1/tasks/{other.id}").status_code == 200
    assert api("he.fin").get(f"/api/v1/tasks/{other.id}").status_code == 404


def test_admin_api_is_for_admins_only(api):
    for user in ("li.si", "zhou.perf"):
        assert api(user).get("/api/v1/admin/users").status_code == 403
        assert api(user).post("/api/v1/admin/units", json={"code": "U9", "name": "x"}).status_code == 403


def test_bad_admin_input_answers_field_errors_and_changes_nothing(api, db_of):
    admin = api("admin")
    before = len(admin.get("/api/v1/admin/users").json)
    bad = admin.post("/api/v1/admin/users", json={"username": "a b", "display_name": "", "roles": ["wizard"]})
    assert bad.status_code == 400
    assert {"username", "display_name", "roles"} <= set(bad.json["fields"])
    assert (
        admin.post("/api/v1/admin/experts", json={"username": "x.y", "display_name": "x"}).status_code == 400
    )
    assert len(admin.get("/api/v1/admin/users").json) == before


def test_admin_created_user_sets_their_own_password_at_first_sign_in(api, app):
    created = api("admin").post(
        "/api/v1/admin/users",
        json={
            "username": "qian.new",
            "display_name": "钱新",
            "roles": ["unit_submitter"],
            "unit_code": "U001",
        },
    )
    assert created.status_code == 201
    one_time = created.json["one_time_password"]
    browser = Browser(app.test_client())
    login = browser.get("/login")
    response = browser.post(
        "/login", {"username": "qian.new", "password": one_time, "csrf_token": csrf_of(login.text)}
    )
    assert response.status_code == 302 and response.location.endswith("/account/password")
    assert browser.get("/inbox").location.endswith("/account/password")  # nothing else first
    page = browser.get("/account/password")
    refused = browser.post(
        "/account/password", {"password": one_time, "new_password": "short", "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 400
    done = browser.post(
        "/account/password",
        {"password": one_time, "new_password": "Qian@2026new", "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 302
    assert browser.get("/inbox").status_code == 200
    client = app.test_client()
    assert (
        client.post("/api/v1/auth/token", json={"username": "qian.new", "password": one_time}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "qian.new", "password": "Qian@2026new"}
        ).status_code
        == 201
    )


def test_a_one_time_password_gets_no_api_token_until_replaced(api, app):
    one_time = (
        api("admin")
        .post(
            "/api/v1/admin/users", json={"username": "api.new", "display_name": "新", "roles": ["leadership"]}
        )
        .json["one_time_password"]
    )
    client = app.test_client()
    assert (
        client.post("/api/v1/auth/token", json={"username": "api.new", "password": one_time}).status_code
        == 403
    )
    changed = client.post(
        "/api/v1/auth/password",
        json={"username": "api.new", "password": one_time, "new_password": "Api@2026new"},
    )
    assert changed.status_code == 204
    assert (
        client.post("/api/v1/auth/token", json={"username": "api.new", "password": "Api@2026new"}).status_code
        == 201
    )


def test_R_EX_1_admin_adds_an_expert_to_the_pool_on_the_page(web, db_of):
    admin = web("admin")
    page = admin.get("/admin/experts")
    assert page.status_code == 200 and "wang.expert" in page.text
    response = admin.post(
        "/admin/experts",
        {
            "username": "li.expert",
            "display_name": "李教授",
            "fields": "给排水；环境工程",
            "unit_code": "U002",
        },
    )
    assert response.status_code == 302, response.text
    listed = admin.get("/admin/experts").text
    assert "li.expert" in listed and "给排水、环境工程" in listed
    refused = admin.post("/admin/experts", {"username": "no.fields", "display_name": "无"})
    assert refused.status_code == 400 and 'data-field="fields"' in refused.text
    with db_of.reading() as session:
        user = session.scalar(select(User).where(User.username == "li.expert"))
        assert user.roles == {"expert"} and user.must_change_password
        assert session.scalar(select(User).where(User.username == "no.fields")) is None
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "expert.added").limit(1))


def test_admin_pages_list_units_users_and_offices(web):
    admin = web("admin")
    assert "经济建设科" in admin.get("/admin/offices").text
    assert "U002" in admin.get("/admin/units").text
    users = admin.get("/admin/users").text
    assert "he.fin" in users and "行政政法科" in users
    assert web("li.si").get("/admin/users").status_code == 403
