"""The demo's fiscal year: opened through the command, every demo unit has a department-wide cycle
(the first unit's targets reviewed, the others still at their targets), made by demo users as the pages would."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

import demo
from workflows.engine import specs
from workflows.store import AuditEvent, BudgetUnit, DepartmentWide

ROOT = Path(__file__).resolve().parents[2]


def test_demo_opens_its_year_and_every_unit_has_a_department_wide_cycle(db):
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    demo.load(db)
    demo.load(db)  # idempotent: nothing opened, filed or reviewed twice
    with db.reading() as session:
        cycles = {
            code: (dw.stage, dw.targets_score)
            for dw, code in session.execute(
                select(DepartmentWide, BudgetUnit.code).join(
                    BudgetUnit, BudgetUnit.id == DepartmentWide.unit_id
                )
            )
        }
        opened_by = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "fiscal_year.opened")
        ).all()
    first, *others = (code for code, _name in demo.data.UNITS)
    assert cycles == {first: ("monitoring_wait", 93)} | {code: ("targets", None) for code in others}
    assert opened_by[0] == "zhou.perf"
