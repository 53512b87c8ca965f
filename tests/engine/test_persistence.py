"""A saved instance reloads in a fresh process (spec by reference, cache rebuilt from the DB)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from sqlalchemy import select

from workflows import runtime
from workflows.store import ProcessInstance


def test_saved_instance_reloads_and_completes_in_a_fresh_process(db, deploy, submitter):
    deploy("approval")
    started = runtime.start(db, "approval", actor=submitter)
    script = textwrap.dedent(f"""
        import json
        from workflows.db import Database
        from workflows import runtime
        db = Database({db.url!r})
        actor = runtime.Actor("zhang.san", frozenset({{"unit_submitter"}}))
        r = runtime.complete_task(db, {started.next_tasks[0].id!r}, {{"project_name": "新进程", "amount": 2}}, actor=actor)
        print(json.dumps([t.task_spec for t in r.next_tasks]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["review"]


def test_workflow_state_is_stored_without_the_spec(db, deploy, submitter):
    deploy("approval")
    started = runtime.start(db, "approval", actor=submitter)
    with db.reading() as s:
        state = json.loads(
            s.scalar(select(ProcessInstance.workflow_state).where(ProcessInstance.id == started.instance_id))
        )
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(state["spec_ref"]) == 64
