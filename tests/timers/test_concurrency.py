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
