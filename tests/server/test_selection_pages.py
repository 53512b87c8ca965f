"""The selection workbench page and ``/api/v1/selection``: the same schemas, the same refusals.

DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7 (the rules themselves: tests/scenarios/test_selection.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import PASSWORD, project_id
from workflows.engine import specs

ROOT = Path(__file__).resolve().parents[2]
FILES = ("annual_selection.bpmn", "selection_quotas.dmn")


@pytest.fixture
def selection_bundle(db_of):
    files = {name: (ROOT / "bpmn" / name).read_text(encoding="utf-8") for name in FILES}
    files["annual_selection.json"] = (ROOT / "forms" / "annual_selection.json").read_text(encoding="utf-8")
    with db_of.unit_of_work() as session:
        specs.deploy(session, files, actor="designer")
        session.commit()


def test_the_office_starts_the_year_ticks_and_sees_the_quotas_in_chinese(web, db_of, selection_bundle):
    office = web("zhou.perf")
    started = office.post("/selection", {"fiscal_year": "2026"})
    assert started.status_code == 302 and started.headers["Location"].endswith("/selection/2026")
    page = office.get("/selection/2026").text
    assert "城市污水处理厂提标改造" in page and "未达标" in page
    assert "万载县住房和城乡建设局：部门评价覆盖 0.00 万元" in page

    big = project_id(db_of, "WZ2026-001")
    live = office.post("/selection/2026/check", {"dept_eval": str(big)})
    assert live.status_code == 200
    unit_check = next(c for c in live.json["checks"] if c["category"] == "dept_eval" and c["passed"])
    assert "万载县住房和城乡建设局" in unit_check["message"]

    saved = office.post("/selection/2026", {"dept_eval": str(big), "lock_version": "1"})
    assert saved.status_code == 302
    stale = office.post("/selection/2026", {"dept_eval": str(big), "lock_version": "1"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text

    refused = office.post("/selection/2026/confirm", {"note": ""})
    assert refused.status_code == 400
    assert "尚有选取比例未达标，不能确认" in refused.text
    assert "未达到不少于 10 个的要求" in refused.text

    drawn = office.post("/selection/2026/draw", {})
    assert drawn.status_code == 302
    again = office.post("/selection/2026/draw", {})
    assert again.status_code == 400 and "重新抽取须填写理由" in again.text


def test_the_task_in_the_inbox_opens_the_workbench(web, db_of, selection_bundle):
    from sqlalchemy import select

    from workflows.store import HumanTask

    office = web("zhou.perf")
    office.post("/selection", {"fiscal_year": "2026"})
    with db_of.reading() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "sel_choose"))
    opened = office.get(f"/tasks/{task_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/selection/2026")
    # and the generic API cannot complete it around the quotas: 422, the task still open
    token = office.client.post("/api/v1/auth/token", json={"username": "zhou.perf", "password": PASSWORD})
    around = office.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"sel_quotas_met": True}},
        headers={"Authorization": f"Bearer {token.json['token']}"},
    )
    assert around.status_code == 422 and "工作台" in around.json["message"]


def test_a_unit_submitter_may_not_open_the_selection(web, api, selection_bundle):
    assert web("zhang.san").get("/selection").status_code == 403
    assert api("zhang.san").get("/api/v1/selection/2026").status_code == 403


def test_the_api_reads_saves_draws_and_refuses_like_the_page(api, db_of, selection_bundle):
    office = api("zhou.perf")
    started = office.post("/api/v1/selection", json={"fiscal_year": 2026})
    assert started.status_code == 201, started.text
    body = started.json
    assert body["status"] == "draft" and len(body["candidates"]) == 5
    assert body["quotas"]["third_party_min_count"] == 10
    first = next(c for c in body["candidates"] if c["code"] == "WZ2026-001")
    assert first["is_key"] and not first["evaluated_before"]

    ids = [c["project_id"] for c in body["candidates"]]
    put = office.client.put(
        "/api/v1/selection/2026",
        json={"third_party": ids, "lock_version": body["lock_version"]},
        headers=office.headers,
    )
    assert put.status_code == 200, put.text
    assert sorted(next(c for c in put.json["checks"] if c["scope"] == "count").items())
    stale = office.client.put(
        "/api/v1/selection/2026", json={"third_party": ids, "lock_version": 1}, headers=office.headers
    )
    assert stale.status_code == 409
    bad = office.client.put("/api/v1/selection/2026", json={"third_party": ["x"]}, headers=office.headers)
    assert bad.status_code == 400 and "third_party" in bad.json["fields"]

    drawn = office.post("/api/v1/selection/2026/draw", json={})
    assert drawn.status_code == 201 and len(drawn.json["sample"]) == 3 and drawn.json["spot_seed"]
    assert office.post("/api/v1/selection/2026/draw", json={}).status_code == 400
    confirm = office.post("/api/v1/selection/2026/confirm", json={})
    assert confirm.status_code == 400
    assert any("第三方重点评价" in m for ms in confirm.json["fields"].values() for m in ms)


def test_the_workbench_lists_one_unit_when_asked_and_its_save_keeps_the_others(web, db_of, selection_bundle):
    from sqlalchemy import select

    from workflows.queries import selection
    from workflows.store import BudgetUnit

    office = web("zhou.perf")
    office.post("/selection", {"fiscal_year": "2026"})
    with db_of.reading() as session:
        yj = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == "U002"))
    other = project_id(db_of, "WZ2026-001")  # 住建局's
    assert office.post("/selection/2026", {"third_party": str(other), "lock_version": "1"}).status_code == 302
    page = office.get(f"/selection/2026?unit={yj}").text
    assert "智慧消防建设" in page and "城市污水处理厂提标改造" not in page
    mine = project_id(db_of, "WZ2026-004")
    saved = office.post("/selection/2026", {"third_party": str(mine), "unit_id": str(yj)})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/selection/2026?unit={yj}")
    with db_of.reading() as session:
        assert selection.chosen(session, 2026)["third_party"] == {other, mine}
