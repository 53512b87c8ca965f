"""DMN tables run through the sandbox; messages reach waiting instances; cancel stops one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.engine.bundles import variant
from workflows import commands
from workflows.engine import specs
from workflows.errors import Conflict
from workflows.policy import Actor
from workflows.store import AuditEvent, ProcessInstance

SYSTEM = Actor.system("test")


def _state(db, instance_id):
    with db.reading() as s:
        instance = s.get(ProcessInstance, instance_id)
        return instance.status, json.loads(instance.workflow_state)


@pytest.mark.parametrize(
    ("score", "grade"), [(90, "优"), (89.9, "良"), (80, "良"), (79.9, "中"), (60, "中"), (59.9, "差")]
)
def test_dmn_grade_band_is_evaluated_in_the_sandbox(db, deploy, score, grade):
    deploy("decision")
    started = commands.start(db, "decision", actor=SYSTEM, data={"score": score}, business_key=f"K{score}")
    status, state = _state(db, started.instance_id)
    assert status == "running"
    grades = [t["data"].get("grade") for t in state["tasks"].values() if t.get("data")]
    deltas = [t["delta"].get("updates", {}).get("grade") for t in state["tasks"].values() if t.get("delta")]
    assert grade in grades + deltas


def test_a_dmn_cell_with_dunder_access_is_refused_at_deploy(tmp_path):
    bundle = variant(
        tmp_path,
        base="decision",
        edits={"grade_band.dmn": [("<text>&gt;= 90</text>", "<text>&gt;= score.__class__</text>")]},
    )
    errors = specs.lint(specs.load_bundle(bundle))
    assert [(e.file, e.element) for e in errors] == [("grade_band.dmn", "Entry_excellent")]


def test_a_message_completes_the_instance_waiting_for_it(db, deploy):
    deploy("decision")
    waiting = commands.start(db, "decision", actor=SYSTEM, data={"score": 85}, business_key="P-7")
    other = commands.start(db, "decision", actor=SYSTEM, data={"score": 85}, business_key="P-8")
    delivered = commands.correlate_message(
        db, "result_confirmed", business_key="P-7", payload={"ok": True}, actor=SYSTEM
    )
    assert delivered == [waiting.instance_id]
    assert _state(db, waiting.instance_id)[0] == "completed"
    assert _state(db, other.instance_id)[0] == "running"


def test_cancel_stops_an_instance_and_closes_its_tasks(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    commands.cancel(db, started.instance_id, actor=SYSTEM, reason="项目撤销")
    assert _state(db, started.instance_id)[0] == "cancelled"
    with db.reading() as s:
        actions = [
            e.action
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.instance_id == started.instance_id)
                .order_by(AuditEvent.seq)
            )
        ]
    assert actions[-2:] == ["task.cancelled", "instance.cancelled"]
    with pytest.raises(Conflict):
        commands.cancel(db, started.instance_id, actor=SYSTEM)
