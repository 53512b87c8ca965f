"""The month's facts of the poverty-fund evaluation (R-AS-2) at a province's size: 2,000 units,
50,000 projects of the year, 10,000 of them poverty-alleviation funds with approved targets and
executions reported.

Seeds the rows in bulk (``bench/bulk.py``), then times what opening a month computes from the
read tables (``_poverty_facts.month_facts``: each unit's red lights, wrong amounts, badly filled
indicators and 细散小 projects, and the items to feed back), which runs inside the timer's unit of
work. Goal: under 5 s.

    python bench/poverty.py                                            # SQLite (a temp file)
    JIXIAO_DATABASE_URL=postgresql+psycopg:// python bench/poverty.py  # inside pg_virtualenv
"""

from __future__ import annotations

import argparse
import json
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

from demo import form_data  # noqa: E402
from workflows import clock  # noqa: E402
from workflows.commands._poverty_facts import month_facts  # noqa: E402
from workflows.store import Database  # noqa: E402

YEAR = 2027
NOW = datetime(2027, 7, 1, 0, 0, tzinfo=UTC)
DECLARED = datetime(2026, 9, 10, 1, 0, tzinfo=UTC)
GOAL_SECONDS = 5.0
RULES = {  # DMN poverty_fund_rules' defaults
    "fund_types": ["poverty_alleviation"],
    "red_light_lag": 10,
    "small_amount": 20,
    "required_levels": ["产出指标", "效益指标", "满意度指标"],
    "min_quantified": 1,
}


def _dt(value: datetime, is_pg: bool):
    return value if is_pg else value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(db: Database, units: int, projects: int, share: float) -> int:
    rng = random.Random(7)
    is_pg = not db.is_sqlite
    declared, now = _dt(DECLARED, is_pg), _dt(NOW, is_pg)
    good = form_data.performance_targets("项目")["indicators"]
    poor = [dict(i, direction="定性", target_value="明显提升") for i in good[:4]]
    unit_rows = [(u, f"B{u:04d}", f"预算单位{u}") for u in range(1, units + 1)]
    project_rows, versions, poverty = [], [], 0
    for p in range(1, projects + 1):
        fund = "poverty_alleviation" if rng.random() < share else "general_public"
        amount = rng.choice([8, 15, 60, 120, 362, 800]) + 0.5
        rate = round(rng.uniform(5, 80), 2)
        executed = round(amount * rate / 100, 2)
        project_rows.append(
            (p, f"P{p:06d}", f"项目{p}", (p - 1) % units + 1, YEAR, f"{amount:.2f}", fund, False, False,
             "monitoring", 0, False, declared, f"{amount:.2f}", "0.00", f"{executed:.2f}", f"{rate:.2f}", "41.37")
        )  # fmt: skip
        if fund == "poverty_alleviation":
            poverty += 1
            indicators = poor if rng.random() < 0.1 else good
            versions.append(
                (
                    p,
                    p,
                    1,
                    json.dumps(indicators, ensure_ascii=False),
                    f"{amount:.2f}",
                    "target_review",
                    now,
                    False,
                )
            )
    tables = {
        "budget_unit": ("id, code, name", unit_rows),
        "project": (
            "id, code, name, unit_id, fiscal_year, amount, fund_type, is_new, is_major, stage, "
            "consecutive_failures, overdue, created_at, fiscal_funds, other_funds, executed_amount, "
            "execution_rate, schedule_progress",
            project_rows,
        ),
        "target_version": (
            "id, project_id, version, indicators, amount, source, approved_at, republish_pending",
            versions,
        ),
    }
    bulk.load(db, tables, serial=())
    return poverty


def database_for(workdir: Path) -> str:
    base = os.environ.get("JIXIAO_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = "jixiao_bench_poverty"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{workdir / 'poverty.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument(
        "--share", type=float, default=0.2, help="share of the projects that are poverty funds"
    )
    args = parser.parse_args()
    clock.set_now(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(database_for(Path(tmp)))
        backend = db.engine.dialect.name
        db.migrate()
        started = time.perf_counter()
        poverty = seed(db, args.units, args.projects, args.share)
        print(f"[{backend}] seeded {args.units:,} units, {args.projects:,} projects ({poverty:,} poverty funds) "
              f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        with db.reading() as session:
            started, cpu = time.perf_counter(), time.process_time()
            rows, issues = month_facts(session, YEAR, 6, RULES)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.dispose()
    verdict = "ok" if seconds < GOAL_SECONDS else "OVER GOAL"
    print(f"[{backend}] June's facts: {len(rows):,} units, {len(issues):,} items in {seconds:.3f} s, "
          f"{cpu:.3f} s of this process's CPU ({verdict}, goal < {GOAL_SECONDS:.0f} s)")  # fmt: skip
    print(f"poverty_month_facts_seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
