"""The 项目支出绩效目标申报表 in the national template (issue 10, item 4): its header is pre-filled
from the project (项目负责人, 项目属性, 项目期, 资金 with 财政拨款/其他资金), 主管部门 and 实施单位 are
shown as the project's facts, and each declared check refuses its bad case with the same field
error on the page (``POST /tasks/<id>``) and through ``POST /api/v1/tasks/{id}/complete``."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from demo import form_data as forms
from tests import factories
from workflows import clock, policy
from workflows.engine import specs
from workflows.store import HumanTask, User

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2027


def actor(db, username) -> policy.Actor:
    with db.reading() as session:
        return policy.Actor.of(session.scalar(select(User).where(User.username == username)))


def open_task(db, spec) -> HumanTask | None:
    with db.reading() as session:
        task = session.scalar(
            select(HumanTask).where(HumanTask.task_spec == spec, HumanTask.status == "open")
        )
        if task is not None:
            session.expunge(task)
        return task


@pytest.fixture
def targets_task(db_of):
    """张三's continuing project (2027–2028, 300 万元 财政拨款 + 62 万元 其他资金), its 申报表 open."""
    clock.set_now(clock.parse_moment(f"{YEAR - 1}-09-10T09:00:00"))
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    with db_of.unit_of_work() as uow:
        factories.project(
            uow,
            "WZ2027-201",
            actor=actor(db_of, "zhang.san"),
            fiscal_year=YEAR,
            is_new=False,
            amount="362.00",
            owner_name="刘建国",
            period_start="2027",
            period_end="2028",
            fiscal_funds="300",
            other_funds="62",
            competent_department="万载县住房和城乡建设局",
            implementing_unit="万载县城市建设服务中心",
        )
        uow.commit()
    return open_task(db_of, "tg_set")


def posted(html: str) -> dict[str, str]:
    """What the browser posts from the task form: text and hidden inputs, checked radios, textareas."""
    form = html[html.index('id="task-form"') :]
    form = form[: form.index("</form>")]
    form = re.sub(r"<template\b.*?</template>", "", form, flags=re.S)  # inert: a browser posts none of it
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        if name and (kind in ("text", "hidden") or (kind == "radio" and " checked" in tag)):
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = unescape(text)
    fields.pop("csrf_token", None)
    return fields


def filled(html: str, **changes) -> dict[str, str]:
    """The pre-filled 申报表 completed as the unit would: the rest of the header, goals, indicators."""
    data = forms.performance_targets("农村人居环境整治项目", 362, year=YEAR, years=2, other_wan=62)
    body = posted(html)
    body.update(
        tg_midterm_funds="700",
        tg_midterm_goal=data["tg_midterm_goal"],
        tg_overall_goal=data["tg_overall_goal"],
        tg_spending_basis=data["tg_spending_basis"],
    )
    for i, row in enumerate(data["indicators"]):
        body.update({f"indicators-{i}-{k}": str(v) for k, v in row.items()})
    body.update(changes)
    return body


def as_json(body: dict[str, str]) -> dict:
    numbers = {"tg_period_start", "tg_period_end"}
    amounts = {"tg_midterm_funds", "tg_annual_funds", "tg_fiscal_funds", "tg_other_funds"}
    rows: dict[int, dict] = {}
    data: dict = {}
    for key, value in body.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "indicators":
            rows.setdefault(int(parts[1]), {})[parts[2]] = float(value) if parts[2] == "weight" else value
        elif value != "":
            data[key] = int(value) if key in numbers else float(value) if key in amounts else value
    data["indicators"] = [rows[i] for i in sorted(rows)]
    return data


def refuse(web, api, task_id, body, field, message):
    """The same refusal on the page and through the API; the task stays open."""
    page = web("zhang.san").post(f"/tasks/{task_id}", body)
    assert page.status_code == 400, page.text[:300]
    assert f'data-field="{field}"' in page.text and message in page.text
    answer = api("zhang.san").post(f"/api/v1/tasks/{task_id}/complete", json={"data": as_json(body)})
    assert answer.status_code == 400, answer.text
    assert any(message in m for m in answer.json["fields"][field]), answer.json


def test_the_header_is_prefilled_from_the_project(web, targets_task):
    html = web("zhang.san").get(f"/tasks/{targets_task.id}").text
    body = posted(html)
    assert body["tg_owner_name"] == "刘建国"
    assert body["tg_project_kind"] == "延续项目"
    assert (body["tg_period_start"], body["tg_period_end"]) == ("2027", "2028")
    assert (body["tg_annual_funds"], body["tg_fiscal_funds"], body["tg_other_funds"]) == ("362", "300", "62")
    assert (
        "项目支出绩效目标申报表" in html and "总体目标：中长期目标" in html and "总体目标：年度目标" in html
    )
    # 主管部门 and 实施单位 are the project's facts beside the form, not typed again
    assert re.search(r'id="project-competent-department">万载县住房和城乡建设局<', html)
    assert re.search(r'id="project-implementing-unit">万载县城市建设服务中心<', html)


def test_the_prefilled_form_passes_on_the_page(web, db_of, targets_task):
    me = web("zhang.san")
    done = me.post(f"/tasks/{targets_task.id}", filled(me.get(f"/tasks/{targets_task.id}").text))
    assert done.status_code == 302, done.text[:500]
    assert open_task(db_of, "tg_review") is not None


def test_approving_the_targets_says_where_the_project_stands_not_that_the_process_ended(
    web, db_of, targets_task
):
    me = web("zhang.san")
    assert (
        me.post(f"/tasks/{targets_task.id}", filled(me.get(f"/tasks/{targets_task.id}").text)).status_code
        == 302
    )
    review = open_task(db_of, "tg_review")
    reviewer = web("li.si")
    done = reviewer.post(f"/tasks/{review.id}", {**forms.targets_decision("通过"), "action": "complete"})
    assert done.status_code == 302, done.text[:500]
    inbox = reviewer.get("/inbox").text
    assert "已提交。项目当前环节：" in inbox and "流程已结束" not in inbox


def test_returning_the_targets_says_they_went_back_to_the_unit_and_who_filed_them(web, db_of, targets_task):
    """A return reads as a return, to whom, not as the generic 已提交 (issue 10/12, item 2)."""
    me = web("zhang.san")
    assert (
        me.post(f"/tasks/{targets_task.id}", filled(me.get(f"/tasks/{targets_task.id}").text)).status_code
        == 302
    )
    review = open_task(db_of, "tg_review")
    reviewer = web("li.si")
    done = reviewer.post(f"/tasks/{review.id}", {**forms.targets_decision("退回调整"), "action": "complete"})
    assert done.status_code == 302, done.text[:500]
    flash = re.search(r'data-flash="done">(.*?)</div>', reviewer.get("/inbox").text, re.S).group(1)
    assert "已退回至万载县住房和城乡建设局（张三（住建局填报））" in flash
    assert "待其修改后重新提交：填报绩效目标" in flash and "已提交" not in flash


def test_r_ev_8_a_project_owner_is_required(web, api, targets_task):
    """R-EV-8: every project has a named owner (项目负责人) who answers for its performance."""
    body = filled(web("zhang.san").get(f"/tasks/{targets_task.id}").text, tg_owner_name="")
    refuse(web, api, targets_task.id, body, "tg_owner_name", "此项为必填项")


def test_funds_sources_add_up_refuses_fiscal_and_other_funds_beside_the_annual_total(web, api, targets_task):
    """申报表: 年度资金总额 = 其中 财政拨款 + 其他资金 (300 + 80 ≠ 362)."""
    body = filled(web("zhang.san").get(f"/tasks/{targets_task.id}").text, tg_other_funds="80")
    refuse(web, api, targets_task.id, body, "tg_annual_funds", "财政拨款与其他资金之和应等于年度资金总额")


def test_annual_within_midterm_refuses_a_year_larger_than_the_period(web, api, targets_task):
    """申报表: the year's funds are part of the 中期资金总额 (362 > 300)."""
    body = filled(web("zhang.san").get(f"/tasks/{targets_task.id}").text, tg_midterm_funds="300")
    refuse(web, api, targets_task.id, body, "tg_annual_funds", "年度资金总额不能超过中期资金总额")


def test_period_end_not_before_start_refuses_a_period_ending_before_it_begins(web, api, targets_task):
    body = filled(web("zhang.san").get(f"/tasks/{targets_task.id}").text, tg_period_end="2026")
    refuse(web, api, targets_task.id, body, "tg_period_end", "项目期终止年度不能早于起始年度")


def test_the_weight_total_is_blank_until_a_weight_is_typed_then_follows_the_weights(web, targets_task):
    me = web("zhang.san")
    html = me.get(f"/tasks/{targets_task.id}").text
    assert re.search(r'<output id="tg_weight_total" class="computed" aria-live="polite">—</output>', html)
    blank = me.post(f"/tasks/{targets_task.id}/computed", posted(html)).json
    assert blank["values"]["tg_weight_total"] == "—" and blank["errors"] == {}
    typed = {**posted(html), "indicators-0-name": "设施验收合格率", "indicators-0-weight": "40"}
    shown = me.post(f"/tasks/{targets_task.id}/computed", typed).json
    assert shown["values"]["tg_weight_total"] == 40
    typed = {**typed, "indicators-1-weight": "60"}
    assert me.post(f"/tasks/{targets_task.id}/computed", typed).json["values"]["tg_weight_total"] == 100


def test_weights_over_100_are_refused_beside_their_total_not_on_the_whole_table(web, api, targets_task):
    """R-TG-5 (40+20+10+30+10 = 110): the error stands beside 指标权重合计, which shows 110; the
    indicator table itself is not marked. The API caller posts no total: it is worked out."""
    body = filled(web("zhang.san").get(f"/tasks/{targets_task.id}").text, **{"indicators-0-weight": "40"})
    refuse(web, api, targets_task.id, body, "tg_weight_total", "绩效指标权重（分值）合计为110，应为100")
    page = web("zhang.san").post(f"/tasks/{targets_task.id}", body).text
    assert re.search(r'class="field has-error" data-field="tg_weight_total"', page)
    assert re.search(r'<output id="tg_weight_total" class="computed" aria-live="polite">110</output>', page)
    assert not re.search(r'class="field has-error" data-field="indicators"', page)
    assert 'value="40"' in page  # what was typed is kept
