"""A province-sized year for the selection (issue 11): 2,000 units, 50,000 projects.

Seeds through the product's own doors, as ``bench/seeding.py`` does (nothing here writes a
table): units with ``commands.create_unit``, projects with ``commands.create_project`` (as the
performance office, many to one unit of work: the command joins the caller's), and the previous
year's selection with the selection commands (saved, drawn, confirmed), so that history (R-EV-2)
and last year's key-evaluation funds (R-EV-4) are real. Only ``annual_selection`` is deployed, so
a project starts no review path: the selection reads the project rows, not their processes.

Then times, best of ``--runs``:

* ``quotas``: the workbench read (candidates with history, the saved choice, every quota check
  per unit and overall: ``queries.selection.workbench``);
* ``draw``: a re-draw of the spot-check sample with its reason (``commands.draw_sample``: the
  population read, the seeded sample, the rows replaced, the audit event);
* ``save``: saving a choice of ~20% of the projects in which 1% of the department evaluations
  changed (``commands.save_selection``: the diff is written);
* ``unit_page``: what the workbench page reads for one unit (the page lists one unit at a time
  past 50 units): the unit's candidates with history, and every quota check;
* ``rows``: the full candidate list with history (``GET /api/v1/selection/<year>`` lists every
  project; no goal).

Goal: under 2 s each. Prints the figures and ``portfolio_<name>_s=<x>`` lines.

    python bench/portfolio.py                                              # SQLite (temp file)
    JIXIAO_DATABASE_URL=postgresql+psycopg:// python bench/portfolio.py     # inside pg_virtualenv
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflows import clock, commands  # noqa: E402
from workflows import quotas as rules  # noqa: E402
from workflows.engine import specs  # noqa: E402
from workflows.policy import Actor  # noqa: E402
from workflows.queries import selection  # noqa: E402
from workflows.store import Database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 2.0
YEAR = 2026
OFFICE = Actor("bench.office", frozenset({"performance_office"}))
ADMIN = Actor.system("bench")
NAMES = [
    "污水处理",
    "农村公路养护",
    "教育信息化",
    "公共卫生",
    "应急物资储备",
    "文化展陈",
    "智慧消防",
    "养老服务",
]
BATCH = 1000  # projects per unit of work


def database_url(workdir: Path) -> str:
    base = os.environ.get("JIXIAO_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = "jixiao_bench_portfolio"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{workdir / 'portfolio.db'}"


def deploy(db: Database) -> None:
    files = {
        name: (ROOT / "bpmn" / name).read_text(encoding="utf-8")
        for name in ("annual_selection.bpmn", "selection_quotas.dmn")
    }
    files["annual_selection.json"] = (ROOT / "forms" / "annual_selection.json").read_text(encoding="utf-8")
    with db.unit_of_work() as session:
        specs.deploy(session, files, actor="bench")
        session.commit()


def seed_year(db: Database, units: list[int], count: int, year: int, rng: random.Random) -> None:
    """``count`` projects of ``year`` spread over ``units`` (names repeat across years: history)."""
    for start in range(0, count, BATCH):
        with db.unit_of_work() as uow:
            for n in range(start, min(start + BATCH, count)):
                unit_id = units[n % len(units)]
                is_new = rng.random() < 0.3
                new = commands.NewProject(
                    code=f"P{year}-{n:06d}",
                    name=f"{NAMES[n // len(units) % len(NAMES)]}项目{n // len(units)}",
                    fiscal_year=year,
                    amount=Decimal(rng.randint(10, 5000)),
                    unit_id=unit_id,
                    is_new=is_new,
                    is_major=rng.random() < 0.05,
                    period_start=str(year) if is_new else str(year - 2),
                    period_end=str(year) if rng.random() < 0.5 else str(year + 1),
                )
                commands.create_project(uow, new, actor=OFFICE)
            uow.commit()


def choose(bench: selection.Workbench, quotas: rules.Quotas) -> dict[str, list[int]]:
    """What an office would tick: per unit the priority projects until 20% of its funds, 2% expert
    reviews, the ten (and more) largest for key evaluations, a hundred for key monitoring."""
    by_unit: dict[int, list] = {}
    for row in bench.rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    dept: list[int] = []
    for rows in by_unit.values():
        total = sum((r.amount for r in rows), Decimal(0))
        got = Decimal(0)
        for row in sorted(rows, key=lambda r: rules.priority(r.candidate)):
            if got >= quotas.dept_eval_share * total:
                break
            dept.append(row.project_id)
            got += row.amount
    largest = sorted(bench.rows, key=lambda r: -r.amount)
    experts = [r.project_id for r in largest[: int(len(largest) * quotas.expert_share) + 1]]
    return {
        "dept_eval": dept,
        "expert_review": experts,
        "third_party": [r.project_id for r in largest[:40]],
        "key_monitoring": [r.project_id for r in largest[40:140]],
    }


def seed(db: Database, args, rng: random.Random):
    """Units, two years of projects and last year's confirmed selection, through the commands;
    this year's selection started with a first choice saved and a first draw."""
    db.migrate()
    deploy(db)
    started = time.perf_counter()
    with db.unit_of_work() as uow:
        units = [
            commands.create_unit(uow, f"B{u:04d}", f"预算单位{u}", actor=ADMIN) for u in range(args.units)
        ]
        uow.commit()
    seed_year(db, units, args.last_year, YEAR - 1, rng)
    seed_year(db, units, args.projects, YEAR, rng)
    seeded = time.perf_counter() - started
    # last year's selection, through its commands, confirmed: history and last year's funds
    commands.start_selection(db, YEAR - 1, actor=OFFICE)
    with db.reading() as session:
        last = selection.workbench(session, YEAR - 1)
    commands.save_selection(db, YEAR - 1, choose(last, last.quotas), actor=OFFICE)
    commands.draw_sample(db, YEAR - 1, actor=OFFICE)
    commands.confirm_selection(db, YEAR - 1, actor=OFFICE)
    # this year's: started, a first choice saved and a first draw made
    commands.start_selection(db, YEAR, actor=OFFICE)
    with db.reading() as session:
        bench = selection.workbench(session, YEAR)
    picked = choose(bench, bench.quotas)
    commands.save_selection(db, YEAR, picked, actor=OFFICE)
    commands.draw_sample(db, YEAR, actor=OFFICE)
    return picked, units, seeded


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--last-year", type=int, default=10_000, help="projects of the year before")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="a SQLite file: seeded on the first run, measured again on later ones")
    args = parser.parse_args()
    clock.set_now(clock.parse_moment(f"{YEAR + 1}-02-10T09:00"))
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{args.keep}" if args.keep else database_url(Path(tmp))
        reused = bool(args.keep) and Path(args.keep).exists()
        db = Database(url)
        backend = db.engine.dialect.name
        if reused:  # seeded by an earlier run: measure again
            with db.reading() as session:
                bench = selection.workbench(session, YEAR)
            units = sorted({r.unit_id for r in bench.rows})
            picked, seeded = choose(bench, bench.quotas), 0.0
        else:
            picked, units, seeded = seed(db, args, rng)
        if backend == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))

        def read_quotas():
            with db.reading() as session:
                result = selection.workbench(session, YEAR, with_rows=False)
            assert len(result.checks) == len(units) + 4

        def read_rows():
            with db.reading() as session:
                result = selection.workbench(session, YEAR)
            assert len(result.rows) == args.projects

        def redraw():
            commands.draw_sample(db, YEAR, actor=OFFICE, reason="基准测试：经研究重新抽取")

        # a save changes 1% of the department evaluations (ticked off, then on again)
        changed = {**picked, "dept_eval": picked["dept_eval"][len(picked["dept_eval"]) // 100 :]}
        choices = iter([changed, picked] * args.runs)

        def save():
            commands.save_selection(db, YEAR, next(choices), actor=OFFICE)

        def unit_page():
            with db.reading() as session:
                result = selection.workbench(session, YEAR, unit_id=units[0])
            assert result.rows and result.checks

        figures = {
            "quotas": best_of(args.runs, read_quotas),
            "draw": best_of(args.runs, redraw),
            "save": best_of(args.runs, save),
            "unit_page": best_of(args.runs, unit_page),
            "rows": best_of(args.runs, read_rows),
        }
        commands.save_selection(db, YEAR, picked, actor=OFFICE)  # the choice as it was
        with db.reading() as session:
            final = selection.workbench(session, YEAR)
            sample = selection.spot_check_sample(session, YEAR)
        db.dispose()
    chosen = sum(len(v) for v in picked.values())
    print(
        f"portfolio ({backend}): {args.units} units, {args.projects} projects this year, "
        f"{args.last_year} last year; seeded through the commands in {seeded:.0f} s"
    )
    print(
        f"  choice: {chosen} ticks ({len(picked['dept_eval'])} department evaluations), "
        f"{len(final.checks)} quota checks, {len(final.failures)} failing; sample of {len(sample)}"
    )
    for name, seconds in figures.items():
        verdict = "ok" if seconds < GOAL_S else "OVER GOAL"
        if name == "rows":
            verdict = "(no goal: a page of 50,000 rows)"
        print(f"  {name:>9}: {seconds:.3f} s (goal < {GOAL_S:.0f} s) {verdict}")
    for name, seconds in figures.items():
        print(f"portfolio_{name}_s={seconds:.3f}")


if __name__ == "__main__":
    main()
