"""The demo of `make run`: projects at every stage of the closed loop, in both units (issue 3)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

import demo
from workflows.engine import specs
from workflows.store import BudgetUnit, ProcessInstance, Project

ROOT = Path(__file__).resolve().parents[2]
STAGES = {"ex_ante", "targets", "rectification", "evaluation", "results_applied", "not_budgeted"}


def test_demo_shows_every_stage_in_both_units_and_a_deadline_minutes_away(db):
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    report = demo.load(db)
    assert report.advanced
    with db.reading() as session:
        by_unit: dict[str, set[str]] = {}
        for project in session.scalars(select(Project)):
            by_unit.setdefault(project.unit.code, set()).add(project.stage)
        units = set(session.scalars(select(BudgetUnit.code)))
        deadline_demo = session.scalar(
            select(ProcessInstance).where(ProcessInstance.process_id == "demo_deadline")
        )
    assert units == {"U001", "U002"}
    for unit, stages in by_unit.items():
        assert STAGES <= stages, f"{unit} lacks {STAGES - stages}"
        assert {"monitoring", "monitoring_report"} & stages, f"{unit} has no project in monitoring"
    assert deadline_demo is not None and deadline_demo.status == "running"
