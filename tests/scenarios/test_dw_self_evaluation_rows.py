"""The department-wide self-evaluation is scored on the unit's approved department-wide targets
(R-DW-2, issue 10 item 4), through the real ``bpmn/`` and the commands the pages call.

``forms/dw_self_evaluation.json`` declares its indicator table pre-filled from the ``indicators``
the unit's ``dw_targets`` recorded and bound to them (``x-prefill``), as the June report is
(R-MN-6): none added, none dropped, 一级/二级/三级指标, 比较方式, 指标值 and 分值 as approved.
Its declared checks: a row's 得分 is at most its 分值, a row whose 实际完成值 misses the target
says why (偏差原因), and the 自评得分 is the sum of the rows' scores.
"""

# ruff: noqa: F811 - the department-wide fixtures are imported and named as arguments

from __future__ import annotations

import copy

import pytest

from demo import department_wide as dw_forms
from workflows.errors import FormInvalid
from workflows.queries import tasks

from .conftest import YEAR
from .test_department_wide import opened, through_monitoring, through_targets, units  # noqa: F401

TABLE = "dw_se_indicators"


@pytest.fixture
def self_evaluating(paths, opened):
    through_targets(paths, opened)
    through_monitoring(paths, opened)
    paths.fire(opened, f"{YEAR + 1}-01-02T09:00:00")
    assert paths.open(opened) == ["dw_self_evaluation"]
    return opened


def refusal(paths, iid, data) -> dict[str, list[str]]:
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "dw_self_evaluation", data)
    assert paths.open(iid) == ["dw_self_evaluation"]  # nothing recorded
    return refused.value.fields


def test_R_DW_2_the_self_evaluation_rows_are_the_units_approved_targets(paths, self_evaluating, db):
    [task] = paths.tasks(self_evaluating)
    with db.reading() as session:
        schema = tasks.form_schema(session, task)
        shown = tasks.prefill(session, task, schema)[TABLE]
        bound = tasks.bound_tables(session, task, schema)
    approved = dw_forms.targets("万载县农业农村局")["indicators"]
    keys = ("level1", "level2", "name", "direction", "target_value", "unit", "weight")
    assert [tuple(r.get(k) for k in keys) for r in shown] == [tuple(i[k] for k in keys) for i in approved]
    assert bound == {TABLE: list(keys)}
    paths.do(self_evaluating, "dw_self_evaluation", dw_forms.self_evaluation(score=91.0))
    assert paths.open(self_evaluating) == ["dw_self_evaluation_review"]


def test_R_DW_2_an_invented_dropped_or_rescored_indicator_is_refused_on_its_row(paths, self_evaluating):
    data = dw_forms.self_evaluation(score=100.0)
    data[TABLE].append(
        {"name": "群众获得感", "target_value": "高", "weight": 10, "actual_value": "高", "score": 10}
    )
    del data[TABLE][1]
    data[TABLE][0]["weight"] = 50
    fields = refusal(paths, self_evaluating, data)
    assert fields[f"{TABLE}/3/name"] == ["第4行「群众获得感」不是批复的绩效指标，不能新增"]
    assert fields[f"{TABLE}/0/weight"] == ["第1行「年度重点工作任务完成数」的分值应为批复的「40」，不能修改"]
    assert fields[TABLE] == ["缺少批复的绩效指标「预算执行率」，不能删除"]


def test_R_DW_2_a_score_above_the_indicators_weight_is_refused(paths, self_evaluating):
    data = dw_forms.self_evaluation(score=100.0)
    data[TABLE][0]["score"] = 35
    data[TABLE][3]["score"] = 15  # 服务对象满意度 is worth 10
    assert refusal(paths, self_evaluating, data) == {f"{TABLE}/3/score": ["超过该指标分值 10"]}


def test_R_DW_2_an_indicator_below_its_target_needs_the_deviation_reason(paths, self_evaluating):
    data = dw_forms.self_evaluation(score=91.0)
    assert all(r.get("deviation_reason") for r in data[TABLE])  # each missed a little: each says why
    unexplained = copy.deepcopy(data)
    unexplained[TABLE][2]["deviation_reason"] = ""
    assert refusal(paths, self_evaluating, unexplained) == {
        f"{TABLE}/2/deviation_reason": ["实际完成值未达到年度指标值，须填写偏差原因"]
    }
    paths.do(self_evaluating, "dw_self_evaluation", data)
    assert paths.open(self_evaluating) == ["dw_self_evaluation_review"]


def test_R_DW_2_the_self_score_is_the_sum_of_the_indicator_scores(paths, self_evaluating):
    data = dw_forms.self_evaluation(score=91.0)
    data["dw_se_self_score"] = 95.0
    assert refusal(paths, self_evaluating, data) == {
        "dw_se_self_score": ["自评得分应等于各项绩效指标得分之和"]
    }
