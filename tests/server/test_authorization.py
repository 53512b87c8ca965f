"""Authorization matrix: endpoint × role × own/other unit → allowed, 403 or 404 (DESIGN 8).

The resource is a project of unit U001 (住建局) whose first task (填报, unit_submitter) is open.
Everything a user may not see answers 404, so ids cannot be probed; a visible task that the
user's role may not act on answers 403. A finance reviewer of another office (he.fin, 行政政法科)
is a stranger to U001's work (DOMAIN R-RL-1).
"""

from __future__ import annotations

import io

import pytest

from .conftest import open_task, project_id

# user: (role, unit relation to the project)
USERS = {
    "zhang.san": "unit_submitter, own unit",
    "li.na": "unit_submitter, other unit",
    "wang.head": "unit_head, own unit",
    "chen.head": "unit_head, other unit",
    "li.si": "finance_reviewer, the office of the project's unit (R-RL-1)",
    "he.fin": "finance_reviewer, another office (R-RL-1): sees nothing of U001",
    "zhou.perf": "performance_office",
    "liu.leader": "leadership",
    "wang.expert": "expert, not assigned",
    "tp.audit": "third_party, not involved",
    "designer": "designer",
    "admin": "admin",
}

OK = "ok"
# endpoint -> expected answer per user (OK means 2xx)
MATRIX = {
    "project": {
        "zhang.san": OK,
        "wang.head": OK,
        "li.si": OK,
        "zhou.perf": OK,
        "liu.leader": OK,
        "admin": OK,
    },
    "instance": {
        "zhang.san": OK,
        "wang.head": OK,
        "li.si": OK,
        "zhou.perf": OK,
        "liu.leader": OK,
        "admin": OK,
    },
    "audit": {"zhang.san": OK, "wang.head": OK, "li.si": OK, "zhou.perf": OK, "liu.leader": OK, "admin": OK},
    "attachment": {
        "zhang.san": OK,
        "wang.head": OK,
        "li.si": OK,
        "zhou.perf": OK,
        "liu.leader": OK,
        "admin": OK,
    },
    "task": {"zhang.san": OK, "zhou.perf": OK, "liu.leader": OK, "admin": OK},
    "comment": {"zhang.san": OK, "zhou.perf": OK, "liu.leader": OK, "admin": OK},
    "claim": {"zhang.san": OK, "zhou.perf": 403, "liu.leader": 403, "admin": 403},
    "complete": {"zhang.san": 400, "zhou.perf": 403, "liu.leader": 403, "admin": 403},
    "project_page": {
        "zhang.san": OK,
        "wang.head": OK,
        "li.si": OK,
        "zhou.perf": OK,
        "liu.leader": OK,
        "admin": OK,
    },
    "task_page": {"zhang.san": OK, "zhou.perf": OK, "liu.leader": OK, "admin": OK},
    "diagram": {
        "zhang.san": OK,
        "wang.head": OK,
        "li.si": OK,
        "zhou.perf": OK,
        "liu.leader": OK,
        "admin": OK,
    },
}


@pytest.fixture
def resource(app, db_of, api):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    upload = api("zhang.san").post(
        f"/api/v1/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
        content_type="multipart/form-data",
    )
    return {
        "project": project_id(db_of, "WZ2026-002"),
        "instance": task.instance_id,
        "task": task.id,
        "attachment": upload.json["id"],
    }


def _call(endpoint, user, r, api, web):
    if endpoint.endswith("_page") or endpoint == "diagram":
        client = web(user)
        url = {
            "project_page": f"/projects/{r['project']}",
            "task_page": f"/tasks/{r['task']}",
            "diagram": f"/instances/{r['instance']}/diagram.json",
        }[endpoint]
        return client.get(url)
    client = api(user)
    if endpoint == "project":
        return client.get(f"/api/v1/projects/{r['project']}")
    if endpoint == "instance":
        return client.get(f"/api/v1/instances/{r['instance']}")
    if endpoint == "audit":
        return client.get(f"/api/v1/instances/{r['instance']}/audit")
    if endpoint == "attachment":
        return client.get(f"/api/v1/attachments/{r['attachment']}")
    if endpoint == "task":
        return client.get(f"/api/v1/tasks/{r['task']}")
    if endpoint == "comment":
        return client.post(f"/api/v1/tasks/{r['task']}/comments", json={"body": "意见"})
    if endpoint == "claim":
        return client.post(f"/api/v1/tasks/{r['task']}/claim")
    if endpoint == "complete":
        return client.post(f"/api/v1/tasks/{r['task']}/complete", json={"data": {}})
    raise AssertionError(endpoint)


@pytest.mark.parametrize("user", sorted(USERS))
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_authorization_matrix(endpoint, user, resource, api, web):
    expected = MATRIX[endpoint].get(user, 404)
    response = _call(endpoint, user, resource, api, web)
    if expected == OK:
        assert 200 <= response.status_code < 300, (endpoint, user, response.status_code)
    else:
        assert response.status_code == expected, (endpoint, user, response.status_code)
    if response.status_code >= 400 and endpoint not in ("project_page", "task_page"):
        assert set(response.json) == {"error", "message", "fields"}


def test_other_units_tasks_never_listed(api):
    for scope in ("mine", "claimable", "overdue", "completed"):
        items = api("li.na").get(f"/api/v1/tasks?scope={scope}&per_page=100").json["items"]
        assert all(t["unit_name"] != "万载县住房和城乡建设局" for t in items)


def test_unit_filter_cannot_widen_scope(api, db_of):
    own_unit = api("zhang.san").get("/api/v1/me").json["unit_id"]
    assert api("li.na").get(f"/api/v1/tasks?scope=claimable&unit={own_unit}").json["total"] == 0


def test_project_list_is_unit_scoped(api):
    listing = api("li.na").get("/api/v1/projects").json
    assert {p["code"] for p in listing["items"]} == {"WZ2026-004", "WZ2026-005"} and listing["total"] == 2
    assert api("wang.expert").get("/api/v1/projects").json["items"] == []
