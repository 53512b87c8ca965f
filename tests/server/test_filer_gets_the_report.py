"""A project's first work is its filer's (walk of session 12): the unit's staff member who creates a
project finds 编制事前绩效评估报告 in 我的任务, not in the unit's 待认领 where any colleague could take
it; a report sent back comes back to them. A project the performance office creates for a unit
leaves the report to the unit (待认领). The BPMN says so (``assignee`` = ``submitted_by`` on the
unit's report and targets); ``create_project`` names the filer in the start data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from demo import form_data as forms
from tests import factories
from tests.api_uploads import complete_waiting, waiting_task
from workflows.engine import specs
from workflows.store import BudgetUnit

from .conftest import csrf_of

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"code": "FL-1", "name": "老旧小区雨污分流改造", "fiscal_year": 2027, "amount": 420}


@pytest.fixture
def lifecycle(db_of):
    """bpmn/'s processes deployed, and a second submitter in 张三's unit."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        factories.user(
            session, "zhao.liu", "unit_submitter", unit_code="U001", display_name="赵六（住建局填报）"
        )
        session.commit()


def _tab(client, scope: str, code: str) -> list[tuple[str, str | None]]:
    rows = client.get(f"/api/v1/tasks?scope={scope}&q={code}").json["items"]
    return [(r["task_spec"], r["assignee"]) for r in rows]


def test_the_filer_finds_the_report_in_my_tasks_and_a_colleague_does_not(api, lifecycle):
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    assert _tab(api("zhang.san"), "mine", "FL-1") == [("ea_write", "zhang.san")]
    assert _tab(api("zhang.san"), "claimable", "FL-1") == []
    assert _tab(api("zhao.liu"), "claimable", "FL-1") == []  # not the unit's to take


def test_a_report_sent_back_comes_back_to_its_filer(api, lifecycle):
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    complete_waiting(api("zhang.san"), "FL-1", "ea_write", forms.ex_ante_report(PROJECT["name"], 420))
    returned = {"ea_head_opinion": "退回修改", "ea_head_comment": "金额测算依据不足"}
    complete_waiting(api("wang.head"), "FL-1", "ea_head", returned)
    assert _tab(api("zhang.san"), "mine", "FL-1") == [("ea_write", "zhang.san")]


def test_a_project_the_office_creates_for_a_unit_leaves_the_report_to_the_unit(api, db_of, lifecycle):
    with db_of.reading() as session:
        unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == "U001"))
    made = api("zhou.perf").post("/api/v1/projects", json={**PROJECT, "unit_id": unit_id})
    assert made.status_code == 201, made.json
    assert _tab(api("zhang.san"), "mine", "FL-1") == []
    assert _tab(api("zhang.san"), "claimable", "FL-1") == [("ea_write", None)]
    assert _tab(api("zhao.liu"), "claimable", "FL-1") == [("ea_write", None)]
    assert waiting_task(api("zhao.liu"), "FL-1", "ea_write")["title"] == "编制事前绩效评估报告"


def test_a_project_created_on_the_page_puts_its_report_in_my_tasks(web, lifecycle):
    me = web("zhang.san")
    form = me.get("/projects/new").text
    body = {**PROJECT, "csrf_token": csrf_of(form), "is_new": "1"}
    assert me.post("/projects/new", {k: str(v) for k, v in body.items()}).status_code == 302
    mine = me.get("/inbox?scope=mine").text
    assert "编制事前绩效评估报告" in mine and "老旧小区雨污分流改造" in mine
    assert "老旧小区雨污分流改造" not in web("zhao.liu").get("/inbox?scope=claimable").text
