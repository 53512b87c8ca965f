"""The diagram shows the path the project stands in, also when that path is a called process."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from tests.engine.bundles import FIXTURES
from workflows import commands
from workflows.queries import tasks
from workflows.store import ProcessInstance


def test_diagram_of_an_instance_waiting_in_a_call_activity_is_the_called_process(
    db, deploy, tmp_path, submitter
):
    bundle = tmp_path / "caller_bundle"
    shutil.copytree(FIXTURES / "caller", bundle)
    for name in ("approval.bpmn", "approval_submit.json", "approval_review.json"):
        shutil.copy(FIXTURES / "approval" / name, bundle / name)
    deploy(bundle)
    started = commands.start(db, "caller", actor=submitter)
    with db.reading() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == started.instance_id))
        shown = tasks.diagram(session, instance)
    assert shown["process_id"] == "approval"
    assert shown["open"] == ["submit"]
    assert 'id="submit"' in shown["xml"]


def test_diagram_of_an_instance_waiting_in_its_own_process_is_its_own(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    with db.reading() as session:
        instance = session.get(ProcessInstance, started.instance_id)
        shown = tasks.diagram(session, instance)
    assert shown["process_id"] == "approval" and shown["open"] == ["submit"]
