"""The department-wide self-evaluation's indicator rows on the task page and through the API
(R-DW-2, issue 10 item 4): the unit's approved department-wide targets, shown read-only with
their 分值, no row to add; each declared check (得分 ≤ 分值, 偏差原因 where the target was
missed, 自评得分 = the rows' total) refuses its bad case with the field error beside the cell on
the page (``POST /tasks/<id>``) and through ``POST /api/v1/tasks/{id}/complete``."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

import pytest

from demo import department_wide as dw_forms
from workflows import commands

from .test_bound_rows_pages import (  # noqa: F401 - fixtures shared with the bound-row tests
    YEAR,
    _open,
    actor,
    deployed,
    dw_task,
    fire,
    posted,
)
from .test_monitoring_outlook_pages import refused_everywhere

TABLE = "dw_se_indicators"
BASE = {
    "dw_se_budget_total": "1280",
    "dw_se_executed": "1236.8",
    "dw_se_goal_completion": "年度重点工作任务全部完成。",
    "dw_se_problems": "个别指标设置不够细化。",
}
SCORES = {0: ("12项", "40"), 1: ("96%", "20"), 2: ("98%", "30"), 3: ("92%", "10")}  # all met: 100


@pytest.fixture
def se_task(db_of, dw_task):
    """住建局's department-wide cycle after its June report and the year end: the self-evaluation."""
    db = db_of
    me = actor(db, "zhang.san")
    commands.complete_task(db, dw_task.id, dw_forms.monitoring_report(), actor=me)
    [review] = _open(db, dw_task.instance_id)
    commands.complete_task(db, review.id, dw_forms.review("dw_mr", "通过", 88.0), actor=actor(db, "li.si"))
    fire(db, dw_task.instance_id, f"{YEAR + 1}-01-02T09:00:00")
    [task] = _open(db, dw_task.instance_id)
    assert task.task_spec == "dw_self_evaluation"
    return task


def body(fields: dict[str, str], total: str = "100", **changes) -> dict[str, str]:
    out = {k: v for k, v in fields.items() if k != "csrf_token"}
    for n, (actual, score) in SCORES.items():
        out[f"{TABLE}-{n}-actual_value"], out[f"{TABLE}-{n}-score"] = actual, score
    return {**out, **BASE, "dw_se_self_score": total, **changes}


def as_json(posted_body: dict[str, str]) -> dict:
    rows: dict[int, dict] = {}
    data: dict = {}
    numbers = ("weight", "score", "dw_se_budget_total", "dw_se_executed", "dw_se_self_score")
    for key, value in posted_body.items():
        if value == "":
            continue
        parts = key.split("-")
        typed = float(value) if parts[-1] in numbers else value
        if len(parts) == 3 and parts[0] == TABLE:
            rows.setdefault(int(parts[1]), {})[parts[2]] = typed
        else:
            data[key] = typed
    return {**data, TABLE: [rows[i] for i in sorted(rows)]}


def test_R_DW_2_the_page_shows_the_approved_indicators_with_their_weights(web, se_task):
    html = web("zhang.san").get(f"/tasks/{se_task.id}").text
    assert 'class="grid rows bound wide"' in html and 'data-table="dw_se_indicators"' in html
    for shown in ("年度重点工作任务完成数", "预算执行率", "公共服务覆盖率", "服务对象满意度"):
        assert f'<span class="bound-value">{shown}</span>' in html
    assert '<span class="bound-value">40</span>' in html  # the approved 分值, read-only
    for title in ("实际完成值", "得分", "偏差原因"):
        assert f">{title}" in html
    assert f'name="{TABLE}-4-' not in html  # no row to add


def test_R_DW_2_all_targets_met_is_accepted_on_the_page(web, db_of, se_task):
    me = web("zhang.san")
    done = me.post(f"/tasks/{se_task.id}", body(posted(me.get(f"/tasks/{se_task.id}").text)))
    assert done.status_code == 302, done.text[:500]
    assert [t.task_spec for t in _open(db_of, se_task.instance_id)] == ["dw_self_evaluation_review"]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {f"{TABLE}-3-score": "12", f"{TABLE}-0-score": "38"},
            {f"{TABLE}/3/score": "超过该指标分值 10"},
        ),
        (
            {f"{TABLE}-2-actual_value": "93%", f"{TABLE}-2-score": "28", "dw_se_self_score": "98"},
            {f"{TABLE}/2/deviation_reason": "实际完成值未达到年度指标值，须填写偏差原因"},
        ),
        ({"dw_se_self_score": "95"}, {"dw_se_self_score": "自评得分应等于各项绩效指标得分之和"}),
        (
            {f"{TABLE}-1-weight": "25"},
            {f"{TABLE}/1/weight": "第2行「预算执行率」的分值应为批复的「20」，不能修改"},
        ),
    ],
    ids=["score_above_weight", "missed_target_unexplained", "self_score_not_the_total", "weight_changed"],
)
def test_R_DW_2_each_check_is_refused_on_page_and_api(web, api, db_of, se_task, changes, errors):
    fields = posted(web("zhang.san").get(f"/tasks/{se_task.id}").text)
    posting = body(fields, **changes)
    refused_everywhere(web, api, se_task.id, posting, errors, as_json(posting))
    assert [t.task_spec for t in _open(db_of, se_task.instance_id)] == ["dw_self_evaluation"]


def test_R_DW_2_a_missed_target_with_its_reason_passes_through_the_api(api, db_of, se_task):
    detail = api("zhang.san").get(f"/api/v1/tasks/{se_task.id}").json
    keys = ["level1", "level2", "name", "direction", "target_value", "unit", "weight"]
    assert detail["bound_tables"] == {TABLE: keys}
    rows = [dict(r) for r in detail["data"][TABLE]]
    for n, (actual, score) in SCORES.items():
        rows[n].update(actual_value=actual, score=float(score))
    rows[2].update(actual_value="93%", score=28.0, deviation_reason="偏远村组服务点年内未建成")
    data = {
        k: float(v) if k != "dw_se_goal_completion" and k != "dw_se_problems" else v for k, v in BASE.items()
    }
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{se_task.id}/complete",
        json={"data": {**data, TABLE: rows, "dw_se_self_score": 98}},
    )
    assert answer.status_code == 200, answer.text
    assert [t["task_spec"] for t in answer.json["next_tasks"]] == ["dw_self_evaluation_review"]
