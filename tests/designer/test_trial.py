"""试运行 (issue 13 item 7): a draft runs in a throw-away sandbox, stepped lane by lane; the page
shows which way each gateway went for the values given and which timers would be set."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workflows import clock
from workflows.engine import specs, trial
from workflows.engine.trial import Step
from workflows.errors import FormInvalid

ROOT = Path(__file__).parents[2]
REVIEW = ROOT / "tests" / "server" / "fixtures" / "review"
SUBMIT = {"amount": 362, "start_date": "2026-03-01", "indicators": [{"name": "受益人口", "target": "≥5000"}]}


@pytest.fixture(scope="module")
def files():
    return specs.load_bundle(REVIEW)


def test_a_fresh_trial_waits_at_the_first_task_of_its_lane(files):
    state = trial.run(files, "review", {}, [])
    assert [(t.element, t.role, t.form) for t in state.ready] == [
        ("submit", "unit_submitter", "review_submit.json")
    ]
    assert state.ready[0].schema["title"] == "绩效目标申报表"
    assert [p.element for p in state.passed] == ["StartEvent_1"] and not state.ended


def test_stepping_through_the_lanes_shows_the_gateway_taken_and_the_timer_set(files):
    moment = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with clock.frozen(moment):
        state = trial.run(
            files,
            "review",
            {},
            [
                Step("task", "submit", 0, SUBMIT),
                Step("task", "head_approve", 0, {"head_approved": True}),
            ],
        )
    assert [t.element for t in state.ready] == ["finance_review"]
    [deadline] = state.timers
    assert deadline.element == "review_deadline" and deadline.kind == "boundary" and deadline.interrupting
    assert deadline.due_at == moment + timedelta(days=10)  # "P10D" from the moment the task became ready

    approved = trial.run(
        files, "review", {}, [*state.steps, Step("task", "finance_review", 0, {"decision": "approve"})]
    )
    gateway = next(p for p in approved.passed if p.element == "Gateway_decision")
    assert gateway.took == [("抽取专家", 'decision == "approve"')]
    assert (
        next(p for p in approved.passed if p.element == "pick_experts").wrote["project_stage"]
        == "expert_review"
    )
    # the multi-instance expert task: one ready task per expert, told apart by their order
    assert [(t.element, t.nth, t.item) for t in approved.ready] == [
        ("expert_score", 0, "wang.expert"),
        ("expert_score", 1, "zhao.expert"),
    ]

    returned = trial.run(
        files, "review", {}, [*state.steps, Step("task", "finance_review", 0, {"decision": "return"})]
    )
    gateway = next(p for p in returned.passed if p.element == "Gateway_decision")
    assert gateway.took == [("填报绩效目标", None)]  # the default flow, no condition
    assert [t.element for t in returned.ready] == ["submit"]


def test_making_a_timer_due_takes_its_path(files):
    taken = [Step("task", "submit", 0, SUBMIT), Step("task", "head_approve", 0, {"head_approved": True})]
    state = trial.run(files, "review", {}, [*taken, Step("timer", "review_deadline", 0)])
    assert state.ended and not state.ready and not state.timers
    assert [p.element for p in state.passed][-3:] == ["review_deadline", "mark_overdue", "EndEvent_overdue"]
    assert state.data["project_overdue"] is True


def test_the_experts_finish_and_the_process_ends(files):
    taken = [
        Step("task", "submit", 0, SUBMIT),
        Step("task", "head_approve", 0, {"head_approved": True}),
        Step("task", "finance_review", 0, {"decision": "approve"}),
        Step("task", "expert_score", 1, {"score": 80}),
        Step("task", "expert_score", 0, {"score": 90}),
    ]
    state = trial.run(files, "review", {}, taken)
    assert state.ended and state.error is None and len(state.steps) == 5
    assert "EndEvent_done" in state.completed_elements


def test_form_data_is_checked_as_on_the_task_page_and_the_step_is_not_taken(files):
    state = trial.run(
        files, "review", {}, [Step("task", "submit", 0, {"amount": -5, "start_date": "2026-03-01"})]
    )
    assert state.refused_step == Step("task", "submit", 0, {"amount": -5, "start_date": "2026-03-01"})
    assert set(state.refused) >= {"amount", "indicators"}
    assert state.steps == [] and [t.element for t in state.ready] == ["submit"]


def test_a_failing_condition_is_reported_with_its_element_and_nothing_raises(files):
    broken = dict(files)
    broken["review.bpmn"] = files["review.bpmn"].replace('decision == "approve"', "decision == approve_value")
    taken = [
        Step("task", "submit", 0, SUBMIT),
        Step("task", "head_approve", 0, {"head_approved": True}),
        Step("task", "finance_review", 0, {"decision": "approve"}),
    ]
    state = trial.run(broken, "review", {}, taken)
    assert state.error and "Gateway_decision" in state.error and "approve_value" in state.error


def test_a_sandbox_refusal_stops_the_trial_before_it_runs(files):
    hostile = dict(files)
    hostile["review.bpmn"] = files["review.bpmn"].replace(
        "project_overdue = True", "project_overdue = ().__class__.__bases__[0].__subclasses__()"
    )
    state = trial.run(hostile, "review", {}, [])
    assert state.lint_errors and not state.ready
    assert any(e.element == "mark_overdue" for e in state.lint_errors)


def test_a_step_that_no_longer_applies_is_named(files):
    state = trial.run(files, "review", {}, [Step("task", "finance_review", 0, {"decision": "approve"})])
    assert state.error == "第1步：任务 finance_review 当前不在办理中" and state.steps == []
    assert [t.element for t in state.ready] == ["submit"]


def test_sample_start_data_reaches_the_first_tasks(files):
    state = trial.run(files, "review", {"project_name": "农村人居环境整治"}, [])
    assert state.data.get("project_name") == "农村人居环境整治"
    refused = trial.run(files, "review", {"bad": float("nan")}, [])
    assert refused.error and refused.error.startswith("示例启动数据不可用")


def test_a_returned_task_comes_back_with_what_was_submitted(files):
    taken = [
        Step("task", "submit", 0, SUBMIT),
        Step("task", "head_approve", 0, {"head_approved": True}),
        Step("task", "finance_review", 0, {"decision": "return"}),
    ]
    state = trial.run(files, "review", {}, taken)
    [again] = state.ready
    assert again.element == "submit" and again.values["amount"] == 362
    assert again.values["indicators"] == SUBMIT["indicators"]


def test_monitoring_rows_are_copied_from_the_targets_and_bound_as_on_the_task_page():
    from demo import form_data

    real = specs.load_bundle(ROOT / "bpmn", ROOT / "forms")
    indicators = form_data.performance_targets("农村人居环境整治项目")["indicators"]
    start = {"indicators": indicators, "fiscal_year": 2027, "amount_wan": 362.0, "monitoring_node": "05-31"}
    state = trial.run(real, "monitoring_round", start, [])
    assert [t.element for t in state.timers] == ["mn_node_reached"] and not state.ready
    state = trial.run(real, "monitoring_round", start, [Step("timer", "mn_node_reached", 0)])
    [report] = state.ready
    rows = report.values["mn_indicator_progress"]
    assert [r["name"] for r in rows] == [i["name"] for i in indicators]
    assert "target_value" in report.bound["mn_indicator_progress"]


def test_a_panel_draw_takes_the_first_experts_of_the_pool_and_refuses_more_than_there_are(files):
    real = specs.load_bundle(ROOT / "bpmn", ROOT / "forms")
    review = json.loads(real["ex_ante_finance_review.json"])
    assert trial._drawn(review, {"experts_draw": 2}, ["sun.expert", "wang.expert", "zhao.expert"])[
        "experts"
    ] == [
        "sun.expert",
        "wang.expert",
    ]
    with pytest.raises(FormInvalid) as refused:
        trial._drawn(review, {"experts_draw": 4}, ["sun.expert"])
    assert refused.value.fields == {"experts_draw": ["专家库中可抽取的专家只有 1 位"]}


def test_an_engine_failure_on_a_bad_start_value_is_shown_not_raised():
    real = specs.load_bundle(ROOT / "bpmn", ROOT / "forms")
    start = {"indicators": [], "fiscal_year": 2027, "amount_wan": 362.0, "monitoring_node": "2027-05-31"}
    state = trial.run(real, "monitoring_round", start, [])
    # named as the designer typed it, at the step that read it
    assert state.error and "mn_prepare" in state.error and "'2027-05-31'" in state.error


def test_a_draft_with_lint_errors_offers_no_process_to_try(files):
    broken = dict(files)
    broken["review.bpmn"] = files["review.bpmn"].replace('decision == "approve"', 'decision == "approve')
    assert trial.processes(broken) == [] and trial.processes(files) == [("review", "测试评审 Test review")]
