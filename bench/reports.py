"""The bureau's view at 50,000 projects (issue 12): the dashboard page and the Excel exports.

Seeds a year of N projects (default 50,000 over 500 units, the year before at the same size
for the trend, stages, grades, cuts and 10% of projects with an open task, half of them late),
then measures through the Flask test client, logged in as the performance office (sees every
unit) and as a finance reviewer (one office's units, R-RL-1):

* ``GET /dashboard?year=`` — p50 / p95 over ``--runs`` (goal p95 < 100 ms);
* ``GET /projects/export.xlsx?year=`` (项目清单) and ``GET /dashboard/results.xlsx?year=``
  (评价结果汇总表), each in a child process: seconds and the child's peak memory
  (goal < 15 s and < 300 MB for the 50,000-row file).

Prints one line per figure and, last, the ratios to the goals (≤ 1.0 meets the goal).

    python bench/reports.py                                       # SQLite (temp file)
    JIXIAO_DATABASE_URL=postgresql+psycopg:// python bench/reports.py   # inside pg_virtualenv

The rows are bulk-inserted (as bench/inbox.py does): this measures reading, and 100,000
projects through the engine would take the benchmark an hour. The inserts go through the
triggers that keep ``dashboard_tally`` (0014_dashboard_summary), as any write of a project does.
``--dashboard-only`` skips the exports; ``--keep NAME`` seeds the database NAME (PostgreSQL) or
the file NAME (SQLite) once and measures it again in later runs (same ``--projects``/``--units``).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bulk  # noqa: E402  (bench/bulk.py, beside this file)
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from workflows import clock  # noqa: E402
from workflows.store import Database  # noqa: E402

YEAR = 2026
NOW = datetime(YEAR + 1, 6, 1, 8, 0, tzinfo=UTC)
PASSWORD = "bench"
STAGES = [
    "ex_ante",
    "targets",
    "monitoring",
    "evaluation",
    "rectification",
    "results",
    "closed",
    "not_budgeted",
]
GRADES = [("优", 92), ("良", 84), ("中", 72), ("差", 51)]
CUTS = {"优": None, "良": None, "中": "0.1000", "差": "0.3000"}
NAMES = [
    "污水处理厂提标改造",
    "农村公路养护",
    "教育信息化",
    "公共卫生服务",
    "应急物资储备",
    "红色文化展陈",
    "智慧消防",
    "养老服务",
]
GOALS = {"dashboard_p95_ms": 100.0, "export_seconds": 15.0, "export_mb": 300.0}


def _dt(db: Database, value: datetime):
    if not db.is_sqlite:
        return value
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(db: Database, projects_per_year: int, units: int) -> None:
    rng = random.Random(12)
    dt = lambda v: _dt(db, v)  # noqa: E731
    office_rows = [(o, f"业务科室{o}") for o in range(1, (units + 24) // 25 + 1)]
    unit_rows = [(u, f"360922-{u:03d}", f"万载县预算单位{u}", (u - 1) // 25 + 1) for u in range(1, units + 1)]
    project_rows, tasks = [], []
    pid = 0
    for year in (YEAR - 1, YEAR):
        for n in range(projects_per_year):
            pid += 1
            stage = STAGES[rng.randrange(len(STAGES))]
            graded = stage in ("results", "closed", "rectification")
            grade, base = GRADES[rng.randrange(len(GRADES))] if graded else (None, None)
            project_rows.append(
                (
                    pid,
                    f"WZ{year}-{n + 1:06d}",
                    f"{NAMES[n % len(NAMES)]}{n + 1}",
                    n % units + 1,
                    year,
                    f"{rng.randint(10, 5000)}.{rng.randint(0, 99):02d}",
                    "general_public" if n % 5 else "special_transfer",
                    n % 3 == 0,
                    n % 17 == 0,
                    stage,
                    None if base is None else f"{base + rng.random() * 5:.2f}",
                    grade,
                    None if grade is None else CUTS[grade],
                    0,
                    n % 20 == 0,
                    dt(NOW - timedelta(days=400 if year < YEAR else 200)),
                )
            )
    instances = [
        (p[0], 1, "bench", f"K{p[0]}", p[0], "running", "{}", 1, "bench", dt(NOW), dt(NOW))
        for p in project_rows
    ]
    for project in project_rows[len(project_rows) // 2 :: 10]:  # this year's: one open task in ten
        late = rng.random() < 0.5
        due = NOW + timedelta(days=-rng.randint(1, 60) if late else rng.randint(1, 60))
        tasks.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                project[0],
                "bench",
                project[0],
                project[3],
                "review",
                "财政审核",
                None,
                "finance_reviewer",
                None,
                50,
                dt(due),
                "open",
                dt(NOW - timedelta(days=90)),
                None,
                None,
            )
        )
    tables = {
        "finance_office": ("id, name", office_rows),
        "budget_unit": ("id, code, name, office_id", unit_rows),
        "project": (
            "id, code, name, unit_id, fiscal_year, amount, fund_type, is_new, is_major, stage, score, grade, "
            "budget_cut_ratio, consecutive_failures, overdue, created_at",
            project_rows,
        ),
        "process_instance": (
            "id, definition_id, process_id, business_key, project_id, status, workflow_state, lock_version, "
            "started_by, started_at, updated_at",
            instances,
        ),
        "human_task": (
            "id, instance_id, process_id, project_id, unit_id, task_spec, title, form, role, assignee, priority, "
            "due_at, status, created_at, completed_at, completed_by",
            tasks,
        ),
    }
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO deployment (id, content_hash, files, deployed_by, deployed_at) "
                "VALUES (1, 'bench', :files, 'bench', :at)"
            ),
            {"files": "{}", "at": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO process_definition (id, process_id, version, name, spec_hash, deployment_id, "
                "serialized_spec, created_at) VALUES (1, 'bench', 1, 'bench', 'bench', 1, '{}', :at)"
            ),
            {"at": NOW},
        )
    bulk.load(db, tables, serial=("budget_unit", "finance_office", "project", "process_instance"))
    if not db.is_sqlite:
        # the COPY ran the tally's triggers 100,000 times in one transaction: some 25 versions of
        # each tally row, 26 MB for 13,000 rows, which a year of saves (each its own transaction,
        # autovacuum between) does not leave behind; compacted as such a database holds it
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = True
            with raw.driver_connection.cursor() as cur:
                cur.execute("VACUUM FULL ANALYZE dashboard_tally")
        finally:
            raw.driver_connection.autocommit = False
            raw.close()


def add_users(db: Database) -> None:
    from workflows.store import RoleGrant, User, audit

    with db.unit_of_work() as session:
        # the reviewer works in the first office (25 units)
        for username, role, office in (
            ("bench.office", "performance_office", None),
            ("bench.finance", "finance_reviewer", 1),
        ):
            user = User(
                username=username,
                display_name=username,
                password_hash=generate_password_hash(PASSWORD),
                is_active=True,
                office_id=office,
            )
            user.grants = [RoleGrant(role=role)]
            session.add(user)
            audit.append(session, action="user.created", actor="bench", data={"user": username})
        session.commit()


def client_for(url: str, tmp: str, username: str):
    from server import create_app

    app = create_app(
        {
            "JIXIAO_DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "JIXIAO_TRANSLATIONS_DIR": tmp,
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text[:300]
    return app, client


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def statements(app, path: str, client, runs: int = 10) -> tuple[float, float]:
    """SQL statements per request of ``path`` and their median time in the driver (ms), counted
    by SQLAlchemy's cursor events (the login's two prepared reads of the user are not among
    them), over ``runs`` requests."""
    engine = app.extensions["jixiao_db"].engine
    log: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        log.append(time.perf_counter() - conn.info.pop("bench_started"))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        per_request = []
        for _ in range(runs):
            log.clear()
            assert client.get(path).status_code == 200
            per_request.append((len(log), sum(log) * 1000))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return max(n for n, _ in per_request), pct([ms for _, ms in per_request], 0.5)


def dashboard(url: str, runs: int) -> dict[str, tuple[float, ...]]:
    """Per user: wall p50, p95 and this process's CPU p50, p95 (ms) of the page, then the SQL
    statements per page and their median time. On SQLite the CPU time includes the queries; on
    PostgreSQL the server's share is not in it."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for username in ("bench.office", "bench.finance"):
            app, client = client_for(url, tmp, username)
            path = f"/dashboard?year={YEAR}"
            for _ in range(3):
                assert client.get(path).status_code == 200
            samples, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200
            count, sql_ms = statements(app, path, client)
            out[username] = (
                pct(samples, 0.5),
                pct(samples, 0.95),
                pct(cpu, 0.5),
                pct(cpu, 0.95),
                count,
                sql_ms,
            )
            app.extensions["jixiao_db"].dispose()
    return out


def child_export(url: str, path: str) -> None:
    """In a child process: one export, its time and this process's peak memory, as one line."""
    with tempfile.TemporaryDirectory() as tmp:
        _app, client = client_for(url, tmp, "bench.office")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        body = response.data
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert response.status_code == 200, response.status_code
        print(f"{seconds:.3f} {peak / 1024:.1f} {(peak - before) / 1024:.1f} {len(body)} {cpu:.3f}")


def export(url: str, path: str) -> tuple[float, float, float, int, float]:
    line = (
        subprocess.run(
            [sys.executable, __file__, "--child-export", path, "--url", url],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    seconds, peak, grew, size, cpu = line.split()
    return float(seconds), float(peak), float(grew), int(size), float(cpu)


def database_url(workdir: Path, keep: str | None = None) -> tuple[str, bool]:
    """The database to seed and whether it is seeded already: a new one, or with ``keep`` the
    one of that name (a PostgreSQL database, a SQLite file) kept between runs."""
    base = os.environ.get("JIXIAO_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = keep or f"jixiao_bench_reports_{uuid.uuid4().hex[:6]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False), bool(exists)
    path = Path(keep).resolve() if keep else workdir / "reports.db"
    return f"sqlite:///{path}", path.exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--projects", type=int, default=50_000, help="projects per year (two years are seeded)"
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--dashboard-only", action="store_true", help="measure the dashboard, not the exports"
    )
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="seed the PostgreSQL database (or SQLite file) NAME once and reuse it in later runs",
    )
    parser.add_argument("--child-export", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    clock.set_now(NOW)
    if args.child_export:
        child_export(args.url, args.child_export)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url, seeded = database_url(Path(tmp), args.keep)
        db = Database(url)
        backend = db.engine.dialect.name
        db.migrate()
        started = time.perf_counter()
        if not seeded:
            seed(db, args.projects, args.units)
            add_users(db)
        db.dispose()
        print(
            f"[{backend}] {'reused' if seeded else 'seeded'} {2 * args.projects:,} projects "
            f"({args.units} units, two years) in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        board = dashboard(url, args.runs)
        goal = GOALS["dashboard_p95_ms"]
        for username, (p50, p95, cpu50, cpu95, count, sql_ms) in board.items():
            print(
                f"[{backend}] dashboard {YEAR} as {username:<14} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"goal p95 < {goal:.0f} ms: {'met' if p95 < goal else 'NOT MET'}  "
                f"(CPU p50 {cpu50:6.1f} ms, p95 {cpu95:6.1f} ms; {count} SQL statements, "
                f"{sql_ms:.1f} ms in them; load average {os.getloadavg()[0]:.2f})",
                flush=True,
            )
        exports = {
            "项目清单 (projects/export.xlsx)": f"/projects/export.xlsx?year={YEAR}",
            "评价结果汇总表 (dashboard/results.xlsx)": f"/dashboard/results.xlsx?year={YEAR}",
        }
        worst_seconds = worst_mb = 0.0
        for name, path in () if args.dashboard_only else exports.items():
            seconds, peak, grew, size, cpu = export(url, path)
            worst_seconds, worst_mb = max(worst_seconds, seconds), max(worst_mb, peak)
            print(
                f"[{backend}] export {name:<40} {seconds:6.2f} s (CPU {cpu:5.2f} s)  peak {peak:6.1f} MB "
                f"(+{grew:.1f} MB during the export)  {size / 1024:,.0f} KB",
                flush=True,
            )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    worst_p95 = max(p95 for _p50, p95, *_cpu in board.values())
    print(f"dashboard_p95_ratio={worst_p95 / GOALS['dashboard_p95_ms']:.2f}")
    print(f"export_seconds_ratio={worst_seconds / GOALS['export_seconds']:.2f}")
    print(f"export_memory_ratio={worst_mb / GOALS['export_mb']:.2f}")


if __name__ == "__main__":
    main()
