"""Measure the review paths on a throwaway SQLite database: time per step and state size.

Usage: .venv/bin/python scripts/bpmn_measure.py [N]   (N closed loops, default 20)

Runs the demo driver (workflows.demo_paths) N times from start to results applied and
prints the median and p95 milliseconds of each runtime command, the number of user
tasks per loop, and the size of the final workflow state (spec stored by reference).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from decimal import Decimal

from sqlalchemy import func, select

from workflows import clock, runtime
from workflows import demo_paths as demo
from workflows.db import Database
from workflows.store import BudgetUnit, HumanTask, ProcessInstance, Project


def main(loops: int) -> None:
    db = Database(f"sqlite:///{tempfile.mkdtemp()}/measure.db")
    db.migrate()
    demo.ensure_deployed(db)
    timings: dict[str, list[float]] = {}
    for name in ("start", "complete_task", "fire_due_timers"):
        original = getattr(runtime, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            began = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                timings.setdefault(_name, []).append((time.perf_counter() - began) * 1000)

        setattr(runtime, name, timed)
    with db.unit_of_work() as session:
        unit = BudgetUnit(code="WZ", name="万载县财政局")
        session.add(unit)
        session.flush()
        projects = []
        for i in range(loops):
            name, amount = demo.DEMO_PROJECTS[i % len(demo.DEMO_PROJECTS)]
            project = Project(
                code=f"M-{i}",
                name=name,
                unit_id=unit.id,
                fiscal_year=2027,
                amount=Decimal(str(amount)),
                created_at=clock.now(),
            )
            session.add(project)
            session.flush()
            projects.append((project.id, unit.id, "results_applied"))
        session.commit()
    began = time.perf_counter()
    demo.advance(db, projects)
    elapsed = time.perf_counter() - began
    with db.reading() as session:
        sizes = [len(s) for s in session.scalars(select(ProcessInstance.workflow_state))]
        tasks = session.scalar(select(func.count(HumanTask.id)))
    print(f"{loops} closed loops in {elapsed:.2f} s ({elapsed / loops * 1000:.0f} ms per project)")
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1] if len(values) >= 20 else values[-1]
        print(
            f"  {name:16s} n={len(values):4d} median {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms"
        )
    print(
        f"  user tasks per loop: {tasks / loops:.1f}; final state median {statistics.median(sizes) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
