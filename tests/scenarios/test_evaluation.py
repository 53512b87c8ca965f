"""绩效评价 evaluation and grading (DOMAIN 3.4, section 7), through the real bpmn/ files."""

from __future__ import annotations

from datetime import UTC

import pytest

from demo import form_data as forms
from tests.scenarios.conftest import YEAR, moment
from workflows.errors import FormInvalid
from workflows.queries import tasks

EXPERTS = ["expert.wang", "expert.liu", "expert.chen"]


@pytest.fixture
def evaluating(paths):
    """A project through monitoring (both nodes passed), owing its self-evaluation."""
    iid = paths.start(experts=EXPERTS)
    paths.to_evaluation(iid)
    return iid


def graded(paths, iid, finance_score, **flags):
    paths.evaluate(iid, finance_score, **flags)
    return paths.project_row(iid)


def test_unit_self_evaluates_after_the_year(paths, evaluating):
    """R-EV-1: units self-evaluate their projects, by end of March of the next year (002)."""
    [task] = paths.tasks(evaluating)
    assert (task.task_spec, task.role, task.form) == ("ev_self", "unit_submitter", "self_evaluation.json")
    assert task.due_at == moment(f"{YEAR + 1}-03-31T23:59:59").astimezone(UTC)
    assert paths.project_row(evaluating).stage == "evaluation"


def test_late_self_evaluation_marks_the_project_overdue(paths, evaluating):
    """R-EV-1: a self-evaluation not in by the deadline is overdue (a timer event)."""
    assert paths.fire(evaluating, f"{YEAR + 1}-04-01T09:00:00") == 1
    assert paths.project_row(evaluating).overdue is True
    assert paths.open(evaluating) == ["ev_self"]


def test_self_evaluation_total_is_computed_from_its_parts(paths, evaluating):
    """Section 7: execution rate 10 points + outputs + outcomes + satisfaction, computed not typed."""
    paths.do(
        evaluating, "ev_self", forms.self_evaluation(362.0, 350.0, output=45, outcome=26, satisfaction=9)
    )
    data = paths.data(evaluating)
    assert data["ev_execution_rate"] == 96.69
    assert data["ev_execution_points"] == 9.67
    assert (data["ev_output_points"], data["ev_outcome_points"], data["ev_satisfaction_points"]) == (
        45,
        26,
        9,
    )
    assert data["ev_self_total"] == 89.67


def test_a_typed_self_evaluation_total_is_ignored(paths, evaluating):
    """Section 7: the total is never typed — a submitted total is dropped and recomputed."""
    form = forms.self_evaluation(362.0, 362.0, output=40, outcome=20, satisfaction=5)
    form["ev_self_total"] = 100
    paths.do(evaluating, "ev_self", form)
    assert paths.data(evaluating)["ev_self_total"] == 75.0


def test_indicator_scores_cannot_exceed_their_weight(paths, evaluating):
    """Section 7: each indicator is scored against its target, at most its weight: 15 points on a
    10-point item is refused beside the field (the form's declared check), nothing recorded."""
    form = forms.self_evaluation(362.0, 362.0, output=50, outcome=30, satisfaction=10)
    form["ev_satisfaction_indicators"][0]["score"] = 15  # weight 10
    with pytest.raises(FormInvalid) as refused:
        paths.do(evaluating, "ev_self", form)
    assert refused.value.fields == {"ev_satisfaction_indicators/0/score": ["超过该指标分值 10"]}
    assert [t.task_spec for t in paths.tasks(evaluating)] == ["ev_self"]
    form["ev_satisfaction_indicators"][0]["score"] = 10
    paths.do(evaluating, "ev_self", form)
    assert paths.data(evaluating)["ev_satisfaction_points"] == 10


def test_self_evaluation_is_prefilled_from_the_approved_targets_at_10_50_30_10(paths, evaluating, db):
    """Section 7 with R-TG-5: the self-evaluation opens with the approved indicators, each in its
    table, the weights rescaled to 产出 50 / 效益 30 / 满意度 10 (approved: 60 / 30 / 10)."""
    [task] = paths.tasks(evaluating)
    with db.reading() as session:
        values = tasks.prefill(session, task, tasks.form_schema(session, task))
    assert values["ev_output_indicators"] == [
        {"level2": "数量指标", "name": "完成建设任务", "target_value": "100", "unit": "%", "weight": 25},
        {"level2": "质量指标", "name": "工程验收合格率", "target_value": "100", "unit": "%", "weight": 16.67},
        {"level2": "时效指标", "name": "按期完工率", "target_value": "95", "unit": "%", "weight": 8.33},
    ]
    assert values["ev_outcome_indicators"] == [
        {
            "level2": "社会效益指标",
            "name": "受益群众人数",
            "target_value": "20000",
            "unit": "人",
            "weight": 30,
        }
    ]
    assert values["ev_satisfaction_indicators"] == [
        {
            "level2": "服务对象满意度指标",
            "name": "群众满意度",
            "target_value": "90",
            "unit": "%",
            "weight": 10,
        }
    ]


def test_finance_scores_into_a_score_sheet(paths, evaluating):
    """R-EV-3: finance reviews every self-evaluation and scores it into a score sheet (打分表)."""
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    [task] = paths.tasks(evaluating)
    assert (task.task_spec, task.role) == ("ev_finance_review", "finance_reviewer")
    assert task.due_at == moment(f"{YEAR + 1}-05-31T23:59:59").astimezone(UTC)
    paths.do(evaluating, "ev_finance_review", forms.evaluation_review(83.5))
    assert paths.data(evaluating)["ev_finance_score"] == 83.5


def test_R_EV_3_the_finance_score_sheet_is_the_national_indicator_system(paths, evaluating):
    """Section 7: the finance sheet's rows are 决策/过程/产出/效益 and their items, pre-filled and
    bound; an item scored above its 分值 is refused on its cell, an item added is refused; the
    total and the grade it earns are computed, and the 问题清单 is recorded."""
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    [task] = paths.tasks(evaluating)
    with paths.db.reading() as session:
        shown = tasks.prefill(session, task, tasks.form_schema(session, task))["ev_score_sheet"]
    assert [(r["level1"], r["name"], r["max_points"]) for r in shown[:2]] == [
        ("决策", "立项依据充分性", 3),
        ("决策", "立项程序规范性", 3),
    ]
    assert {r["level1"] for r in shown} == {"决策", "过程", "产出", "效益"} and "score" not in shown[0]
    over = forms.evaluation_review(83.5)
    over["ev_score_sheet"][12]["score"] = 12  # 质量达标率 is worth 10
    with pytest.raises(FormInvalid) as refused:
        paths.do(evaluating, "ev_finance_review", over)
    assert refused.value.fields == {"ev_score_sheet/12/score": ["超过该项分值 10"]}
    added = forms.evaluation_review(83.5)
    added["ev_score_sheet"].append(
        {"level1": "效益", "level2": "项目效益", "name": "群众口碑", "max_points": 0, "score": 0}
    )
    with pytest.raises(FormInvalid) as refused:
        paths.do(evaluating, "ev_finance_review", added)
    assert list(refused.value.fields) == ["ev_score_sheet/17/name"]
    paths.do(
        evaluating, "ev_finance_review", forms.evaluation_review(83.5, problems=[("过程", "资金拨付滞后")])
    )
    data = paths.data(evaluating)
    assert (data["ev_sheet_total"], data["ev_sheet_grade"], data["ev_finance_score"]) == (83.5, "良", 83.5)
    assert data["ev_problem_list"][0]["problem"] == "资金拨付滞后"


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"), (0, "差")],
)
def test_grade_bands_at_90_80_60(paths, evaluating, score, grade):
    """Section 7: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60 (DMN grade_band)."""
    assert graded(paths, evaluating, score).grade == grade


def test_key_project_gets_a_three_expert_review_scored_by_the_mean(paths, evaluating, expert_pool):
    """R-EV-3: key or specialised projects get expert review (R-EX-1: the panel picked from the
    pool on the finance review form); the panel's mean is the score."""
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    review = {**forms.evaluation_review(70, needs_experts=True), "experts": expert_pool}
    paths.do(evaluating, "ev_finance_review", review)
    experts = paths.tasks(evaluating, "ev_expert_score")
    assert sorted(t.assignee for t in experts) == expert_pool
    for score in (88, 91, 85):
        paths.do(evaluating, "ev_expert_score", forms.expert_sheet(score))
    row = paths.project_row(evaluating)
    assert float(row.score) == 88.0 and row.grade == "良"


def test_third_party_key_evaluation_gives_the_final_score(paths, evaluating):
    """R-EV-4: finance picks key projects for independent third-party evaluation."""
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    paths.do(evaluating, "ev_finance_review", forms.evaluation_review(92, select_third_party=True))
    [task] = paths.tasks(evaluating)
    assert (task.task_spec, task.role) == ("ev_third_party", "third_party")
    assert task.due_at == moment(f"{YEAR + 1}-08-31T23:59:59").astimezone(UTC)
    sheet = forms.third_party_evaluation(76.5)  # the standard items scored: their total is the score
    assert "tp_ev_score" not in sheet
    paths.do(evaluating, "ev_third_party", sheet)
    row = paths.project_row(evaluating)
    assert float(row.score) == 76.5 and row.grade == "中"
    assert paths.data(evaluating)["tp_ev_grade"] == "中"


def test_audit_findings_keep_the_grade_below_liang(paths, evaluating):
    """R-EV-5: audit or inspection findings → not 优/良."""
    assert graded(paths, evaluating, 93, audit_findings=True).grade == "中"


def test_audit_findings_do_not_raise_a_poor_grade(paths, evaluating):
    """R-EV-5: a cap lowers, never raises: 55 with findings stays 差."""
    assert graded(paths, evaluating, 55, audit_findings=True).grade == "差"


def test_serious_misuse_grades_cha_directly(paths, evaluating):
    """R-EV-5: serious misuse of funds → 较差 (差) whatever the score."""
    assert graded(paths, evaluating, 96, serious_misuse=True).grade == "差"


@pytest.mark.parametrize(("score", "upward"), [(90, False), (90.5, True), (85, False)])
def test_only_scores_above_90_are_reported_upward(paths, evaluating, score, upward):
    """R-EV-6: only self-evaluations scoring above 90 go up."""
    graded(paths, evaluating, score)
    assert paths.data(evaluating)["report_upward"] is upward


def test_false_self_evaluation_is_a_one_vote_veto(paths, evaluating):
    """R-EV-7: a false self-evaluation → 差, funds recovered, people held accountable."""
    row = graded(paths, evaluating, 92, false_report=True)
    data = paths.data(evaluating)
    assert row.grade == "差"
    assert data["funds_recovered"] is True and data["accountability_required"] is True


def test_R_EV_1_the_project_row_says_what_its_execution_is_as_of(paths, evaluating):
    """issue 10 (finding 8): the monitoring figures carry their node (the August node: "08-31"),
    and a completed self-evaluation gives the year's 全年执行数 and 预算执行率 beside them, so
    the project page no longer shows August's 45% as if it were the year's."""
    row = paths.project_row(evaluating)
    assert row.execution_node == "08-31"
    assert (row.year_executed_amount, row.year_execution_rate) == (None, None)
    august = row.executed_amount
    paths.do(evaluating, "ev_self", forms.self_evaluation(362.0, 350.0))
    row = paths.project_row(evaluating)
    assert (float(row.year_executed_amount), float(row.year_execution_rate)) == (350.0, 96.69)
    assert (row.executed_amount, row.execution_node) == (august, "08-31")  # the node's, kept
