"""Migrating running instances to a newer version: a waiting user task, a waiting timer,
inside a call activity; refusal where a waiting task was removed (issue 13, item 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.engine.bundles import variant
from workflows import clock, commands
from workflows.commands import migration
from workflows.errors import MigrationRefused
from workflows.policy import Actor
from workflows.store import AuditEvent, HumanTask, ProcessInstance, Timer

DESIGNER = Actor("designer", frozenset({"designer"}))
SUBMISSION = {"project_name": "城区污水处理", "amount": 1261.22}
T0 = "2026-05-20T09:00:00+08:00"


def _open_rows(db, instance_id):
    with db.reading() as s:
        return s.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        ).all()


def _version_of(db, instance_id):
    with db.reading() as s:
        return s.get(ProcessInstance, instance_id).definition.version


@pytest.fixture
def waiting_for_review(db, deploy, submitter):
    """An approval instance waiting on the review user task and its 10-day deadline timer."""
    clock.set_now(clock.parse_moment(T0))
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter, business_key="P-001")
    commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
    return started.instance_id


def test_waiting_user_task_moves_to_the_new_version_keeping_its_id_and_deadline(
    db, deploy, tmp_path, waiting_for_review
):
    before = _open_rows(db, waiting_for_review)[0]
    deploy(variant(tmp_path, edits={"approval.bpmn": [("审核 Review", "财政审核 Review")]}))
    clock.set_now(clock.parse_moment(T0) + timedelta(days=3))
    with db.reading() as s:
        _instance, target, plan = migration.plan_for(s, waiting_for_review)
    assert plan.possible and target.version == 2
    assert [c.element for c in plan.changed] == ["review"]
    assert "bpmn_name" in plan.changed[0].attributes

    migration.migrate_instance(db, waiting_for_review, actor=DESIGNER)

    assert _version_of(db, waiting_for_review) == 2
    after = _open_rows(db, waiting_for_review)[0]
    assert (after.id, after.title) == (before.id, "财政审核 Review")
    assert after.due_at == before.due_at  # an unchanged timer keeps its deadline
    with db.reading() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migrated"))
    assert event.actor == "designer" and event.data["from_version"] == 1 and event.data["to_version"] == 2


def test_waiting_timer_with_a_new_duration_is_set_again_and_the_index_follows(
    db, deploy, tmp_path, waiting_for_review
):
    deploy(variant(tmp_path, edits={"approval.bpmn": [('"P10D"', '"P15D"')]}))
    moved_at = clock.parse_moment(T0) + timedelta(days=1)
    clock.set_now(moved_at)
    plan = migration.migrate_instance(db, waiting_for_review, actor=DESIGNER)
    assert plan.restarted_timers == ["审核期限"]
    with db.reading() as s:
        timer = s.scalar(select(Timer).where(Timer.instance_id == waiting_for_review))
    assert timer.due_at == moved_at + timedelta(days=15)
    assert _open_rows(db, waiting_for_review)[0].due_at == moved_at + timedelta(days=15)


def test_removed_waiting_task_refuses_the_migration_and_changes_nothing(
    db, deploy, tmp_path, waiting_for_review
):
    with db.reading() as s:
        state_before = s.get(ProcessInstance, waiting_for_review).workflow_state
    renamed = [
        ('id="review"', 'id="review2"'),
        ('targetRef="review"', 'targetRef="review2"'),
        ('sourceRef="review"', 'sourceRef="review2"'),
        ('attachedToRef="review"', 'attachedToRef="review2"'),
        ("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>review2</bpmn:flowNodeRef>"),
    ]
    deploy(variant(tmp_path, edits={"approval.bpmn": renamed}))
    with pytest.raises(MigrationRefused, match="review"):
        migration.migrate_instance(db, waiting_for_review, actor=DESIGNER)
    with db.reading() as s:
        instance = s.get(ProcessInstance, waiting_for_review)
        assert instance.definition.version == 1
        assert instance.workflow_state == state_before


def test_waiting_task_inside_a_call_activity_moves_with_the_called_process(db, deploy, tmp_path, submitter):
    clock.set_now(clock.parse_moment(T0))
    deploy("approval")
    caller = tmp_path / "caller_v1"
    caller.mkdir()
    for source in (variant(tmp_path / "a", "approval"), variant(tmp_path / "c", "caller")):
        for f in source.iterdir():
            (caller / f.name).write_text(f.read_text())
    deploy(caller)
    started = commands.start(db, "caller", actor=submitter, business_key="P-CALL")
    commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
    review = _open_rows(db, started.instance_id)[0]
    assert review.task_spec == "review"

    text = (caller / "approval.bpmn").read_text().replace("审核 Review", "复核 Review")
    (caller / "approval.bpmn").write_text(text)
    deploy(caller)
    with db.reading() as s:
        _i, target, plan = migration.plan_for(s, started.instance_id)
    assert plan.possible and [c.process for c in plan.changed] == ["approval"]

    migration.migrate_instance(db, started.instance_id, actor=DESIGNER, version=target.version)
    row = _open_rows(db, started.instance_id)[0]
    assert (row.id, row.title) == (review.id, "复核 Review")
    result = commands.complete_task(
        db, row.id, {"decision": "approve"}, actor=Actor("li.si", frozenset({"finance_reviewer"}))
    )
    assert result.status == "completed"


def test_batch_moves_those_it_can_and_names_those_it_cannot(db, deploy, tmp_path, submitter):
    clock.set_now(clock.parse_moment(T0))
    deploy("approval")
    at_submit = [
        commands.start(db, "approval", actor=submitter, business_key=f"S-{i}").instance_id for i in range(3)
    ]
    at_review = []
    for i in range(2):
        started = commands.start(db, "approval", actor=submitter, business_key=f"R-{i}")
        commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=submitter)
        at_review.append(started.instance_id)
    renamed = [
        ('id="review"', 'id="review2"'),
        ('targetRef="review"', 'targetRef="review2"'),
        ('sourceRef="review"', 'sourceRef="review2"'),
        ('attachedToRef="review"', 'attachedToRef="review2"'),
        ("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>review2</bpmn:flowNodeRef>"),
    ]
    deploy(variant(tmp_path, edits={"approval.bpmn": renamed}))
    report = migration.migrate_instances(db, at_submit + at_review, actor=DESIGNER)
    assert report.moved == at_submit
    assert set(report.refused) == set(at_review)
    assert all("review" in reason for reason in report.refused.values())
