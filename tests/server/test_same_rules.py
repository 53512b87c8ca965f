"""The page and the API accept and refuse exactly the same inputs (one schema per use case).

Each bad body is posted to ``/projects/new`` (as the browser form would send it) and to
``POST /api/v1/projects`` (as JSON): both refuse, naming the same fields, and nothing is
stored. The same good body creates a project through either door, its path started.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workflows.engine import specs
from workflows.store import BudgetUnit, ProcessInstance, Project

ROOT = Path(__file__).resolve().parents[2]

GOOD = {
    "code": "SR-1",
    "name": "同一规则测试项目",
    "fiscal_year": 2026,
    "amount": 12.5,
    "fund_type": "government_fund",
    "is_new": True,
    "is_major": False,
    # the 项目支出绩效目标申报表 header (R-EV-8: a named owner)
    "owner_name": "刘建国",
    "owner_phone": "0795-8821301",
    "competent_department": "万载县住房和城乡建设局",
    "implementing_unit": "万载县污水处理厂",
    "period_start": "2026",
    "period_end": "2027-06",
    "fiscal_funds": 10.5,
    "other_funds": 2,
}

BAD = {
    "negative amount": ({"amount": -5}, {"amount"}),
    "amount of 0 万元": ({"amount": 0}, {"amount"}),
    "amount with three decimals": ({"amount": 12.345}, {"amount"}),
    "funding source with three decimals": (
        {"fiscal_funds": 10.505, "other_funds": 1.995},
        {"fiscal_funds", "other_funds"},
    ),
    "amount not a number": ({"amount": "abc"}, {"amount"}),
    "unknown fund type": ({"fund_type": "whatever"}, {"fund_type"}),
    "year out of range": ({"fiscal_year": 1800}, {"fiscal_year"}),
    "empty name": ({"name": ""}, {"name"}),
    "blank name": ({"name": "   "}, {"name"}),
    "300-character name": ({"name": "项" * 300}, {"name"}),
    "empty code and negative amount": ({"code": "", "amount": -1}, {"code", "amount"}),
    "funding sources not adding up to the amount": ({"fiscal_funds": 10, "other_funds": 1}, {"fiscal_funds"}),
    "negative other funds": ({"other_funds": -1}, {"other_funds"}),
    "project period ending before it starts": (
        {"period_start": "2026-06", "period_end": "2026-03"},
        {"period_end"},
    ),
    "project period without the budget year": (
        {"period_start": "2027", "period_end": "2028"},
        {"period_end"},
    ),
    "project period not a year": ({"period_start": "去年"}, {"period_start"}),
    "owner's phone in words": ({"owner_phone": "call me"}, {"owner_phone"}),
    "81-character owner": ({"owner_name": "张" * 81}, {"owner_name"}),
}

HEADER = (
    "owner_name",
    "owner_phone",
    "competent_department",
    "implementing_unit",
    "period_start",
    "period_end",
    "fiscal_funds",
    "other_funds",
)

_FIELD_ERROR = re.compile(r'class="(?:field-)?error"[^>]*data-field="([^"]+)"')


def as_form(body: dict) -> dict:
    """The body as the browser sends the new-project form: text inputs, ticked boxes as "1",
    unticked boxes absent."""
    form = {}
    for name, value in body.items():
        if isinstance(value, bool):
            if value:
                form[name] = "1"
        else:
            form[name] = str(value)
    return form


def stored(db) -> tuple[int, int]:
    with db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Project)),
            session.scalar(select(func.count()).select_from(ProcessInstance)),
        )


@pytest.fixture
def lifecycle(db_of):
    """bpmn/'s processes deployed, so a new project starts ``project_lifecycle`` (DOMAIN R-EA-1)."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()


@pytest.mark.parametrize("case", list(BAD))
def test_page_and_api_refuse_the_same_bad_project(case, web, api, db_of):
    change, fields = BAD[case]
    body = {**GOOD, **change}
    before = stored(db_of)

    page = web("zhang.san").post("/projects/new", as_form(body))
    answer = api("zhang.san").post("/api/v1/projects", json=body)

    assert page.status_code == 400
    assert set(_FIELD_ERROR.findall(page.text)) == fields
    assert answer.status_code == 400 and answer.json["error"] == "invalid_request"
    assert set(answer.json["fields"]) == fields
    assert stored(db_of) == before


def _refused_with(page, answer, field: str, message: str) -> None:
    assert page.status_code == 400
    assert f'data-field="{field}">{message}<' in page.text
    assert answer.status_code == 400 and answer.json["fields"][field] == [message]


def test_a_project_of_0_wan_is_refused_by_page_and_api_saying_it_must_be_more_than_0(web, api, db_of):
    body = {**GOOD, "amount": 0, "fiscal_funds": 0, "other_funds": 0}
    before = stored(db_of)

    page = web("zhang.san").post("/projects/new", as_form(body))
    answer = api("zhang.san").post("/api/v1/projects", json=body)

    _refused_with(page, answer, "amount", "项目金额须大于 0 万元")
    assert "应在 0 到" not in page.text  # no hint that 0 would do
    assert stored(db_of) == before


def test_an_amount_with_more_than_two_decimals_is_refused_by_page_and_api_not_rounded(web, api, db_of):
    body = {**GOOD, "amount": 12.345, "fiscal_funds": None, "other_funds": None}
    body = {k: v for k, v in body.items() if v is not None}
    before = stored(db_of)

    page = web("zhang.san").post("/projects/new", as_form(body))
    answer = api("zhang.san").post("/api/v1/projects", json=body)

    _refused_with(page, answer, "amount", "金额最多两位小数（万元）")
    assert 'name="amount" inputmode="decimal" value="12.345"' in page.text  # kept as typed
    assert stored(db_of) == before


def test_the_command_refuses_a_0_or_three_decimal_amount_as_the_schema_does():
    from workflows.commands.projects import header_errors

    assert header_errors(2026, 0) == {"amount": ["项目金额须大于 0 万元"]}
    assert header_errors(2026, "12.345") == {"amount": ["金额最多两位小数（万元）"]}
    assert header_errors(2026, "12.3", fiscal_funds="12.301") == {
        "fiscal_funds": ["金额最多两位小数（万元）"]
    }
    assert header_errors(2026, "12.30", fiscal_funds="10.3", other_funds=2) == {}


def test_an_amount_with_two_decimals_is_stored_as_typed(api, db_of, lifecycle):
    answer = api("zhang.san").post("/api/v1/projects", json={**GOOD, "amount": 12.34, "fiscal_funds": 10.34})
    assert answer.status_code == 201, answer.json
    assert answer.json["amount"] == "12.34"


def test_page_and_api_refuse_a_project_for_another_unit(web, api, db_of):
    with db_of.reading() as session:
        other_unit = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == "U002"))
    body = {**GOOD, "unit_id": other_unit}
    before = stored(db_of)

    page = web("zhang.san").post("/projects/new", as_form(body))
    answer = api("zhang.san").post("/api/v1/projects", json=body)

    # a scope refusal is 403 through either door (DESIGN 8); the page keeps the form, says why
    assert (
        page.status_code == 403
        and "只能为本单位新建项目" in page.text
        and 'name="code" value="SR-1"' in page.text
    )
    assert answer.status_code == 403 and answer.json["error"] == "forbidden"
    assert stored(db_of) == before


def test_the_new_project_page_offers_a_unit_submitter_only_their_unit(web):
    page = web("zhang.san").get("/projects/new").text
    assert "万载县住房和城乡建设局" in page and "万载县应急管理局" not in page


def test_page_and_api_accept_the_same_good_project_and_start_its_lifecycle(web, api, db_of, lifecycle):
    page = web("zhang.san").post("/projects/new", as_form(GOOD))
    answer = api("zhang.san").post("/api/v1/projects", json={**GOOD, "code": "SR-2"})

    assert page.status_code == 302 and answer.status_code == 201, answer.json
    with db_of.reading() as session:
        made = {p.code: p for p in session.scalars(select(Project).where(Project.code.in_(["SR-1", "SR-2"])))}
        paths = {
            code: session.scalars(
                select(ProcessInstance.process_id).where(ProcessInstance.project_id == p.id)
            ).all()
            for code, p in made.items()
        }
    assert set(made) == {"SR-1", "SR-2"}
    columns = ("name", "unit_id", "fiscal_year", "amount", "fund_type", "is_new", "is_major", *HEADER)
    assert {c: getattr(made["SR-1"], c) for c in columns} == {c: getattr(made["SR-2"], c) for c in columns}
    assert paths == {"SR-1": ["project_lifecycle"], "SR-2": ["project_lifecycle"]}
    assert (made["SR-1"].owner_name, made["SR-1"].period_end, str(made["SR-1"].other_funds)) == (
        "刘建国",
        "2027-06",
        "2.00",
    )
    assert page.headers["Location"].endswith(f"/projects/{made['SR-1'].id}")
    assert answer.json["instances"][0]["process_id"] == "project_lifecycle"


def test_page_and_api_refuse_the_same_bad_comment(web, api, db_of):
    from .conftest import open_task

    task = open_task(db_of, project_code="WZ2026-001", task_spec="submit")
    me = web("zhou.perf")
    for body, fields in (
        ({"body": ""}, {"body"}),
        ({"body": "   "}, {"body"}),
        ({"body": "意" * 4001}, {"body"}),
    ):
        page = me.post(f"/tasks/{task.id}/comments", body)
        answer = api("zhou.perf").post(f"/api/v1/tasks/{task.id}/comments", json=body)
        assert page.status_code == 400 and set(_FIELD_ERROR.findall(page.text)) == fields, body
        assert answer.status_code == 400 and set(answer.json["fields"]) == fields, body
    assert "意" * 10 not in me.get(f"/tasks/{task.id}").text


def test_page_and_api_refuse_the_same_bad_assignee(web, api, db_of):
    from .conftest import open_task

    task = open_task(db_of, project_code="WZ2026-001", task_spec="submit")
    me = web("zhou.perf")
    for body in ({"username": ""}, {"username": "x" * 81}):
        page = me.post(f"/tasks/{task.id}/assign", body)
        answer = api("zhou.perf").post(f"/api/v1/tasks/{task.id}/assign", json=body)
        assert page.status_code == 400 and set(_FIELD_ERROR.findall(page.text)) == {"username"}, body
        assert answer.status_code == 400 and set(answer.json["fields"]) == {"username"}, body
