"""The operator commands: jixiao timers list / run-due / incidents / retry, notifications list."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from workflows.cli import main
from workflows.store import AuditEvent, audit, transaction

from .conftest import T0, start_at
from .test_failures import BROKEN, GOOD


def _jixiao(database_url, *args):
    result = CliRunner().invoke(main, ["--database-url", database_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_list_run_due_incidents_and_retry(db, kinds, people, database_url):
    start_at(db, T0, "calendar", data=GOOD)
    start_at(db, T0, "calendar", data=BROKEN)
    start_at(db, T0, "deadline", project_id=people.project_id)
    code, out = _jixiao(database_url, "timers", "list")
    assert code == 0
    assert (
        out.splitlines()[0] == "2026-05-08T09:00:00+08:00  instance 3  reminder (boundary, non-interrupting)"
    )
    assert "2026-05-31T18:00:00+08:00  instance 1  end_of_may (intermediate)" in out

    code, out = _jixiao(database_url, "timers", "run-due", "--as-of", "2026-06-01T00:00")
    assert code == 0
    assert out.strip() == "fired 3 timer(s) in 2 instance(s); 1 incident(s), 0 conflict(s)"
    code, out = _jixiao(database_url, "timers", "list")
    assert "instance 2  end_of_may (intermediate)  [parked: open incident]" in out
    code, out = _jixiao(database_url, "timers", "incidents")
    assert out.startswith("incident 1  instance 2")

    code, out = _jixiao(database_url, "timers", "retry", "1", "--as-of", "2026-06-01T00:00")
    assert code == 1 and "failed again: new incident 2" in out
    code, out = _jixiao(database_url, "notifications", "list", "wang.wu")
    assert code == 0 and "[escalation] 填报已逾期" in out


def test_run_due_with_nothing_due_and_an_empty_list(db, kinds, database_url):
    assert _jixiao(database_url, "timers", "list") == (0, "no waiting timers\n")
    assert _jixiao(database_url, "timers", "run-due", "--as-of", "2026-06-01T00:00")[1].startswith("fired 0")


def test_audit_once_passes_after_firing_and_names_a_timer_fired_twice(db, kinds, database_url):
    start_at(db, T0, "calendar", data=GOOD)
    _jixiao(database_url, "timers", "run-due", "--as-of", "2026-06-01T00:00")
    assert _jixiao(database_url, "audit", "once") == (
        0,
        "0 task completion(s), 1 timer firing(s)\nno task completed twice, no timer fired twice\n",
    )
    with db.reading() as session:
        fired = session.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired")).one()
    with transaction(db) as session:  # what a second scheduler without the row claim would write
        audit.append(
            session,
            action="timer.fired",
            actor="scheduler",
            instance_id=fired.instance_id,
            task_id=fired.task_id,
            data=fired.data,
        )
    code, out = _jixiao(database_url, "audit", "once")
    assert code == 1 and f"timer {fired.task_id} of instance {fired.instance_id}" in out
    assert "fired 2 times" in out
    assert _jixiao(database_url, "audit", "verify")[0] == 0  # the chain itself is intact
