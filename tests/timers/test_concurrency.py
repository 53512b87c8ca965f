"""Exactly once with several schedulers: count the ``timer.fired`` audit events."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workflows import clock, commands, policy, timers
from workflows.store import AuditEvent, ProcessInstance

from .conftest import REPO, T0, start_at


def _start_many(db, n, moment):
    with clock.frozen(moment):
        return [commands.start(db, "wait", actor=policy.Actor.system("test")).instance_id for _ in range(n)]


def _assert_each_fired_once(db, instance_ids):
    with db.reading() as s:
        fired = Counter(s.scalars(select(AuditEvent.task_id).where(AuditEvent.action == "timer.fired")).all())
        completed = s.scalar(
            select(func.count()).where(
                ProcessInstance.id.in_(instance_ids), ProcessInstance.status == "completed"
            )
        )
    assert len(fired) == len(instance_ids)
    assert max(fired.values()) == 1, [t for t, c in fired.items() if c > 1][:5]
    assert completed == len(instance_ids)


def _two_threads(db, n):
    # due an hour after the moment they started, which lies two hours in the real past:
    # the threads fire on the real clock, exactly as the background scheduler does
    ids = _start_many(db, n, clock.now() - timedelta(hours=2))
    reports = []
    barrier = threading.Barrier(2)

    def scheduler():
        barrier.wait()
        reports.append(timers.run_due(db))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        f"split between the two threads: {[r.fired for r in reports]}, conflicts {[r.conflicts for r in reports]}"
    )
    assert sum(r.fired for r in reports) == n
    assert all(r.incidents == [] for r in reports)
    _assert_each_fired_once(db, ids)


def test_two_scheduler_threads_fire_each_due_timer_once(db, kinds):
    _two_threads(db, 100)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_scheduler_threads_on_postgres_fire_1000_due_timers_with_zero_duplicates(db, kinds):
    _two_threads(db, 1000)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_scheduler_processes_on_postgres_fire_1000_due_timers_with_zero_duplicates(
    db, kinds, database_url
):
    ids = _start_many(db, 1000, T0)
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url}
    command = [
        sys.executable,
        "-m",
        "workflows.cli",
        "timers",
        "run-due",
        "--as-of",
        "2026-05-01T10:00:00+08:00",
    ]
    schedulers = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in schedulers]
    assert [p.returncode for p in schedulers] == [0, 0], [err for _, err in outputs]
    fired = [int(re.search(r"fired (\d+) timer", out).group(1)) for out, _ in outputs]
    print(f"split between the two scheduler processes: {fired}")
    assert sum(fired) == 1000, outputs
    _assert_each_fired_once(db, ids)


def test_the_standalone_scheduler_command_fires_by_itself(db, kinds, database_url):
    """``jixiao scheduler`` in its own process: a due timer fires without anyone asking."""
    instance_id = start_at(db, clock.now() - timedelta(hours=2), "wait").instance_id
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workflows.cli", "scheduler", "--max-sleep", "0.2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    guard = threading.Timer(120, proc.kill)  # never hang the suite if it does not fire
    guard.start()
    try:
        for line in proc.stdout:
            if "fired 1 in 1 instance" in line:
                break
    finally:
        guard.cancel()
        proc.terminate()
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    with db.reading() as s:
        assert s.get(ProcessInstance, instance_id).status == "completed"


_SMALL_BATCHES = """
import os, sys
from workflows import clock, timers
from workflows.store import Database
moment = clock.parse_moment(sys.argv[1])
report = timers.run_due(Database(os.environ["JIXIAO_DATABASE_URL"]), moment, batch=7)
print(report.fired, report.conflicts, len(report.incidents))
"""


@pytest.mark.postgres
@pytest.mark.slow
def test_two_processes_racing_over_small_batches_on_postgres_fire_each_timer_once(db, kinds, database_url):
    """Batched claims (``FOR UPDATE SKIP LOCKED LIMIT n``, one commit per batch): two scheduler
    processes claim batches of 7 rows while each deadline instance has two timers due (the
    reminder and the deadline), so batch boundaries split instances between the processes.
    Every timer fires exactly once; a pass leaves nothing due that it could fire."""
    with clock.frozen(T0):
        deadlines = [
            commands.start(db, "deadline", actor=policy.Actor.system("t")).instance_id for _ in range(60)
        ]
        waits = [commands.start(db, "wait", actor=policy.Actor.system("t")).instance_id for _ in range(60)]
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url}
    moment = (T0 + timedelta(days=11)).isoformat()
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-c", _SMALL_BATCHES, moment],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in schedulers]
    assert [p.returncode for p in schedulers] == [0, 0], [err for _, err in outputs]
    reports = [[int(x) for x in out.split()] for out, _ in outputs]
    print(f"fired, conflicts, incidents per process: {reports}")
    # an instance one process held when the other reached it is left to the next pass
    leftover = timers.run_due(db, clock.parse_moment(moment))
    assert all(r[2] == 0 for r in reports) and leftover.incidents == []
    assert sum(r[0] for r in reports) + leftover.fired == 2 * len(deadlines) + len(waits)
    with db.reading() as s:
        fired = Counter(
            s.execute(
                select(AuditEvent.instance_id, AuditEvent.task_id).where(AuditEvent.action == "timer.fired")
            ).all()
        )
        completed = s.scalar(
            select(func.count()).where(ProcessInstance.id.in_(waits), ProcessInstance.status == "completed")
        )
    assert max(fired.values()) == 1, [k for k, c in fired.items() if c > 1][:5]
    assert len(fired) == 2 * len(deadlines) + len(waits)
    assert completed == len(waits)
    assert timers.run_due(db, clock.parse_moment(moment)).fired == 0
