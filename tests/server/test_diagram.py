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


PREPARED_CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="Definitions_caller" targetNamespace="http://jixiao.example/bpmn">
  <bpmn:process id="caller" name="调用测试 Caller" isExecutable="true">
    <bpmn:laneSet id="LaneSet_c"><bpmn:lane id="Lane_c" name="unit_submitter">
      <bpmn:flowNodeRef>prepare</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_0" sourceRef="StartEvent_1" targetRef="prepare" />
    <bpmn:userTask id="prepare" name="准备材料"><bpmn:incoming>Flow_0</bpmn:incoming>
      <bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="prepare" targetRef="call_approval" />
    <bpmn:callActivity id="call_approval" name="调用审批" calledElement="approval">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="call_approval" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_finished_steps_diagram_is_the_process_it_belongs_to(db, deploy, tmp_path, submitter, web):
    """Walk of session 14: a finished 编制事前绩效评估报告 showed the target review's diagram, where
    the project now stands. Asked for one step (the task page asks for its own), the diagram is
    the process that step belongs to, the step among the done ones; asked for none, where the
    instance stands now."""
    bundle = tmp_path / "caller_bundle"
    bundle.mkdir()
    (bundle / "caller.bpmn").write_text(PREPARED_CALLER, encoding="utf-8")
    for name in ("approval.bpmn", "approval_submit.json", "approval_review.json"):
        shutil.copy(FIXTURES / "approval" / name, bundle / name)
    deploy(bundle)
    started = commands.start(db, "caller", actor=submitter)
    [prepare] = started.next_tasks
    commands.complete_task(db, prepare.id, {}, actor=submitter)
    with db.reading() as session:
        instance = session.get(ProcessInstance, started.instance_id)
        now = tasks.diagram(session, instance)
        of_step = tasks.diagram(session, instance, step="prepare")
    assert now["process_id"] == "approval" and now["open"] == ["submit"]
    assert of_step["process_id"] == "caller" and "prepare" in of_step["completed"]
    assert 'id="prepare"' in of_step["xml"]
    page = web("zhang.san").get(f"/tasks/{prepare.id}").text
    assert f"/instances/{started.instance_id}/diagram.json?step=prepare" in page
    shown = web("zhang.san").get(f"/instances/{started.instance_id}/diagram.json?step=prepare").json
    assert shown["process_id"] == "caller"
