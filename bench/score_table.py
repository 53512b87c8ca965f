"""The consolidated score table (打分表, R-EV-3) at a province's size: 2,000 units, 50,000 projects.

Seeds the rows in bulk the way ``bench/inbox.py`` seeds its tables (units, projects, the score rows
the task boundary writes for 80% of them, a 1% spot-check sample with a few vetoes), then times
building the table as the performance office reads it (every row), as a finance office reads
it (its units, R-RL-1), and the Excel export. Goal: under 2 s each.

    python bench/score_table.py                                            # SQLite (a temp file)
    JIXIAO_DATABASE_URL=postgresql+psycopg:// python bench/score_table.py  # inside pg_virtualenv
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bulk  # noqa: E402  (bench/bulk.py, beside this file)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflows import clock  # noqa: E402
from workflows.policy import Actor  # noqa: E402
from workflows.queries import score_table  # noqa: E402
from workflows.store import Database  # noqa: E402

YEAR = 2027
NOW = datetime(2028, 6, 1, 8, 0, tzinfo=UTC)
GOAL_SECONDS = 2.0
GRADES = [(90, "优"), (80, "良"), (60, "中"), (0, "差")]


def _dt(value: datetime, is_pg: bool):
    return value if is_pg else value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(db: Database, units: int, projects: int) -> None:
    rng = random.Random(11)
    is_pg = not db.is_sqlite
    now = _dt(NOW, is_pg)
    names = ["污水处理", "农村公路", "教育信息化", "公共卫生", "应急物资", "文化展陈", "智慧消防", "养老服务"]
    unit_rows = [(u, f"B{u:04d}", f"预算单位{u}") for u in range(1, units + 1)]
    project_rows, score_rows, checks = [], [], []
    for p in range(1, projects + 1):
        score = round(rng.uniform(50, 99), 2)
        grade = next(g for floor, g in GRADES if score >= floor)
        scored = rng.random() < 0.8
        project_rows.append(
            (p, f"P{p:06d}", f"{names[p % len(names)]}项目{p}", (p - 1) % units + 1, YEAR,
             f"{rng.randint(10, 5000)}.00", "general_public", False, False, "results_applied", 0, False, now,
             score if scored else None, grade if scored else None, 0 if scored else None)
        )  # fmt: skip
        if scored:
            score_rows.append(
                (p, YEAR, round(score + rng.uniform(-5, 5), 2), score, None, None, score, grade, grade, None, 0,
                 False, now)
            )  # fmt: skip
        if rng.random() < 0.01:
            verdict = "不实" if rng.random() < 0.2 else "属实"
            checks.append((len(checks) + 1, p, YEAR, "done", verdict, False, verdict == "不实", "bench", now))
    tables = {
        "budget_unit": ("id, code, name", unit_rows),
        "project": (
            "id, code, name, unit_id, fiscal_year, amount, fund_type, is_new, is_major, stage, "
            "consecutive_failures, overdue, created_at, score, grade, budget_cut_ratio",
            project_rows,
        ),
        "score_table_row": (
            "project_id, fiscal_year, self_total, finance_score, panel_score, third_party_score, final_score, "
            "band_grade, grade, cap_reason, budget_cut_ratio, changed_after_confirmation, updated_at",
            score_rows,
        ),
        "spot_check": (
            "id, project_id, fiscal_year, status, verdict, overdue, veto_applied, started_by, started_at",
            checks,
        ),
    }
    bulk.load(db, tables, serial=())


def database_for(workdir: Path) -> str:
    base = os.environ.get("JIXIAO_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = "jixiao_bench_score_table"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{workdir / 'score_table.db'}"


def timed(label: str, backend: str, work) -> float:
    started = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds < GOAL_SECONDS else "OVER GOAL"
    print(
        f"[{backend}] {label:<46} {rows:>7,} rows  {seconds:6.3f} s  ({verdict}, goal < {GOAL_SECONDS:.0f} s)"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--projects", type=int, default=50_000)
    args = parser.parse_args()
    clock.set_now(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(database_for(Path(tmp)))
        backend = db.engine.dialect.name
        db.migrate()
        started = time.perf_counter()
        seed(db, args.units, args.projects)
        print(f"[{backend}] seeded {args.units:,} units, {args.projects:,} projects in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        office = Actor("bench.office", frozenset({"performance_office"}))
        reviewer = Actor(
            "bench.finance",
            frozenset({"finance_reviewer"}),
            office_units=frozenset(range(1, args.units // 20 + 1)),
        )
        results = []
        with db.reading() as session:
            results.append(timed("score table, every row (performance office)", backend,
                                 lambda: len(list(score_table.lines(session, office, YEAR)))))  # fmt: skip
            results.append(timed("score table, one finance office's units", backend,
                                 lambda: len(list(score_table.lines(session, reviewer, YEAR)))))  # fmt: skip
            results.append(timed("score table, first screen page", backend,
                                 lambda: len(score_table.page(session, office, YEAR, offset=0, limit=200))))  # fmt: skip
            data = {}
            results.append(timed("score table as .xlsx (every row)", backend,
                                 lambda: data.setdefault("n", len(score_table.workbook(session, office, YEAR))) and args.projects))  # fmt: skip
        db.dispose()
    print(f"score_table_seconds={results[0]:.3f} export_seconds={results[-1]:.3f}")


if __name__ == "__main__":
    main()
