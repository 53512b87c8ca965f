"""Bound rows on the task page and through the API (issue 10, item 4): the monitoring report's
indicator rows are the approved targets, shown read-only with no row to add; a post that adds,
drops or changes an approved row gets the same field error on the page (``POST /tasks/<id>``)
and through ``POST /api/v1/tasks/{id}/complete``, and nothing is recorded."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from demo import department_wide as dw_forms
from demo import form_data as forms
from tests import factories
from workflows import clock, commands, policy
from workflows.engine import specs
from workflows.store import HumanTask, User
from workflows.timers import fire_due_timers

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2027


def actor(db, username) -> policy.Actor:
    with db.reading() as session:
        return policy.Actor.of(session.scalar(select(User).where(User.username == username)))


def open_task(db, spec) -> HumanTask:
    with db.reading() as session:
        task = session.scalar(
            select(HumanTask).where(HumanTask.task_spec == spec, HumanTask.status == "open")
        )
        session.expunge(task)
        return task


def complete(db, spec, data, username):
    commands.complete_task(db, open_task(db, spec).id, data, actor=actor(db, username))


def fire(db, instance_id, when):
    at = clock.parse_moment(when)
    clock.set_now(at)
    fire_due_timers(db, instance_id, now=at)


@pytest.fixture
def deployed(db_of):
    clock.set_now(clock.parse_moment(f"{YEAR - 1}-09-10T09:00:00"))
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    return db_of


@pytest.fixture
def report_task(deployed):
    """张三's project with approved targets, its first monitoring report open."""
    db = deployed
    with db.unit_of_work() as uow:
        created = factories.project(
            uow, "WZ2027-101", actor=actor(db, "zhang.san"), fiscal_year=YEAR, is_new=False, amount="362.00"
        )
        uow.commit()
    complete(db, "tg_set", forms.performance_targets("农村人居环境整治项目"), "zhang.san")
    complete(db, "tg_review", forms.targets_decision("通过"), "li.si")
    fire(db, created.instance_id, f"{YEAR}-06-01T09:00:00")
    return open_task(db, "mn_report")


def posted(html: str) -> dict[str, str]:
    """What the browser posts from the task form: every named input with its value (no buttons)."""
    form = html[html.index('id="task-form"') :]
    form = form[: form.index("</form>")]
    form = re.sub(r"<template\b.*?</template>", "", form, flags=re.S)  # inert: a browser posts none of it
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) in ("text", "hidden")):
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def filled(fields: dict[str, str], table: str, rows: int, **extra) -> dict[str, str]:
    body = {k: v for k, v in fields.items() if k != "csrf_token"}
    for i in range(rows):
        body[f"{table}-{i}-actual_value"] = "过半"
        body[f"{table}-{i}-projected_value"] = "可完成"
        body[f"{table}-{i}-likelihood"] = "确定能"  # a select: posted() reads only inputs
        if f"{table}-{i}-completion_rate" in fields:
            body[f"{table}-{i}-completion_rate"] = "50"
    body.update(extra)
    return body


def as_json(body: dict[str, str], table: str) -> dict:
    rows: dict[int, dict] = {}
    data: dict = {}
    for key, value in body.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == table:
            if value != "":
                rows.setdefault(int(parts[1]), {})[parts[2]] = (
                    float(value) if parts[2] in ("completion_rate",) else value
                )
        elif value != "":
            numbers = ("dw_mn_budget_total", "dw_mn_executed", "mn_schedule_progress")
            data[key] = float(value) if key.endswith("amount") or key in numbers else value
    data[table] = [rows[i] for i in sorted(rows)]
    return data


def test_bound_columns_are_text_and_no_row_can_be_added(web, report_task):
    page = web("zhang.san").get(f"/tasks/{report_task.id}")
    assert page.status_code == 200
    html = page.text
    assert 'class="grid rows bound wide"' in html
    assert re.search(r'<span class="bound-value">完成建设任务</span><input type="hidden"', html)
    assert 'name="mn_indicator_progress-4-name"' in html
    assert 'name="mn_indicator_progress-5-' not in html  # no empty row to add an indicator
    assert "不能增删" in html


def refuse(web, api, task_id, body, table, field, message):
    """The same refusal on the page and through the API; the task stays open."""
    page = web("zhang.san").post(f"/tasks/{task_id}", body)
    assert page.status_code == 400, page.text[:300]
    assert f'data-field="{field}"' in page.text and message in page.text
    answer = api("zhang.san").post(f"/api/v1/tasks/{task_id}/complete", json={"data": as_json(body, table)})
    assert answer.status_code == 400, answer.text
    assert any(message in m for m in answer.json["fields"][field])


TABLE = "mn_indicator_progress"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"-0-name": "完成建设任务（调整）"}, "0/name", "的三级指标应为批复的「完成建设任务」，不能修改"),
        ({"-1-target_value": "90"}, "1/target_value", "第2行「工程验收合格率」的年度指标值应为批复的「100」"),
        ({"-2-level1": "效益指标"}, "2/level1", "第3行「按期完工率」的一级指标应为批复的「产出指标」"),
        (
            {"-3-level2": "经济效益指标"},
            "3/level2",
            "第4行「受益群众人数」的二级指标应为批复的「社会效益指标」",
        ),
    ],
)
def test_a_changed_approved_row_is_refused_on_page_and_api(
    web, api, db_of, report_task, change, field, message
):
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = filled(
        fields,
        TABLE,
        5,
        mn_executed_amount="120",
        mn_projected_amount="350",
        **{TABLE + k: v for k, v in change.items()},
    )
    refuse(web, api, report_task.id, body, TABLE, f"{TABLE}/{field}", message)
    assert open_task(db_of, "mn_report").id == report_task.id


def test_an_added_indicator_is_refused_on_page_and_api(web, api, report_task):
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    extra = {
        f"{TABLE}-5-name": "群众获得感",
        f"{TABLE}-5-actual_value": "高",
        f"{TABLE}-5-completion_rate": "100",
        f"{TABLE}-5-projected_value": "高",
    }
    body = filled(fields, TABLE, 5, mn_executed_amount="120", mn_projected_amount="350", **extra)
    refuse(
        web,
        api,
        report_task.id,
        body,
        TABLE,
        f"{TABLE}/5/name",
        "第6行「群众获得感」不是批复的绩效指标，不能新增",
    )


def test_a_dropped_indicator_is_refused_on_page_and_api(web, api, report_task):
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = filled(fields, TABLE, 5, mn_executed_amount="120", mn_projected_amount="350")
    dropped = {k: v for k, v in body.items() if not k.startswith(f"{TABLE}-4-")}
    refuse(web, api, report_task.id, dropped, TABLE, TABLE, "缺少批复的绩效指标「群众满意度」，不能删除")


def test_the_prefilled_report_passes_on_the_page(web, db_of, report_task):
    me = web("zhang.san")
    body = filled(
        posted(me.get(f"/tasks/{report_task.id}").text),
        TABLE,
        5,
        mn_executed_amount="120",
        mn_projected_amount="350",
    )
    done = me.post(f"/tasks/{report_task.id}", body)
    assert done.status_code == 302, done.text[:500]
    assert open_task(db_of, "mn_review") is not None


def test_the_prefilled_report_passes_through_the_api(web, api, db_of, report_task):
    detail = api("zhang.san").get(f"/api/v1/tasks/{report_task.id}").json
    assert detail["bound_tables"] == {
        TABLE: ["level1", "level2", "name", "direction", "target_value", "unit"]
    }
    rows = [
        {
            **r,
            "actual_value": "过半",
            "completion_rate": 50,
            "projected_value": "可完成",
            "likelihood": "确定能",
        }
        for r in detail["data"][TABLE]
    ]
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{report_task.id}/complete",
        json={
            "data": {
                "mn_budget_amount": 362,
                "mn_executed_amount": 120,
                "mn_projected_amount": 350,
                TABLE: rows,
            }
        },
    )
    assert answer.status_code == 200, answer.text
    assert [t["task_spec"] for t in answer.json["next_tasks"]] == ["mn_review"]


# --- the department-wide June report ----------------------------------------------------------


@pytest.fixture
def dw_task(deployed):
    db = deployed
    clock.set_now(clock.parse_moment(f"{YEAR}-01-25T09:00:00"))
    opened = commands.open_fiscal_year(db, YEAR, date(YEAR, 1, 20), actor=actor(db, "zhou.perf"))
    with db.reading() as session:
        task = session.scalar(
            select(HumanTask)
            .where(HumanTask.task_spec == "dw_targets", HumanTask.status == "open")
            .join(User, User.unit_id == HumanTask.unit_id)
            .where(User.username == "zhang.san")
        )
        instance_id = task.instance_id
    assert instance_id in opened.started["department_wide"]
    commands.complete_task(
        db, task.id, dw_forms.targets("万载县住房和城乡建设局"), actor=actor(db, "zhang.san")
    )
    review = [t for t in _open(db, instance_id) if t.task_spec == "dw_targets_review"][0]
    commands.complete_task(db, review.id, dw_forms.review("dw_tr", "通过", 90.0), actor=actor(db, "li.si"))
    fire(db, instance_id, f"{YEAR}-07-01T09:00:00")
    [monitoring] = _open(db, instance_id)
    assert monitoring.task_spec == "dw_monitoring"
    return monitoring


def _open(db, instance_id) -> list[HumanTask]:
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
            )
        )
        session.expunge_all()
        return rows


DW = "dw_mn_indicator_progress"


def test_department_wide_monitoring_shows_the_units_approved_indicators(web, api, dw_task):
    me = web("zhang.san")
    html = me.get(f"/tasks/{dw_task.id}").text
    assert "绩效指标完成情况" in html and "全年预计完成值" in html and "偏差原因" in html
    assert '<span class="bound-value">年度重点工作任务完成数</span>' in html
    fields = posted(html)
    base = {"dw_mn_budget_total": "1280", "dw_mn_executed": "602.5", "dw_mn_progress": "上半年进度符合目标。"}
    body = filled(fields, DW, 4, **base, **{f"{DW}-1-name": "预算执行进度"})
    refuse(
        web,
        api,
        dw_task.id,
        body,
        DW,
        f"{DW}/1/name",
        "第2行「预算执行进度」的三级指标应为批复的「预算执行率」",
    )
    done = me.post(f"/tasks/{dw_task.id}", filled(fields, DW, 4, **base))
    assert done.status_code == 302, done.text[:500]


def test_the_budget_is_prefilled_from_the_project_and_bounds_the_executed_amount(web, api, report_task):
    """issue 10: 9,999 万元 executed on a 362 万元 project is refused, on page and API alike."""
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    assert float(fields["mn_budget_amount"]) == 362
    body = filled(fields, TABLE, 5, mn_executed_amount="9999", mn_projected_amount="350")
    refuse(web, api, report_task.id, body, TABLE, "mn_executed_amount", "已执行金额不能超过项目预算数")
    cleared = {
        **filled(fields, TABLE, 5, mn_executed_amount="9999", mn_projected_amount="350"),
        "mn_budget_amount": "",
    }
    refuse(web, api, report_task.id, cleared, TABLE, "mn_budget_amount", "此项为必填项")
