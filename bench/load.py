"""Load test (issue 14): 200 people working their inboxes against ``make run-prod`` on
PostgreSQL for 5 minutes while deadlines fire; then the exactly-once checks.

    python bench/load.py [--users 200] [--duration 300] [--workers N] [--deadlines K]

Without a PostgreSQL ``JIXIAO_DATABASE_URL`` it starts its own throwaway cluster
(``pg_virtualenv``) and runs inside it. It starts run-prod (``server.production``: gunicorn
workers and the scheduler process), imports the people with ``jixiao users import``, lets
each set their own password, has each unit's submitters create projects and the performance
office start ``demo_deadline`` instances (through ``/api/v1``) whose reminders and deadlines
fall during the run. Then locust (``bench/people.py``) plays unit staff, finance reviewers
and experts. Prints throughput and p50/p95/p99 per action, stale answers (409, 404 on a task someone else took) and errors, then
``jixiao audit verify`` and ``jixiao audit once``. Exit 1 when a check fails or any request
failed. Last lines: ``load_p95_max_ms=`` and ``load_errors=``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prodkit  # noqa: E402
import seeding  # noqa: E402


def in_throwaway_postgres() -> None:
    """Run this script again inside a throwaway cluster, unless already on PostgreSQL."""
    if os.environ.get("JIXIAO_DATABASE_URL", "").startswith("postgresql"):
        return
    port = prodkit.free_port()
    script = 'JIXIAO_DATABASE_URL=postgresql+psycopg:// exec "$@"'
    command = ["pg_virtualenv", "-t", "-c", f"-p {port}", "sh", "-c", script, "load", sys.executable]
    os.execvp("pg_virtualenv", command + [str(Path(__file__).resolve()), *sys.argv[1:]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("JIXIAO_LOAD_USERS", 200)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("JIXIAO_LOAD_SECONDS", 300)))
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: JIXIAO_WORKERS default)")
    parser.add_argument("--deadlines", type=int, default=None, help="timed instances (default users/4)")
    args = parser.parse_args()
    in_throwaway_postgres()
    url = os.environ["JIXIAO_DATABASE_URL"]
    work = Path(tempfile.mkdtemp(prefix="jixiao-load-"))
    deadlines = args.deadlines if args.deadlines is not None else max(4, args.users // 4)
    window = (args.duration * 0.1, args.duration * 0.8)  # reminders from 5 %, deadlines until 80 %
    print(f"load: {args.users} people, {args.duration} s, {deadlines} deadlines; work dir {work}", flush=True)
    with prodkit.RunProd(url, work / "instance", workers=args.workers) as server:
        print(
            f"run-prod at {server.url}: {len(server.worker_pids())} workers, scheduler pid {server.scheduler_pid()}"
        )
        started = time.monotonic()
        seeded = seeding.seed(server, args.users, deadlines=deadlines, deadline_window=window)
        print(
            f"seeded in {time.monotonic() - started:.1f} s: {len(seeded.people) - 1} people "
            f"(jixiao users import), {len(seeded.projects)} projects, {seeded.deadlines} deadlines",
            flush=True,
        )
        locust = prodkit.start_locust(server, seeded.people, args.users, args.duration, work / "locust")
        code = locust.wait()
        time.sleep(server.scheduler_max_sleep + 1)  # the last deadline's pass
        served = server.served_by()
    actions, conflicts, failures = prodkit.load_summary(work / "locust")
    if not actions:
        print(f"locust exited with {code} and no statistics:\n{(work / 'locust' / 'locust.log').read_text()}")
        return 1
    print(
        f"\n{'action':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}{'stale':>6}"
    )
    for a in actions:
        print(
            f"{a.name:<16}{a.count:>9}{a.per_second:>8.1f}{a.p50:>8.0f}{a.p95:>8.0f}{a.p99:>8.0f}"
            f"{a.failures:>8}{conflicts.get(a.name, ''):>6}"
        )
    total = actions[-1]
    print(f"\nthroughput {total.per_second:.1f} requests/s over {len(served)} worker process(es)")
    for failure in failures:
        print(f"error: {failure}")
    checks = prodkit.exactly_once_checks(url)
    completions, firings = prodkit.once_counts(checks["audit once"][1])
    print(f"{completions} task completions, {firings} timer firings")
    for name, (passed, printed) in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  jixiao {name}: {printed.splitlines()[-1] if printed else ''}")
    per_action = [a for a in actions if a.name not in ("Aggregated", "login")]
    print(f"load_p95_max_ms={max((a.p95 for a in per_action), default=0):.0f}")
    print(f"load_errors={total.failures}")
    return 0 if all(passed for passed, _ in checks.values()) and total.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
