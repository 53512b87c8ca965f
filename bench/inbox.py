"""Inbox cost at 10k and 1M ``human_task`` rows (issue 4).

Seeds N human_task rows (10% open) across 200 units and 10 roles, then times through the
Flask test client (token check, query, serialization included):

* ``GET /api/v1/tasks?scope=claimable`` page 1 for a finance reviewer (sees every unit), and
* a filtered search (``scope=claimable&year=&q=``) for a unit head (one unit).

Prints p50/p95 per size and query; the last line is ``inbox_growth_ratio=<x>``: the worst
p50 at 1M rows divided by the same query's p50 at 10k rows (goal ≤ 1.5; p95 goal < 20 ms).

    python bench/inbox.py                                   # SQLite (temp files)
    JIXIAO_DATABASE_URL=postgresql+psycopg:// python bench/inbox.py   # inside pg_virtualenv
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bulk  # noqa: E402  (bench/bulk.py, beside this file)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from workflows import clock  # noqa: E402
from workflows.store import Database  # noqa: E402

UNITS = 200
PROJECTS_PER_UNIT = 20
TASKS_PER_INSTANCE = 10
OPEN_RATIO = 0.10
ROLES = [
    "unit_submitter",
    "unit_head",
    "finance_reviewer",
    "performance_office",
    "expert",
    "third_party",
    "leadership",
    "budget_section",
    "treasury",
    "audit_office",
]
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
PASSWORD = "bench"


def _sqlite_dt(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(db: Database, total: int) -> None:
    rng = random.Random(7)
    is_pg = not db.is_sqlite
    dt = (lambda v: v) if is_pg else _sqlite_dt
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
    units = [(u, f"B{u:04d}", f"预算单位{u}") for u in range(1, UNITS + 1)]
    names = ["污水处理", "农村公路", "教育信息化", "公共卫生", "应急物资", "文化展陈", "智慧消防", "养老服务"]
    projects = []
    for p in range(1, UNITS * PROJECTS_PER_UNIT + 1):
        unit = (p - 1) % UNITS + 1
        projects.append(
            (
                p,
                f"P{p:06d}",
                f"{names[p % len(names)]}项目{p}",
                unit,
                2025 + p % 2,
                f"{rng.randint(10, 5000)}.00",
                "general_public",
                True,
                False,
                "created",
                0,
                False,
                dt(NOW),
            )
        )
    instances_n = total // TASKS_PER_INSTANCE
    instances = [
        (i, 1, "bench", f"K{i}", (i - 1) % len(projects) + 1, "running", "{}", 1, "bench", dt(NOW), dt(NOW))
        for i in range(1, instances_n + 1)
    ]
    tasks = []
    for n in range(total):
        instance = n // TASKS_PER_INSTANCE + 1
        project = (instance - 1) % len(projects) + 1
        unit = (project - 1) % UNITS + 1
        role = ROLES[n % len(ROLES)]
        is_open = rng.random() < OPEN_RATIO
        created = NOW - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        due = NOW + timedelta(days=rng.randint(-30, 60), hours=rng.randint(0, 23))
        assignee = None if (is_open and rng.random() < 0.5) else f"user{rng.randint(1, 5000)}"
        tasks.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                instance,
                "bench",
                project,
                unit,
                f"step{n % 7}",
                f"审核环节{n % 7}",
                None,
                role,
                assignee,
                50,
                dt(due),
                "open" if is_open else "completed",
                dt(created),
                None if is_open else dt(created + timedelta(days=3)),
                None if is_open else assignee,
            )
        )
    tables = {
        "budget_unit": ("id, code, name", units),
        "project": (
            "id, code, name, unit_id, fiscal_year, amount, fund_type, is_new, is_major, stage, "
            "consecutive_failures, overdue, created_at",
            projects,
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
    bulk.load(db, tables, serial=("budget_unit", "project", "process_instance"))


def add_users(db: Database) -> None:
    from workflows.store import RoleGrant, User, audit

    with db.unit_of_work() as session:
        for username, role, unit in (
            ("bench.finance", "finance_reviewer", None),
            ("bench.head", "unit_head", 7),
        ):
            user = User(
                username=username,
                display_name=username,
                password_hash=generate_password_hash(PASSWORD),
                unit_id=unit,
                is_active=True,
            )
            user.grants = [RoleGrant(role=role)]
            session.add(user)
            audit.append(session, action="user.created", actor="bench", data={"user": username})
        session.commit()


def measure(url: str, runs: int) -> dict[str, list[float]]:
    from server import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"JIXIAO_DATABASE_URL": url, "SECRET_KEY": "bench", "JIXIAO_TRANSLATIONS_DIR": tmp})
        client = app.test_client()

        def token(username):
            response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {response.json['token']}"}

        queries = {
            "claimable page 1 (finance reviewer, all units)": (
                token("bench.finance"),
                "/api/v1/tasks?scope=claimable&page=1&per_page=20",
            ),
            "filtered search (unit head, one unit)": (
                token("bench.head"),
                "/api/v1/tasks?scope=claimable&year=2026&q=%E9%A1%B9%E7%9B%AE&page=1&per_page=20",
            ),
        }
        timings: dict[str, list[float]] = {}
        for name, (headers, path) in queries.items():
            for _ in range(20):  # warm caches
                assert client.get(path, headers=headers).status_code == 200
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            timings[name] = samples
        app.extensions["jixiao_db"].dispose()
        return timings


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def database_for(size: int, workdir: Path) -> str:
    base = os.environ.get("JIXIAO_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = f"jixiao_bench_{size}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{workdir / f'inbox_{size}.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    clock.set_now(NOW)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = database_for(size, Path(tmp))
            db = Database(url)
            backend = db.engine.dialect.name
            db.migrate()
            started = time.perf_counter()
            seed(db, size)
            add_users(db)
            db.dispose()
            print(
                f"[{backend}] seeded {size:,} human_task rows in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            results[size] = measure(url, args.runs)
            for name, samples in results[size].items():
                print(
                    f"[{backend}] {size:>9,} rows  {name:<48} p50 {pct(samples, 0.5):6.2f} ms"
                    f"  p95 {pct(samples, 0.95):6.2f} ms",
                    flush=True,
                )
    small, large = sizes[0], sizes[-1]
    ratio = max(
        statistics.median(results[large][name]) / statistics.median(results[small][name])
        for name in results[small]
    )
    print(f"inbox_growth_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
