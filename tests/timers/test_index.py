"""The due-time index: every waiting timer kind gets a row with its (aware) due time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from workflows import clock, commands, engine, policy, timers
from workflows.store import HumanTask, ProcessInstance

from .conftest import T0, china, fired_events, start_at, timer_rows


def _workflow(db, instance_id):
    with db.reading() as s:
        _instance, workflow = commands._persist.load_instance(s, instance_id)
    return workflow


def test_deadline_and_reminder_boundary_timers_are_indexed_in_china_time(db, kinds):
    started = start_at(db, T0, "deadline")
    rows = timer_rows(db, started.instance_id)
    assert [(r.task_spec, r.kind, r.interrupting) for r in rows] == [
        ("reminder", "boundary", False),
        ("deadline_timer", "boundary", True),
    ]
    assert rows[0].due_at == china("2026-05-08T09:00:00+08:00")
    assert rows[1].due_at == china("2026-05-11T09:00:00+08:00")
    assert all(r.due_at.tzinfo is not None for r in rows)
    assert {r.attached_to for r in rows} == {started.next_tasks[0].id}


def test_inbox_due_at_is_the_interrupting_deadline_not_the_reminder(db, kinds):
    started = start_at(db, T0, "deadline")
    with db.reading() as s:
        task = s.get(HumanTask, started.next_tasks[0].id)
    assert task.due_at == china("2026-05-11T09:00:00+08:00")


def test_calendar_node_date_comes_from_the_fiscal_year_in_the_data(db, kinds):
    started = start_at(
        db, T0, "calendar", data={"fiscal_year": 2027, "next_check": "2027-06-10T00:00:00+08:00"}
    )
    [row] = timer_rows(db, started.instance_id)
    assert (row.task_spec, row.kind) == ("end_of_may", "intermediate")
    assert row.due_at == china("2027-05-31T18:00:00+08:00")


def test_timer_start_event_is_indexed_and_fires(db, kinds):
    started = start_at(db, T0, "timer_start")
    [row] = timer_rows(db, started.instance_id)
    assert (row.task_spec, row.kind) == ("StartEvent_timer", "start")
    assert row.due_at == china("2026-10-31T09:00:00+08:00")
    report = timers.run_due(db, china("2026-10-31T09:00:00+08:00"))
    assert report.fired == 1
    with db.reading() as s:
        assert s.get(ProcessInstance, started.instance_id).status == "completed"
    assert timer_rows(db) == []


def test_event_based_gateway_timer_is_indexed_although_waiting_events_gives_no_value(db, kinds):
    started = start_at(db, T0, "gateway")
    pending = _workflow(db, started.instance_id).waiting_events()
    assert [(p.event_type, p.value) for p in pending] == [("MultipleEventDefinition", None)]
    [row] = timer_rows(db, started.instance_id)
    assert (row.task_spec, row.kind) == ("wait_report", "gateway")
    assert row.due_at == T0 + timedelta(days=3)


def test_event_based_gateway_timer_fires(db, kinds):
    started = start_at(db, T0, "gateway")
    assert timers.run_due(db, T0 + timedelta(days=3) - timedelta(seconds=1)).fired == 0
    assert timers.run_due(db, T0 + timedelta(days=3)).fired == 1
    with db.reading() as s:
        instance = s.get(ProcessInstance, started.instance_id)
        assert instance.status == "completed"
    assert _workflow(db, started.instance_id).data["outcome"] == "timeout"
    assert [e.data["kind"] for e in fired_events(db, started.instance_id)] == ["gateway"]


def test_message_before_the_gateway_timer_removes_its_row(db, kinds):
    # Delivered with SpiffWorkflow's spiff MessageEventDefinition (what the parser builds);
    # commands.correlate_message builds the plain bpmn one, which does not match (see report).
    from SpiffWorkflow.bpmn.util.event import BpmnEvent
    from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

    started = start_at(db, T0, "gateway")
    with clock.frozen(T0 + timedelta(days=1)), db.unit_of_work() as s:
        instance, workflow = commands._persist.load_instance(s, started.instance_id)
        workflow.send_event(BpmnEvent(MessageEventDefinition("report_received"), {}))
        workflow.do_engine_steps()
        commands._persist.save(s, instance, workflow, policy.Actor.system())
        s.commit()
    assert _workflow(db, started.instance_id).is_completed()
    assert timer_rows(db, started.instance_id) == []
    assert timers.run_due(db, T0 + timedelta(days=30)).fired == 0


def test_task_completed_before_the_deadline_leaves_no_timer_row(db, kinds, people):
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    with clock.frozen(T0 + timedelta(days=2)):
        commands.complete_task(db, started.next_tasks[0].id, {"note": "按期"}, actor=people.submitter)
    assert timer_rows(db) == []
    assert timers.run_due(db, T0 + timedelta(days=30)).fired == 0
    assert fired_events(db) == []


def test_waiting_timers_reports_every_kind(db, kinds):
    ids = [
        start_at(db, T0, pid, data=data).instance_id
        for pid, data in [
            ("deadline", None),
            ("calendar", {"fiscal_year": 2026, "next_check": "2026-06-10T00:00:00+08:00"}),
            ("gateway", None),
            ("timer_start", None),
        ]
    ]
    kinds_found = {t.kind for i in ids for t in engine.timer_events.waiting_timers(_workflow(db, i))}
    assert kinds_found == {"boundary", "intermediate", "gateway", "start"}
    with db.reading() as s:
        assert timers.index.next_due(s) == T0 + timedelta(days=3)
        assert timers.index.due_instances(s, T0 + timedelta(days=7, hours=1)) == [ids[2], ids[0]]
        assert s.scalars(select(HumanTask.id)).all() != []


def test_a_timer_that_came_due_during_another_command_stays_indexed_and_fires(db, kinds):
    """do_engine_steps ends with refresh_timers(): a due timer is left READY, not run."""
    from SpiffWorkflow.util.task import TaskState

    started = start_at(db, T0, "gateway")
    with clock.frozen(T0 + timedelta(days=4)), db.unit_of_work() as s:
        instance, workflow = commands._persist.load_instance(s, started.instance_id)
        workflow.do_engine_steps()  # what any command does
        [gateway] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "wait_report"]
        assert gateway.state == TaskState.READY
        commands._persist.save(s, instance, workflow, policy.Actor.system())
        s.commit()
    [row] = timer_rows(db, started.instance_id)
    assert row.due_at == T0 + timedelta(days=3)
    assert timers.run_due(db, T0 + timedelta(days=4)).fired == 1
    with db.reading() as s:
        assert s.get(ProcessInstance, started.instance_id).status == "completed"


def test_a_cycle_reminder_is_reindexed_at_its_next_due_time_after_each_firing(db, kinds, people):
    started = start_at(db, T0, "cycle", project_id=people.project_id)
    [row] = timer_rows(db, started.instance_id)
    assert (row.task_spec, row.due_at) == ("daily", china("2026-05-02T09:00:00+08:00"))
    assert timers.run_due(db, china("2026-05-02T12:00:00+08:00")).fired == 1
    [row] = timer_rows(db, started.instance_id)
    assert row.due_at == china("2026-05-03T09:00:00+08:00")
    # a catch-up over several days fires each cycle once, in order
    assert timers.run_due(db, china("2026-05-10T00:00:00+08:00")).fired == 2
    assert timer_rows(db, started.instance_id) == []
    assert [e.data["due_at"] for e in fired_events(db)] == [
        "2026-05-02T09:00:00+08:00",
        "2026-05-03T09:00:00+08:00",
        "2026-05-04T09:00:00+08:00",
    ]
    with db.reading() as s:
        from workflows.store import Notification

        assert len(s.scalars(select(Notification)).all()) == 3
        assert s.get(HumanTask, started.next_tasks[0].id).status == "open"


def test_a_timer_date_without_an_offset_is_china_time(db, kinds):
    started = start_at(db, T0, "calendar", data={"fiscal_year": 2026, "next_check": "2026-06-10T09:00:00"})
    timers.run_due(db, china("2026-05-31T18:00:00+08:00"))
    [row] = timer_rows(db, started.instance_id)
    assert (row.task_spec, row.due_at) == ("after_may", china("2026-06-10T09:00:00+08:00"))
    assert timers.run_due(db, china("2026-06-10T08:59:59+08:00")).fired == 0
    assert timers.run_due(db, china("2026-06-10T09:00:00+08:00")).fired == 1
