"""A saved instance reloads in a fresh process (spec by reference, cache rebuilt from the DB)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from sqlalchemy import select

from workflows import commands
from workflows.store import ProcessInstance


def test_saved_instance_reloads_and_completes_in_a_fresh_process(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    script = textwrap.dedent(f"""
        import json
        from workflows.store import Database
        from workflows import commands, policy
        db = Database({db.url!r})
        actor = policy.Actor("zhang.san", frozenset({{"unit_submitter"}}))
        r = commands.complete_task(db, {started.next_tasks[0].id!r}, {{"project_name": "新进程", "amount": 2}}, actor=actor)
        print(json.dumps([t.task_spec for t in r.next_tasks]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["review"]


def test_workflow_state_is_stored_without_the_spec(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    with db.reading() as s:
        state = json.loads(
            s.scalar(select(ProcessInstance.workflow_state).where(ProcessInstance.id == started.instance_id))
        )
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(state["spec_ref"]) == 64


def test_a_finished_call_activity_leaves_no_subprocess_in_the_saved_state(
    db, deploy, tmp_path, submitter, reviewer
):
    import shutil

    from tests.engine.bundles import FIXTURES

    bundle = tmp_path / "caller_bundle"
    shutil.copytree(FIXTURES / "caller", bundle)
    for name in ("approval.bpmn", "approval_submit.json", "approval_review.json"):
        shutil.copy(FIXTURES / "approval" / name, bundle / name)
    deploy(bundle)
    started = commands.start(db, "caller", actor=submitter)
    with db.reading() as s:
        running = json.loads(s.get(ProcessInstance, started.instance_id).workflow_state)
    assert len(running["subprocesses"]) == 1  # the call activity is running: its state is kept
    review = commands.complete_task(
        db, started.next_tasks[0].id, {"project_name": "甲", "amount": 1}, actor=submitter
    )
    done = commands.complete_task(db, review.next_tasks[0].id, {"decision": "approve"}, actor=reviewer)
    assert done.status == "completed"
    with db.reading() as s:
        state = json.loads(s.get(ProcessInstance, started.instance_id).workflow_state)
    assert state["subprocesses"] == {}
    # the subprocess's results came back into the calling process before it was dropped
    assert state["data"].get("decision") == "approve"
