"""/api/v1/poverty (DOMAIN R-AS-2): the months, a month's ranking and a unit's row, the office's
review and a unit's rectification through the same commands as the pages; field errors for bad
input (nothing changed), 409 for a task completed meanwhile."""

from __future__ import annotations

from sqlalchemy import select

from workflows import clock
from workflows.store import HumanTask, PovertyIssue, PovertyMonth, ProcessInstance
from workflows.timers import fire_due_timers

from . import test_poverty_pages as pages
from .test_poverty_pages import YEAR, YJ, ZJ, published, unit_ids

office = pages.office  # the pages' fixture: the real bundle, a poverty-fund project per unit


def _open_may(db, perf) -> None:
    started = perf.post("/api/v1/poverty/years", json={"year": YEAR})
    assert started.status_code == 201, started.text
    assert sorted(started.json["started"], key=int) == [str(m) for m in range(3, 13)]
    at = clock.parse_moment(f"{YEAR}-06-01T00:00:00")
    clock.set_now(at)
    with db.reading() as session:
        iid = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.business_key == f"poverty-ranking-{YEAR}-05")
        )
    assert fire_due_timers(db, iid, now=at) == 1


def test_R_AS_2_the_api_starts_the_year_once_and_only_for_the_office(office, api):
    perf = api("zhou.perf")
    assert perf.post("/api/v1/poverty/years", json={"year": YEAR}).status_code == 201
    again = perf.post("/api/v1/poverty/years", json={"year": YEAR})
    assert again.status_code == 201 and again.json["started"] == {}
    bad = perf.post("/api/v1/poverty/years", json={"year": "二〇二六"})
    assert bad.status_code == 400 and "year" in bad.json["fields"]
    assert api("zhang.san").post("/api/v1/poverty/years", json={"year": YEAR}).status_code == 403
    (year,) = perf.get("/api/v1/poverty/years").json
    assert year["fiscal_year"] == YEAR and [m["status"] for m in year["months"]][:3] == [
        "not_started",
        "not_started",
        "waiting",
    ]


def test_R_AS_2_the_api_review_refuses_bad_input_field_by_field_and_a_second_completion(office, db_of, api):
    perf = api("zhou.perf")
    _open_may(db_of, perf)
    perf = api("zhou.perf")  # a new token: the clock moved past the first one's 12 hours
    may = perf.get("/api/v1/poverty/years").json[0]["months"][4]
    assert may["status"] == "reviewing" and may["task_spec"] == "pr_review"
    task_id = may["task_id"]
    sheet = perf.get(f"/api/v1/poverty/tasks/{task_id}/review").json
    ids = unit_ids(db_of)
    assert {r["unit_name"] for r in sheet["rows"]} == {ZJ, YJ} and sheet["rules"]["adjust_max"] == 10
    zj = str(ids[ZJ])
    url = f"/api/v1/poverty/tasks/{task_id}/review"
    for body, field in (
        ({"adjustments": {zj: 2}}, f"reason_{zj}"),  # an adjustment needs its reason
        ({"adjustments": {zj: 12}, "reasons": {zj: "x"}}, f"adjustment_{zj}"),  # beyond ±10
        ({"adjustments": {zj: "很多"}}, "adjustments"),  # not a number
        ({"adjustments": {"99999": 1}, "reasons": {"99999": "x"}}, "adjustments"),  # not on the sheet
        ({"adjustments": {"甲": 1}}, "adjustments"),  # not an id
    ):
        refused = perf.post(url, json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert field in str(refused.json["fields"]), (body, refused.json)
    # the generic door refuses the dedicated task
    assert perf.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}).status_code == 422
    assert api("zhang.san").post(url, json={}).status_code == 403
    with db_of.reading() as session:
        assert session.get(HumanTask, task_id).status == "open"
    done = perf.post(url, json={"adjustments": {zj: 1}, "reasons": {zj: "已提交项目整合方案"}})
    assert done.status_code == 200, done.text
    assert [t["task_spec"] for t in done.json["next_tasks"]] == ["pr_approve"]
    again = perf.post(url, json={"adjustments": {zj: 1}, "reasons": {zj: "已提交项目整合方案"}})
    assert again.status_code == 409 and again.json["error"] == "conflict"


def test_R_AS_2_the_api_reads_the_ranking_and_a_units_row_as_each_reader_may(office, db_of, web, api):
    month_id = published(db_of, office, web)
    ids = unit_ids(db_of)
    zhang = api("zhang.san")
    ranking = zhang.get(f"/api/v1/poverty/months/{month_id}").json
    assert ranking["month"]["status"] == "published" and [r["rank"] for r in ranking["rows"]] == [1, 2]
    assert ranking["all_units"] is False and {i["unit_name"] for i in ranking["issues"]} == {ZJ}
    assert ranking["rows"][-1]["unit_name"] == ZJ and ranking["rows"][-1]["supervise"] is True
    mine = zhang.get(f"/api/v1/poverty/months/{month_id}/units/{ids[ZJ]}").json
    assert mine["row"]["unit_name"] == ZJ and mine["row"]["points"]["small_projects"] == 1
    assert mine["row"]["total"] == ranking["rows"][-1]["total"]
    assert [i["kind_name"] for i in mine["issues"]] == ["细散小项目"]
    other = api("li.na").get(f"/api/v1/poverty/months/{month_id}/units/{ids[ZJ]}").json
    assert other["row"]["unit_name"] == ZJ and other["issues"] == []  # the ranking is public, items are not
    assert zhang.get(f"/api/v1/poverty/months/{month_id}/units/999999").status_code == 404
    assert zhang.get("/api/v1/poverty/months/999999").status_code == 404


def test_R_AS_2_the_api_unit_rectifies_each_item_once(office, db_of, web, api):
    published(db_of, office, web)
    with db_of.reading() as session:
        (task,) = session.scalars(select(HumanTask).where(HumanTask.task_spec == "pr_rectify")).all()
        (issue,) = session.scalars(select(PovertyIssue)).all()
    url = f"/api/v1/poverty/tasks/{task.id}/rectify"
    assert api("li.na").get(url).status_code == 404  # another unit's task
    assert api("li.na").post(url, json={"measures": {str(issue.id): "x"}}).status_code == 404
    zhang = api("zhang.san")
    sheet = zhang.get(url).json
    assert sheet["status"] == "open" and [i["id"] for i in sheet["issues"]] == [issue.id]
    assert zhang.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {}}).status_code == 422
    for body, field in (
        ({"measures": {str(issue.id): " "}}, f"measure_{issue.id}"),
        ({"measures": {}}, f"measure_{issue.id}"),
        ({"measures": {str(issue.id): "并入", "424242": "x"}}, "measures"),
        ({}, "measures"),
        ({"measures": {str(issue.id): "长" * 1001}}, "measures"),
    ):
        refused = zhang.post(url, json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert field in str(refused.json["fields"]), (body, refused.json)
    with db_of.reading() as session:
        assert session.get(PovertyIssue, issue.id).measure is None
    done = zhang.post(url, json={"measures": {str(issue.id): "并入全乡道路硬化项目统一实施"}})
    assert done.status_code == 200, done.text
    with db_of.reading() as session:
        assert session.get(PovertyIssue, issue.id).measure == "并入全乡道路硬化项目统一实施"
        assert session.get(HumanTask, task.id).status == "completed"
        assert session.scalar(select(PovertyMonth.published))
    again = zhang.post(url, json={"measures": {str(issue.id): "再报一次"}})
    assert again.status_code == 409


def test_R_AS_2_the_openapi_document_lists_the_poverty_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/poverty/years",
        "/api/v1/poverty/months/{month_id}",
        "/api/v1/poverty/months/{month_id}/units/{unit_id}",
        "/api/v1/poverty/tasks/{task_id}/review",
        "/api/v1/poverty/tasks/{task_id}/rectify",
    ):
        assert path in paths, path


def test_R_AS_2_api_inbox_rows_name_the_month_a_poverty_task_evaluates(office, db_of, api):
    """A poverty-fund task has no project; its API inbox row carries the year and month instead,
    as the inbox page shows 2026年5月扶贫资金项目."""
    perf = api("zhou.perf")
    _open_may(db_of, perf)
    perf = api("zhou.perf")  # a fresh token: the clock moved to June 1
    answer = perf.get("/api/v1/tasks?scope=claimable")
    assert answer.status_code == 200, answer.json
    rows = answer.json["items"]
    (review,) = [r for r in rows if r["task_spec"] == "pr_review"]
    assert (review["poverty_year"], review["poverty_month"]) == (YEAR, 5)
    assert review["project_id"] is None
