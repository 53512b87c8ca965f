"""A concurrent completion gets a conflict answer, never a lost update."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from workflows import commands
from workflows.errors import Conflict
from workflows.store import AuditEvent, HumanTask, ProcessInstance


@pytest.mark.slow
def test_32_threads_completing_the_same_task_give_one_success_and_31_conflicts(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    task_id = started.next_tasks[0].id
    barrier = threading.Barrier(32)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int):
        barrier.wait()
        try:
            commands.complete_task(db, task_id, {"project_name": f"第{n}次", "amount": n}, actor=submitter)
            result = "ok"
        except Conflict:
            result = "conflict"
        except Exception as exc:  # anything else is a failure of the test
            result = f"error: {type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 31 + ["ok"], outcomes
    with db.reading() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.completed")
            )
            == 1
        )
        open_tasks = s.scalars(select(HumanTask).where(HumanTask.status == "open")).all()
        assert [t.task_spec for t in open_tasks] == ["review"]
        instance = s.get(ProcessInstance, started.instance_id)
        assert instance.status == "running"
