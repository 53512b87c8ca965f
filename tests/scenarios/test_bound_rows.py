"""Monitoring and self-evaluation rows are the approved targets (issue 10, item 4), through the
real ``bpmn/`` and the commands the pages call.

The forms declare it (``x-prefill`` with ``bound`` in ``forms/monitoring_report.json``,
``self_evaluation.json``, ``dw_monitoring_report.json``): the rows are pre-filled from the approved
绩效指标, and a submission that adds an indicator, drops one, or changes an approved row's
一级/二级/三级指标 or target value is refused with a field error naming the row (R-TG-3: approved
targets are not changed at will; R-MN-2 / R-MN-6: each approved indicator's completion is reported).
"""

from __future__ import annotations

import copy
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from demo import department_wide as dw_forms
from demo import form_data as forms
from tests import factories
from workflows import commands, policy
from workflows.commands import target_change as tc
from workflows.errors import FormInvalid
from workflows.queries import tasks, workbooks

from .conftest import YEAR, in_role

OFFICE = policy.Actor("scenario.office", frozenset({"performance_office"}))


@pytest.fixture
def reporting(paths):
    """A continuing project with approved targets, its first monitoring report open."""
    iid = paths.start(is_new=False)
    paths.through_targets(iid)
    paths.fire(iid, f"{YEAR}-06-01T09:00:00")
    assert paths.open(iid) == ["mn_report"]
    return iid


def refusal(paths, iid, spec, data) -> dict[str, list[str]]:
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, spec, data)
    assert paths.open(iid) == [spec]  # nothing recorded: the task is still open
    return refused.value.fields


def report() -> dict:
    return forms.monitoring_report(362.0)


def test_R_MN_2_the_monitoring_rows_are_the_approved_indicators_and_a_prefilled_report_passes(
    paths, reporting, db
):
    [task] = paths.tasks(reporting)
    with db.reading() as session:
        shown = tasks.prefill(session, task, tasks.form_schema(session, task))["mn_indicator_progress"]
        bound = tasks.bound_tables(session, task, tasks.form_schema(session, task))
    assert [(r["level1"], r["level2"], r["name"], r["target_value"], r["unit"]) for r in shown] == [
        ("产出指标", "数量指标", "完成建设任务", "100", "%"),
        ("产出指标", "质量指标", "工程验收合格率", "100", "%"),
        ("产出指标", "时效指标", "按期完工率", "95", "%"),
        ("效益指标", "社会效益指标", "受益群众人数", "20000", "人"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "90", "%"),
    ]
    assert bound == {
        "mn_indicator_progress": ["level1", "level2", "name", "direction", "target_value", "unit"]
    }
    filled = [
        {
            **r,
            "actual_value": "过半",
            "completion_rate": 50,
            "projected_value": "可完成",
            "likelihood": "确定能",
        }
        for r in shown
    ]
    paths.do(
        reporting,
        "mn_report",
        {
            "mn_budget_amount": 362.0,
            "mn_executed_amount": 120.0,
            "mn_projected_amount": 350.0,
            "mn_indicator_progress": filled,
        },
    )
    assert paths.open(reporting) == ["mn_review"]


def test_R_MN_2_an_indicator_not_approved_is_refused_on_its_row(paths, reporting):
    data = report()
    data["mn_indicator_progress"].append(
        {
            "name": "群众获得感",
            "target_value": "高",
            "actual_value": "高",
            "completion_rate": 100,
            "projected_value": "高",
            "likelihood": "确定能",
        }
    )
    assert refusal(paths, reporting, "mn_report", data) == {
        "mn_indicator_progress/5/name": ["第6行「群众获得感」不是批复的绩效指标，不能新增"]
    }


def test_R_MN_2_dropping_an_approved_indicator_is_refused(paths, reporting):
    data = report()
    del data["mn_indicator_progress"][3]
    assert refusal(paths, reporting, "mn_report", data) == {
        "mn_indicator_progress": ["缺少批复的绩效指标「受益群众人数」，不能删除"]
    }


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "name",
            "完成建设任务（调整）",
            "第1行「完成建设任务（调整）」的三级指标应为批复的「完成建设任务」，不能修改",
        ),
        ("target_value", "80", "第1行「完成建设任务」的年度指标值应为批复的「100」，不能修改"),
        ("level1", "效益指标", "第1行「完成建设任务」的一级指标应为批复的「产出指标」，不能修改"),
        ("level2", "质量指标", "第1行「完成建设任务」的二级指标应为批复的「数量指标」，不能修改"),
    ],
)
def test_R_MN_2_changing_an_approved_row_is_refused_beside_the_cell(paths, reporting, column, value, message):
    data = report()
    data["mn_indicator_progress"][0][column] = value
    assert refusal(paths, reporting, "mn_report", data) == {f"mn_indicator_progress/0/{column}": [message]}


def test_R_MN_2_rows_may_come_in_another_order(paths, reporting):
    data = report()
    data["mn_indicator_progress"].reverse()
    paths.do(reporting, "mn_report", data)
    assert paths.open(reporting) == ["mn_review"]


def test_R_MN_2_an_excel_import_that_renames_an_indicator_is_refused_by_cell(paths, reporting, db):
    """The Excel import (``commands.import_workbook``) holds the rows to the targets as submit does."""
    [task] = paths.tasks(reporting)
    actor = in_role("unit_submitter", paths.unit_id)
    with db.reading() as session:
        content = workbooks.task_workbook(session, actor, task.id).content
    book = load_workbook(BytesIO(content))
    sheet = book.active
    labels = {c.value: c.row for c in sheet["A"] if c.value}
    head = labels["【绩效目标完成情况】"] + 1
    columns = {c.value: c.column for c in sheet[head] if c.value}
    sheet.cell(head + 1, columns["三级指标"], "完成建设任务（改）")
    for row in range(head + 1, head + 6):
        sheet.cell(row, columns["截至节点完成值"], "过半")
        sheet.cell(row, columns["完成进度（%）"], 50)
        sheet.cell(row, columns["全年预计完成值"], "可完成")
        sheet.cell(row, columns["完成目标可能性"], "确定能")
    sheet.cell(labels["截至节点已执行金额（万元）"], 2, 100)
    sheet.cell(labels["全年预计执行数（万元）"], 2, 350)
    out = BytesIO()
    book.save(out)
    with pytest.raises(FormInvalid) as refused:
        commands.import_workbook(db, task.id, out.getvalue(), filename="监控表.xlsx", actor=actor)
    [message] = refused.value.fields["workbook"]
    assert f"第{head + 1}行" in message and "三级指标" in message and "不能修改" in message
    with db.reading() as session:
        assert tasks.readable_task(session, actor, task.id).draft is None  # nothing imported


# --- self-evaluation ------------------------------------------------------------------


@pytest.fixture
def evaluating(paths):
    iid = paths.start(is_new=False)
    paths.through_targets(iid)
    for month in ("06", "09"):
        paths.fire(iid, f"{YEAR}-{month}-01T09:00:00")
        paths.do(iid, "mn_report", report())
        paths.do(iid, "mn_review", forms.monitoring_review(True))
    paths.fire(iid, f"{YEAR + 1}-01-02T09:00:00")
    assert paths.open(iid) == ["ev_self"]
    return iid


def test_R_TG_3_self_evaluation_rows_are_the_approved_targets(paths, evaluating):
    """An invented indicator scored 90, a dropped one, a changed target: each refused on its row."""
    data = forms.self_evaluation(362.0, 350.0)
    data["ev_outcome_indicators"].append(
        {"name": "带动就业人数", "weight": 0, "score": 0, "target_value": "50", "actual_value": "90"}
    )
    del data["ev_output_indicators"][2]
    data["ev_satisfaction_indicators"][0]["target_value"] = "80"
    assert refusal(paths, evaluating, "ev_self", data) == {
        "ev_outcome_indicators/1/name": ["第2行「带动就业人数」不是批复的绩效指标，不能新增"],
        # the declared weight check (产出 50) sees the dropped row's points missing too
        "ev_output_indicators": ["产出指标分值合计应为50", "缺少批复的绩效指标「按期完工率」，不能删除"],
        "ev_satisfaction_indicators/0/target_value": [
            "第1行「群众满意度」的年度指标值应为批复的「90」，不能修改"
        ],
    }
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    assert paths.open(evaluating) == ["ev_finance_review"]


def test_R_TG_3_self_evaluation_weights_and_the_approved_goal_are_not_the_units_to_change(paths, evaluating):
    """The weights come from the approved targets (rescaled to 50/30/10) and the 年度总体目标 is
    the approved one: the page shows them as text, and the server refuses a changed value too
    (a posted form or an API call), each beside its field."""
    with paths.db.reading() as session:
        [task] = paths.tasks(evaluating)
        schema = tasks.form_schema(session, task)
        shown = tasks.prefill(session, task, schema)
        assert "weight" in tasks.bound_tables(session, task, schema)["ev_output_indicators"]
        assert tasks.bound_fields(session, task, schema) == ["ev_goal_planned"]
    approved_goal = shown["ev_goal_planned"]
    assert approved_goal
    data = {**forms.self_evaluation(362.0, 350.0), "ev_goal_planned": "年度目标改为完成一半"}
    data["ev_output_indicators"][0]["weight"] += 5
    data["ev_output_indicators"][1]["weight"] -= 5  # still 50 in all: only the binding refuses it
    data["ev_output_indicators"][1]["score"] = 0
    fields = refusal(paths, evaluating, "ev_self", data)
    assert fields["ev_goal_planned"] == ["年度总体目标（批复）应为批复的内容，不能修改"]
    assert set(fields) == {
        "ev_goal_planned",
        "ev_output_indicators/0/weight",
        "ev_output_indicators/1/weight",
    }
    assert "的分值应为批复的" in fields["ev_output_indicators/0/weight"][0]
    paths.do(evaluating, "ev_self", {**forms.self_evaluation(362.0, 350.0), "ev_goal_planned": approved_goal})
    assert paths.open(evaluating) == ["ev_finance_review"]


def test_R_TG_3_an_indicator_moved_to_another_table_is_refused(paths, evaluating):
    """受益群众人数 is an approved 效益指标: scored among the 产出指标 it is not approved there."""
    data = forms.self_evaluation(362.0, 350.0)
    data["ev_output_indicators"].append(data["ev_outcome_indicators"].pop())
    fields = refusal(paths, evaluating, "ev_self", data)
    assert fields["ev_output_indicators/3/name"] == ["第4行「受益群众人数」不是批复的绩效指标，不能新增"]
    assert "缺少批复的绩效指标「受益群众人数」，不能删除" in fields["ev_outcome_indicators"]


def test_R_TG_3_after_an_approved_change_the_report_follows_the_new_version(paths, db):
    """R-TG-3: an approved change is a new version of the targets; the next monitoring report is
    pre-filled from it and held to it (the old target value is refused)."""
    iid = paths.start(is_new=False)
    paths.through_targets(iid)
    project_id = paths.project_row(iid).id
    cid = tc.request_change(paths.db, project_id, actor=in_role("unit_submitter", paths.unit_id))
    changed = forms.performance_targets("农村人居环境整治项目")
    changed["indicators"][0]["target_value"] = "120"
    request = {"tc_reason": "上级追加任务", "tg_overall_goal": changed["tg_overall_goal"]}
    paths.do(cid, "tc_request", {**request, "indicators": changed["indicators"]})
    paths.do(cid, "tc_head", {"tc_head_decision": "同意", "tc_head_comment": "同意"})
    paths.do(cid, "tc_review", {"tc_decision": "同意调整", "tc_comment": "同意"})
    paths.fire(iid, f"{YEAR}-06-01T09:00:00")
    [task] = paths.tasks(iid)
    with db.reading() as session:
        shown = tasks.prefill(session, task, tasks.form_schema(session, task))["mn_indicator_progress"]
    assert shown[0]["target_value"] == "120"
    fields = refusal(paths, iid, "mn_report", report())  # the old 100
    assert fields == {
        "mn_indicator_progress/0/target_value": [
            "第1行「完成建设任务」的年度指标值应为批复的「120」，不能修改"
        ]
    }
    paths.do(iid, "mn_report", forms.monitoring_report(362.0, indicators=changed["indicators"]))
    assert paths.open(iid) == ["mn_review"]


# --- department-wide monitoring ------------------------------------------------------------


@pytest.fixture
def dw_monitoring(paths):
    with paths.db.unit_of_work() as uow:
        paths.unit_id = factories.unit(uow, "360922-001", "万载县农业农村局")
        uow.commit()
    paths.clock_at(f"{YEAR}-01-25T09:00:00")
    opened = commands.open_fiscal_year(paths.db, YEAR, date(YEAR, 1, 20), actor=OFFICE)
    [iid] = opened.started["department_wide"]
    paths.do(iid, "dw_targets", dw_forms.targets("万载县农业农村局"))
    paths.do(iid, "dw_targets_review", dw_forms.review("dw_tr", "通过", 90.0))
    paths.fire(iid, f"{YEAR}-07-01T09:00:00")
    assert paths.open(iid) == ["dw_monitoring"]
    return iid


def test_R_MN_6_department_wide_monitoring_reports_each_approved_indicator(paths, dw_monitoring, db):
    [task] = paths.tasks(dw_monitoring)
    with db.reading() as session:
        shown = tasks.prefill(session, task, tasks.form_schema(session, task))["dw_mn_indicator_progress"]
    approved = dw_forms.targets("万载县农业农村局")["indicators"]
    assert [(r["level1"], r["level2"], r["name"], r["target_value"], r["unit"]) for r in shown] == [
        (i["level1"], i["level2"], i["name"], i["target_value"], i["unit"]) for i in approved
    ]
    bad = dw_forms.monitoring_report()
    bad["dw_mn_indicator_progress"][1]["name"] = "预算执行进度"
    missing = copy.deepcopy(dw_forms.monitoring_report())
    del missing["dw_mn_indicator_progress"][0]["projected_value"]
    assert refusal(paths, dw_monitoring, "dw_monitoring", bad) == {
        "dw_mn_indicator_progress/1/name": [
            "第2行「预算执行进度」的三级指标应为批复的「预算执行率」，不能修改"
        ]
    }
    assert refusal(paths, dw_monitoring, "dw_monitoring", missing) == {
        "dw_mn_indicator_progress/0/projected_value": ["此项为必填项"]
    }
    paths.do(dw_monitoring, "dw_monitoring", dw_forms.monitoring_report())
    assert paths.open(dw_monitoring) == ["dw_monitoring_review"]
