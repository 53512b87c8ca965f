"""Who may read what, through every door (issue 9): pages and ``/api/v1``, as each person.

- An expert scores independently (DOMAIN R-EA-3, R-EX-1): no history endpoint or page shows
  them another expert's sheet, finished or in draft, and another expert's task answers 404
  to every verb.
- A finance office reviews its own units (R-RL-1): a reviewer of 经济建设科 (住建局) neither
  lists, opens, claims nor completes anything of 行政政法科's units (应急局), and the other
  way round; the answer is always 404, as for an id that does not exist. The performance
  office and leadership see both.

Each test builds its year through the operator's commands and the API, then prints the whole
matrix when a cell differs.
"""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from demo import form_data as forms
from tests.journeys.conftest import OWN_PASSWORD, PANEL
from tests.server.conftest import Browser

pytestmark = pytest.mark.slow

ZJ_CODE, YJ_CODE = "WZ2027-ZJ-101", "WZ2027-YJ-201"


def at_finance_review(people, code: str, submitter: str, head: str, name: str) -> dict:
    """A new project of the submitter's unit, reported and approved: waiting for finance's review."""
    owner = people(submitter)
    me = owner.call("GET", "/api/v1/me")
    project = owner.call(
        "POST",
        "/api/v1/projects",
        201,
        json={"code": code, "name": name, "unit_id": me["unit_id"], "fiscal_year": 2027, "amount": 260.0},
    )
    owner.complete(code, "ea_write", forms.ex_ante_report(name, 260.0))
    people(head).complete(code, "ea_head", forms.head_approval())
    return project


def page_as(people, username: str) -> Browser:
    people(username)  # their own password set through the API first
    browser = Browser(people.app.test_client())
    assert browser.login(username, OWN_PASSWORD).status_code == 302
    return browser


# --- experts: one sheet never reaches another expert ------------------------------------------


@pytest.fixture
def panel(people):
    """住建局's project with a panel picked from the pool: ex.sun and ex.wang have scored, ex.zhao
    keeps a draft."""
    project = at_finance_review(people, ZJ_CODE, "zj.tian", "zj.head", "老旧供水管网改造")
    picked = people("fin.li").complete(
        ZJ_CODE,
        "ea_finance_review",
        {**forms.ex_ante_review(85, "支持", "专家评审"), "experts": PANEL},
        claim=True,
    )
    assert picked == ["ea_expert_score"] * 3
    tasks = {}
    for expert, score in (("ex.sun", 84), ("ex.wang", 78), ("ex.zhao", 91)):
        caller = people(expert)
        tasks[expert] = caller.task(ZJ_CODE, "ea_expert_score")["id"]
        sheet = forms.ex_ante_expert_sheet(score)
        sheet["expert_opinion"] = f"{expert}独有意见：管网材质选择需论证{score}"
        if expert == "ex.zhao":
            caller.call("POST", f"/api/v1/tasks/{tasks[expert]}/draft", 204, json={"data": sheet})
        else:
            caller.call("POST", f"/api/v1/tasks/{tasks[expert]}/complete", json={"data": sheet})
    assert sorted(tasks) == PANEL
    return {"project": project["id"], "instance": project["instances"][0]["id"], "tasks": tasks}


def test_no_history_door_shows_an_expert_another_experts_sheet(people, panel):
    """R-EA-3: the audit, the instance, the task context, the project and task pages, the diagram."""
    instance, project, tasks = panel["instance"], panel["project"], panel["tasks"]
    doors = {
        "GET /api/v1/instances/{id}/audit": lambda api, page: api.call(
            "GET", f"/api/v1/instances/{instance}/audit"
        ),
        "GET /api/v1/instances/{id}": lambda api, page: api.call("GET", f"/api/v1/instances/{instance}"),
        "GET /api/v1/projects/{id}": lambda api, page: api.call("GET", f"/api/v1/projects/{project}"),
        "GET /api/v1/tasks/{own}": lambda api, page: api.call("GET", f"/api/v1/tasks/{tasks[api.username]}"),
        "GET /api/v1/tasks?scope=completed": lambda api, page: api.call(
            "GET", "/api/v1/tasks?scope=completed"
        ),
        "page /projects/{id}": lambda api, page: page.get(f"/projects/{project}").text,
        "page /tasks/{own}": lambda api, page: page.get(f"/tasks/{tasks[api.username]}").text,
        "page /instances/{id}/diagram.json": lambda api, page: (
            page.get(f"/instances/{instance}/diagram.json").text
        ),
    }
    leaks = []
    for reader in ("ex.sun", "ex.wang", "ex.zhao"):
        api, page = people(reader), page_as(people, reader)
        for door, read in doors.items():
            text = json.dumps(read(api, page), ensure_ascii=False)
            for other in PANEL:
                if other != reader and f"{other}独有意见" in text:
                    leaks.append(f"{reader} reads {other}'s sheet through {door}")
    assert leaks == []
    # the check can see a sheet: the reviewer reads both finished sheets in the history
    history = json.dumps(
        people("fin.li").call("GET", f"/api/v1/instances/{instance}/audit"), ensure_ascii=False
    )
    assert "ex.sun独有意见" in history and "ex.wang独有意见" in history
    assert "ex.zhao独有意见" not in history  # a draft is nobody's history


def test_another_experts_task_answers_404_to_every_verb(people, panel):
    """R-EX-1: ex.sun cannot open, claim, complete, draft, comment on or hand over ex.wang's
    finished task or ex.zhao's open one; nothing changes."""
    tasks = panel["tasks"]
    sun, page = people("ex.sun"), page_as(people, "ex.sun")
    sheet = forms.ex_ante_expert_sheet(10, "不支持")
    answers = {}
    for other in ("ex.wang", "ex.zhao"):
        task = tasks[other]
        answers.update(
            {
                (other, "GET /api/v1/tasks/{id}"): sun.http.get(f"/api/v1/tasks/{task}", headers=sun.headers),
                (other, "POST claim"): sun.http.post(f"/api/v1/tasks/{task}/claim", headers=sun.headers),
                (other, "POST complete"): sun.http.post(
                    f"/api/v1/tasks/{task}/complete", headers=sun.headers, json={"data": sheet}
                ),
                (other, "POST draft"): sun.http.post(
                    f"/api/v1/tasks/{task}/draft", headers=sun.headers, json={"data": sheet}
                ),
                (other, "POST comments"): sun.http.post(
                    f"/api/v1/tasks/{task}/comments", headers=sun.headers, json={"body": "我来替他评"}
                ),
                (other, "POST assign"): sun.http.post(
                    f"/api/v1/tasks/{task}/assign", headers=sun.headers, json={"username": "ex.sun"}
                ),
                (other, "POST panel-member"): sun.http.post(
                    f"/api/v1/tasks/{task}/panel-member", headers=sun.headers, json={"expert": "ex.qian"}
                ),
                (other, "page GET /tasks/{id}"): page.get(f"/tasks/{task}"),
                (other, "page POST /tasks/{id}"): page.post(
                    f"/tasks/{task}", data={"expert_conclusion": "不支持"}
                ),
                (other, "page POST claim"): page.post(f"/tasks/{task}/claim"),
                # the form as a workbook: neither the finished sheet's export nor an import into the open one
                (other, "page GET workbook.xlsx"): page.get(f"/tasks/{task}/workbook.xlsx"),
                (other, "GET /api/v1/tasks/{id}/workbook"): sun.http.get(
                    f"/api/v1/tasks/{task}/workbook", headers=sun.headers
                ),
                (other, "POST /api/v1/tasks/{id}/workbook"): sun.http.post(
                    f"/api/v1/tasks/{task}/workbook",
                    headers=sun.headers,
                    data={"workbook": (io.BytesIO(b"PK"), "a.xlsx")},
                    content_type="multipart/form-data",
                ),
            }
        )
    statuses = {key: response.status_code for key, response in answers.items()}
    assert statuses == {key: 404 for key in answers}
    # ex.zhao's draft and task are untouched: the panel still waits for ex.zhao alone
    zhao = people("ex.zhao").task(ZJ_CODE, "ea_expert_score")
    assert zhao["assignee"] == "ex.zhao" and "ex.zhao独有意见" in zhao["data"]["expert_opinion"]
    assert zhao["context"]["comments"] == []


def test_an_expert_off_the_panel_cannot_find_the_project(people, panel):
    """ex.qian (住建局's own engineer, never drawn) gets 404 for the project and its history."""
    qian, page = people("ex.qian"), page_as(people, "ex.qian")
    answers = {
        "GET /api/v1/projects/{id}": qian.http.get(
            f"/api/v1/projects/{panel['project']}", headers=qian.headers
        ),
        "GET /api/v1/instances/{id}/audit": qian.http.get(
            f"/api/v1/instances/{panel['instance']}/audit", headers=qian.headers
        ),
        "page /projects/{id}": page.get(f"/projects/{panel['project']}"),
    }
    assert {k: r.status_code for k, r in answers.items()} == {k: 404 for k in answers}
    assert qian.call("GET", "/api/v1/projects")["total"] == 0


# --- finance offices and their units (R-RL-1) ------------------------------------------------


@pytest.fixture
def two_offices(people):
    """住建局 (经济建设科) and 应急局 (行政政法科) each with a project waiting for finance's review."""
    made = {}
    for code, submitter, head, reviewer, name in (
        (ZJ_CODE, "zj.tian", "zj.head", "fin.li", "老旧供水管网改造"),
        (YJ_CODE, "yj.lin", "yj.head", "fin.he", "应急物资储备库建设"),
    ):
        project = at_finance_review(people, code, submitter, head, name)
        task = people(reviewer).task(code, "ea_finance_review")  # in its own office's pool
        made[code] = {"project": project["id"], "instance": project["instances"][0]["id"], "task": task["id"]}
    return made


def _reads(people, username: str, world: dict) -> dict:
    """What ``username`` gets for each project's doors: a status, or listed / not listed."""
    api, page = people(username), page_as(people, username)
    listed_tasks = {r["project_code"] for r in api.call("GET", "/api/v1/tasks?scope=claimable")["items"]}
    listed_projects = {p["code"] for p in api.call("GET", "/api/v1/projects")["items"]}
    inbox_page = page.get("/inbox?scope=claimable").text
    projects_page = page.get("/projects").text
    exported = page.get("/projects/export.xlsx")
    exported_cells = (
        {
            str(v)
            for ws in load_workbook(io.BytesIO(exported.data)).worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
        }
        if exported.status_code == 200
        else set()
    )
    cells = {}
    for code, ids in world.items():
        get = lambda url: api.http.get(url, headers=api.headers).status_code  # noqa: E731
        cells.update(
            {
                (code, "API inbox lists it"): code in listed_tasks,
                (code, "API project list lists it"): code in listed_projects,
                (code, "GET /api/v1/tasks/{id}"): get(f"/api/v1/tasks/{ids['task']}"),
                (code, "GET /api/v1/projects/{id}"): get(f"/api/v1/projects/{ids['project']}"),
                (code, "GET /api/v1/instances/{id}"): get(f"/api/v1/instances/{ids['instance']}"),
                (code, "GET /api/v1/instances/{id}/audit"): get(f"/api/v1/instances/{ids['instance']}/audit"),
                (code, "page inbox lists it"): code in inbox_page,
                (code, "page project list lists it"): code in projects_page,
                (code, "page project export lists it"): code in exported_cells,
                (code, "page /tasks/{id}"): page.get(f"/tasks/{ids['task']}").status_code,
                (code, "page /projects/{id}"): page.get(f"/projects/{ids['project']}").status_code,
                (code, "page diagram.json"): page.get(
                    f"/instances/{ids['instance']}/diagram.json"
                ).status_code,
            }
        )
    return cells


def _expected(visible: set[str], world: dict, *, claims: bool, opens_review: bool = True) -> dict:
    cells = {}
    for code in world:
        seen = code in visible
        status = 200 if seen else 404
        task_status = 200 if seen and opens_review else 404
        cells.update(
            {
                (code, "API inbox lists it"): seen and claims,
                (code, "API project list lists it"): seen,
                (code, "GET /api/v1/tasks/{id}"): task_status,
                (code, "GET /api/v1/projects/{id}"): status,
                (code, "GET /api/v1/instances/{id}"): status,
                (code, "GET /api/v1/instances/{id}/audit"): status,
                (code, "page inbox lists it"): seen and claims,
                (code, "page project list lists it"): seen,
                (code, "page project export lists it"): seen,
                (code, "page /tasks/{id}"): task_status,
                (code, "page /projects/{id}"): status,
                (code, "page diagram.json"): status,
            }
        )
    return cells


@pytest.mark.parametrize(
    ("username", "visible", "claims", "opens_review"),
    [
        ("fin.li", {ZJ_CODE}, True, True),  # 经济建设科 → 住建局
        ("fin.he", {YJ_CODE}, True, True),  # 行政政法科 → 应急局
        ("perf.zhou", {ZJ_CODE, YJ_CODE}, False, True),  # the performance office oversees all
        ("lead.liu", {ZJ_CODE, YJ_CODE}, False, True),
        # a unit's staff: their own unit's project, but not finance's open review of it
        ("yj.lin", {YJ_CODE}, False, False),
    ],
)
def test_each_office_reads_its_own_units_only(people, two_offices, username, visible, claims, opens_review):
    found = _reads(people, username, two_offices)
    assert found == _expected(visible, two_offices, claims=claims, opens_review=opens_review)


def test_a_reviewer_cannot_claim_or_complete_another_offices_task(people, two_offices):
    """经济建设科's reviewer on 应急局's review: 404 at every door, and the task stays in 行政政法科's pool."""
    li, page = people("fin.li"), page_as(people, "fin.li")
    task = two_offices[YJ_CODE]["task"]
    review = {**forms.ex_ante_review(90), "ea_finance_comment": "越权审核"}
    answers = {
        "POST /api/v1/tasks/{id}/claim": li.http.post(f"/api/v1/tasks/{task}/claim", headers=li.headers),
        "POST /api/v1/tasks/{id}/complete": li.http.post(
            f"/api/v1/tasks/{task}/complete", headers=li.headers, json={"data": review}
        ),
        "POST /api/v1/tasks/{id}/assign": li.http.post(
            f"/api/v1/tasks/{task}/assign", headers=li.headers, json={"username": "fin.li"}
        ),
        "page POST /tasks/{id}/claim": page.post(f"/tasks/{task}/claim"),
        "page POST /tasks/{id}": page.post(f"/tasks/{task}", data={k: str(v) for k, v in review.items()}),
    }
    assert {k: r.status_code for k, r in answers.items()} == {k: 404 for k in answers}
    he = people("fin.he")
    assert (  # still unclaimed, still 行政政法科's
        he.task(YJ_CODE, "ea_finance_review")["assignee"] is None
        and ("ea_finance_review", YJ_CODE) in he.waiting()
    )
