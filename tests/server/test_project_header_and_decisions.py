"""A project's 申报表 header and the decisions its processes took, through the front door:
created and driven through ``/api/v1`` as its people would, read back through the API, the
project page and the OpenAPI document (issue 9, items 1 and 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo import form_data as forms
from tests.api_uploads import complete_waiting, upload_named_files, waiting_task
from workflows import clock
from workflows.engine import specs

ROOT = Path(__file__).resolve().parents[2]

HEADER = {
    "owner_name": "刘建国",
    "owner_phone": "0795-8821301",
    "competent_department": "万载县住房和城乡建设局",
    "implementing_unit": "万载县污水处理厂",
    "period_start": "2026",
    "period_end": "2027",
    "fiscal_funds": 300,
    "other_funds": 62,
}
PROJECT = {"code": "HD-1", "name": "农村污水管网建设", "fiscal_year": 2026, "amount": 362, **HEADER}


@pytest.fixture
def lifecycle(db_of):
    """bpmn/'s processes deployed: a new project starts ``project_lifecycle``."""
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()


def _complete(client, project_code: str, spec: str, data: dict) -> None:
    """Claim-free completion of the project's open task ``spec``, as its owner does in the API."""
    complete_waiting(client, project_code, spec, data)  # 评估报告附件: uploaded, then named


@pytest.fixture
def assessed(api, lifecycle):
    """A project created through the API with its header, then assessed: report, head, finance."""
    created = api("zhang.san").post("/api/v1/projects", json=PROJECT)
    assert created.status_code == 201, created.json
    _complete(api("zhang.san"), "HD-1", "ea_write", forms.ex_ante_report(PROJECT["name"], 362))
    _complete(api("wang.head"), "HD-1", "ea_head", forms.head_approval())
    _complete(api("li.si"), "HD-1", "ea_finance_review", forms.ex_ante_review(86.5))
    return created.json


def test_a_project_created_through_the_api_carries_its_header(assessed):
    """R-EV-8: a named owner; the 申报表 header as declared; 项目属性 is is_new."""
    assert {k: assessed[k] for k in ("owner_name", "owner_phone", "period_start", "period_end")} == {
        "owner_name": "刘建国",
        "owner_phone": "0795-8821301",
        "period_start": "2026",
        "period_end": "2027",
    }
    assert (assessed["fiscal_funds"], assessed["other_funds"], assessed["amount"]) == (
        "300.00",
        "62.00",
        "362.00",
    )
    assert assessed["implementing_unit"] == "万载县污水处理厂" and assessed["is_new"] is True


def test_the_owner_defaults_to_whoever_creates_the_project(api, lifecycle):
    body = {"code": "HD-2", "name": "乡镇污水站运维", "fiscal_year": 2026, "amount": 80}
    made = api("zhang.san").post("/api/v1/projects", json=body).json
    assert made["owner_name"] == "张三（住建局填报）"
    assert (made["competent_department"], made["implementing_unit"]) == ("万载县住房和城乡建设局",) * 2
    assert (made["period_start"], made["period_end"], made["fiscal_funds"], made["other_funds"]) == (
        "2026",
        "2026",
        "80.00",
        "0.00",
    )


def test_get_project_returns_its_stage_and_the_decisions_with_what_drove_them(assessed, api):
    project = api("zhou.perf").get(f"/api/v1/projects/{assessed['id']}").json
    assert project["stage"] == "targets"
    decisions = project["decisions"]
    assert [d["at"] for d in decisions] == sorted(d["at"] for d in decisions)
    assert decisions[0]["kind"] == "start" and decisions[0]["values"]["amount_wan"] == 362.0
    [review] = [d for d in decisions if d["step"] == "ea_finance_review"]
    assert (review["kind"], review["actor"], review["role"]) == ("task", "li.si", "finance_reviewer")
    assert review["values"]["ea_finance_score"] == 86.5
    [ruling] = [d for d in decisions if d["step"] == "ea_decide"]
    assert ruling["kind"] == "rule" and ruling["values"]["ea_supported"] is True
    assert {i["expression"]: i["value"] for i in ruling["inputs"]}["ea_final_score"] == 86.5
    assert ruling["rules"][0]["description"] == "80分及以上：予以支持"


def test_decisions_are_read_within_the_projects_scope(assessed, api):
    """A unit reads its own project's decisions; another unit's staff find no such project."""
    assert api("zhang.san").get(f"/api/v1/projects/{assessed['id']}").json["decisions"]
    assert api("li.na").get(f"/api/v1/projects/{assessed['id']}").status_code == 404


def test_the_project_page_shows_the_header_and_the_rulings_in_chinese(assessed, web):
    page = web("zhang.san").get(f"/projects/{assessed['id']}").text
    for text in ("项目负责人", "刘建国 · 0795-8821301", "项目属性", "新增项目", "主管部门", "实施单位"):
        assert text in page
    assert "2026年—2027年" in page and "财政拨款 300.00 万元；其他资金 62.00 万元" in page
    assert "流程判定" in page and "事前评估结论" in page and "依据：80分及以上：予以支持" in page
    assert "是否支持 <b>是</b>" in page


def test_the_new_project_page_names_the_header_fields_and_says_what_is_wrong_in_chinese(web, lifecycle):
    me = web("zhang.san")
    form = me.get("/projects/new").text
    for label in (
        "项目负责人",
        "联系电话",
        "主管部门",
        "实施单位",
        "项目期",
        "财政拨款",
        "其他资金",
        "延续项目",
    ):
        assert label in form
    assert 'name="owner_name" type="text" value="张三（住建局填报）"' in form
    body = {
        **{k: str(v) for k, v in PROJECT.items()},
        "fiscal_funds": "300",
        "other_funds": "50",
        "is_new": "0",
    }
    page = me.post("/projects/new", body)
    assert page.status_code == 400
    assert "财政拨款与其他资金之和（350.00 万元）应等于项目金额 362.00 万元" in page.text
    assert 'value="0" checked' in page.text  # 延续项目 stays chosen


def test_the_project_period_placeholders_show_the_budget_year_chosen(web):
    """项目期 defaults to the budget year: its placeholders show the year the 年度 field holds
    (next year by default; what was typed when the page comes back with an error)."""
    me = web("zhang.san")
    year = clock.now().year + 1
    form = me.get("/projects/new").text
    assert f'name="fiscal_year" type="number" data-period-hint value="{year}"' in form
    for name in ("period_start", "period_end"):
        assert f'name="{name}" type="text" value="" placeholder="{year}"' in form
    assert "new_project.js" in form  # the browser follows an edited year

    back = me.post(
        "/projects/new", {"code": "PH-1", "name": "占位测试", "fiscal_year": "2031", "amount": "0"}
    )
    assert back.status_code == 400
    assert 'name="period_start" type="text" value="" placeholder="2031"' in back.text


def test_the_ex_ante_report_pre_fills_the_requested_amount_from_the_project(api, web, lifecycle):
    """编制事前绩效评估报告: 申请金额（万元） starts as the project's amount, as the targets form's
    header fields start from the project; the unit may change it."""
    made = api("zhang.san").post("/api/v1/projects", json={**PROJECT, "code": "PF-1"})
    assert made.status_code == 201, made.json
    task = waiting_task(api("zhang.san"), "PF-1", "ea_write")

    shown = api("zhang.san").get(f"/api/v1/tasks/{task['id']}").json
    # 项目金额 shown beside it, not typed: the ceiling of 申请金额
    assert shown["data"] == {"ea_project_amount_wan": 362.0, "ea_requested_amount_wan": 362.0}
    assert shown["bound_fields"] == ["ea_project_amount_wan"]
    page = web("zhang.san").get(f"/tasks/{task['id']}").text
    assert 'name="ea_requested_amount_wan" id="ea_requested_amount_wan" value="362" >' in page

    changed = forms.ex_ante_report(PROJECT["name"], 300.5)
    upload_named_files(api("zhang.san"), task["id"], changed)  # 评估报告附件: uploaded, then named
    done = api("zhang.san").post(f"/api/v1/tasks/{task['id']}/complete", json={"data": changed})
    assert done.status_code == 200, done.json
    decisions = api("zhang.san").get(f"/api/v1/projects/{made.json['id']}").json["decisions"]
    [report] = [d for d in decisions if d["kind"] == "task" and d["step"] == "ea_write"]
    assert report["values"]["ea_requested_amount_wan"] == 300.5  # the unit's own figure stands


def test_openapi_documents_the_decisions_and_each_process_start_data(client, api, lifecycle):
    spec = client.get("/api/v1/openapi.json").json
    detail = spec["paths"]["/api/v1/projects/{project_id}"]["get"]["responses"]["200"]["content"]
    assert detail["application/json"]["schema"]["$ref"].endswith("/ProjectDetail")
    schemas = spec["components"]["schemas"]
    assert "decisions" in schemas["ProjectDetail"]["properties"]
    assert set(schemas["DecisionEntry"]["properties"]["kind"]["enum"]) == {
        "start",
        "task",
        "rule",
        "script",
        "notice",
    }
    data = schemas["InstanceCreate"]["properties"]["data"]["properties"]
    assert data["monitoring_nodes"]["default"] == ["05-31", "08-31"]
    assert "project_lifecycle" in data["monitoring_nodes"]["description"]
    for field in ("owner_name", "period_start", "fiscal_funds", "other_funds"):
        assert field in schemas["ProjectCreate"]["properties"]

    processes = {p["process_id"]: p for p in api("zhou.perf").get("/api/v1/processes").json}
    lifecycle_fields = {f["name"]: f for f in processes["project_lifecycle"]["start_data"]}
    assert lifecycle_fields["fiscal_year"]["required"] and lifecycle_fields["fiscal_year"]["from_project"]
    assert lifecycle_fields["rectification_max_rounds"]["default"] == 3
    assert {f["name"] for f in processes["monitoring_round"]["start_data"]} >= {
        "monitoring_node",
        "fiscal_year",
    }


def test_a_rulings_ratio_reads_as_a_percentage(app):
    """R-RA-1: 调减比例 0.1 on the project page is 10%, not 0.1; other values stay plain."""
    from server.readable import ruling_value

    with app.test_request_context():
        assert ruling_value(0.1, "ra_cut_ratio") == "10%"
        assert ruling_value(0.2, "budget_cut_ratio") == "20%"
        assert ruling_value(86.5, "ea_final_score") == 86.5


def test_a_panels_scoring_method_reads_in_words(app):
    """expert_panel.dmn's panel_method ``mean`` reads 平均分 on the project page (DOMAIN 3.1)."""
    from server.readable import ruling_value

    with app.test_request_context():
        assert ruling_value("mean", "panel_method") == "平均分"
        assert ruling_value("trimmed_mean", "panel_method") == "去掉最高分和最低分后的平均分"


def test_the_project_page_reads_the_amount_a_ruling_was_given_as_money(api, web, lifecycle):
    """流程判定: 项目金额(万元) given to the classification reads 1,380.00, not 1380."""
    body = {"code": "HD-3", "name": "城区排水管网改造", "fiscal_year": 2026, "amount": 1380}
    made = api("zhang.san").post("/api/v1/projects", json=body)
    assert made.status_code == 201, made.json
    html = web("zhou.perf").get(f"/projects/{made.json['id']}").text
    decisions = html[html.index('id="decisions"') :]
    assert "项目金额(万元) 1,380.00" in decisions
    assert "项目金额(万元) 1380" not in decisions


def test_r_ea_3_a_project_declared_major_says_so_among_its_attributes(api, web, lifecycle):
    """项目属性 names 重大项目 beside 新增项目 when the project is major (walk of session 11: only the
    流程判定 section said so); a project that is not says nothing of it."""
    small = {"fiscal_year": 2026, "amount": 120, "is_new": True}
    major = api("zhang.san").post(
        "/api/v1/projects", json={**small, "code": "MJ-1", "name": "排水管网改造", "is_major": True}
    )
    plain = api("zhang.san").post("/api/v1/projects", json={**small, "code": "MJ-2", "name": "道路标线施划"})
    assert major.status_code == plain.status_code == 201, (major.json, plain.json)
    me = web("zhang.san")
    assert "<dd>新增项目、重大项目</dd>" in me.get(f"/projects/{major.json['id']}").text
    page = me.get(f"/projects/{plain.json['id']}").text
    assert "<dd>新增项目</dd>" in page and "重大项目</dd>" not in page
    # and the project list marks it beside its name (left alone in session 11)
    rows = {
        named.group(1): row
        for row in me.get("/projects?q=MJ-").text.split("<tr>")
        if (named := re.search(r'<a href="/projects/\d+">([^<]+)</a>', row))
    }
    assert '<span class="tag major"' in rows["排水管网改造"]
    assert "tag major" not in rows["道路标线施划"]
