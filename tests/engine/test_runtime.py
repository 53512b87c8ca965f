"""Runtime commands: start, complete, claim, forms, timers, depth guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import clock, commands, timers
from workflows.errors import (
    Conflict,
    FormInvalid,
    NotClaimedByYou,
    TaskAlreadyCompleted,
    TaskNotFound,
    TreeTooDeep,
)
from workflows.policy import Actor
from workflows.store import AuditEvent, HumanTask, ProcessInstance, Timer

SUBMISSION = {"project_name": "城区污水处理", "amount": 1261.22}


@pytest.fixture
def started(db, deploy, submitter):
    deploy("approval")
    return commands.start(db, "approval", actor=submitter, business_key="P-001")


def _only_open_task(db, instance_id) -> HumanTask:
    with db.reading() as s:
        rows = s.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        ).all()
    assert len(rows) == 1
    return rows[0]


def test_start_complete_complete_reaches_completed(db, started, submitter, reviewer):
    assert [t.task_spec for t in started.next_tasks] == ["submit"]
    after_submit = commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
    assert [(t.task_spec, t.role) for t in after_submit.next_tasks] == [("review", "finance_reviewer")]
    done = commands.complete_task(db, after_submit.next_tasks[0].id, {"decision": "approve"}, actor=reviewer)
    assert done.status == "completed" and done.next_tasks == []
    with db.reading() as s:
        instance = s.get(ProcessInstance, started.instance_id)
        assert instance.status == "completed" and instance.completed_at is not None
        assert s.scalars(select(Timer)).all() == []  # the review deadline was cancelled with its task


def test_returned_review_goes_back_to_the_submitter(db, started, submitter, reviewer):
    review = commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter).next_tasks[0]
    back = commands.complete_task(
        db, review.id, {"decision": "return", "comment": "目标不明确"}, actor=reviewer
    )
    assert [t.task_spec for t in back.next_tasks] == ["submit"]


def test_undeclared_form_keys_are_dropped_and_cannot_switch_a_gateway(db, started, submitter, reviewer):
    review = commands.complete_task(
        db, started.next_tasks[0].id, {**SUBMISSION, "decision": "approve"}, actor=submitter
    ).next_tasks[0]
    # 'decision' is not on the submission form: it must not reach the gateway
    back = commands.complete_task(db, review.id, {"decision": "return"}, actor=reviewer)
    assert back.status == "running"
    with db.reading() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "task.completed")).first()
    assert event.data["dropped_keys"] == ["decision"]
    assert "decision" not in event.data["data"]


def test_invalid_form_data_is_refused_per_field_and_changes_nothing(db, started, submitter):
    with db.reading() as s:
        before = s.get(ProcessInstance, started.instance_id).lock_version
    with pytest.raises(FormInvalid) as refused:
        commands.complete_task(
            db, started.next_tasks[0].id, {"project_name": "", "amount": -5}, actor=submitter
        )
    assert set(refused.value.fields) == {"project_name", "amount"}
    assert "不能小于" in refused.value.fields["amount"][0]
    with db.reading() as s:
        assert s.get(ProcessInstance, started.instance_id).lock_version == before
        assert s.get(HumanTask, started.next_tasks[0].id).status == "open"


def test_missing_required_field_is_reported_under_its_name(db, started, submitter):
    with pytest.raises(FormInvalid) as refused:
        commands.complete_task(db, started.next_tasks[0].id, {"project_name": "x"}, actor=submitter)
    assert refused.value.fields == {"amount": ["此项为必填项"]}


def test_a_completed_task_cannot_be_completed_again(db, started, submitter):
    commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
    with pytest.raises(TaskAlreadyCompleted):
        commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)


def test_a_user_without_the_lane_role_may_not_complete(db, started, reviewer):
    # a task the user may not even see is not found for them (ids cannot be probed)
    with pytest.raises(TaskNotFound):
        commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=reviewer)


def test_claimed_task_belongs_to_the_claimant(db, started, submitter):
    colleague = Actor("wang.wu", frozenset({"unit_submitter"}))
    commands.claim(db, started.next_tasks[0].id, actor=submitter)
    with pytest.raises(Conflict):
        commands.claim(db, started.next_tasks[0].id, actor=colleague)
    with pytest.raises(NotClaimedByYou):
        commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=colleague)
    commands.unclaim(db, started.next_tasks[0].id, actor=submitter)
    commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=colleague)


def test_claim_unclaim_and_complete_are_audited(db, started, submitter):
    commands.claim(db, started.next_tasks[0].id, actor=submitter)
    commands.unclaim(db, started.next_tasks[0].id, actor=submitter)
    with db.reading() as s:
        actions = [
            e.action
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.instance_id == started.instance_id)
                .order_by(AuditEvent.seq)
            )
        ]
    assert actions == ["instance.started", "task.created", "task.claimed", "task.unclaimed"]


def test_review_deadline_fires_at_the_deadline_and_not_a_second_before(db, started, submitter):
    t0 = clock.parse_moment("2026-05-20T09:00:00+08:00")
    clock.set_now(t0)
    commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
    review = _only_open_task(db, started.instance_id)
    assert review.due_at == t0 + timedelta(days=10)  # the inbox shows the real deadline
    early = timers.run_due(db, t0 + timedelta(days=10) - timedelta(seconds=1))
    assert early.fired == 0
    assert _only_open_task(db, started.instance_id).task_spec == "review"
    late = timers.run_due(db, t0 + timedelta(days=10, seconds=1))
    assert late.fired == 1
    with db.reading() as s:
        instance = s.get(ProcessInstance, started.instance_id)
        assert instance.status == "completed"
        assert s.get(HumanTask, review.id).status == "cancelled"


def test_depth_guard_refuses_to_save_a_tree_near_the_engine_limit(
    db, started, submitter, reviewer, monkeypatch
):
    from workflows import engine

    monkeypatch.setattr(engine, "MAX_TREE_DEPTH", 140)  # guard at 40 levels instead of 900
    task = started.next_tasks[0]
    with pytest.raises(TreeTooDeep):
        for _ in range(50):
            review = commands.complete_task(db, task.id, SUBMISSION, actor=submitter).next_tasks[0]
            task = commands.complete_task(db, review.id, {"decision": "return"}, actor=reviewer).next_tasks[0]
    # the refused command saved nothing: the last open task is still open and completable
    still_open = _only_open_task(db, started.instance_id)
    assert still_open.status == "open"


def _depth_by_walking(workflow) -> int:
    from workflows import engine

    deepest = 0
    for task in engine.all_tasks(workflow):
        depth, node = 0, task
        while node is not None:
            depth, node = depth + 1, node.parent
        deepest = max(deepest, depth)
    return deepest


def test_tree_depth_is_the_longest_parent_chain_whatever_order_the_tasks_are_kept_in(
    db, started, submitter, reviewer
):
    from workflows import engine

    task = started.next_tasks[0]
    for _ in range(3):  # a review loop makes the tree deeper each round
        review = commands.complete_task(db, task.id, SUBMISSION, actor=submitter).next_tasks[0]
        task = commands.complete_task(db, review.id, {"decision": "return"}, actor=reviewer).next_tasks[0]
    with db.reading() as s:
        state = s.scalar(
            select(ProcessInstance.workflow_state).where(ProcessInstance.id == started.instance_id)
        )
    workflow = engine.load_workflow(state)
    walked = _depth_by_walking(workflow)
    assert walked > 10
    assert engine.tree_depth(workflow) == walked
    workflow.tasks = dict(reversed(list(workflow.tasks.items())))  # children before their parents
    assert engine.tree_depth(workflow) == walked
