"""Keep the ``department_wide`` read row equal to its instance's ``dw_*`` data (DESIGN 3).

The BPMN decides a unit's department-wide stage, deadline, overdue mark and finance's scores
(``dw_stage``, ``dw_due_at``, ``dw_overdue``, ``dw_targets_score``, ...); every save of a
``department_wide`` instance copies the latest values here, so the year page and the unit
assessment (``queries.department_wide``) read a table, never a workflow. The first save
writes the row (``dw_fiscal_year`` and the instance's unit say whose it is).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..engine import steps, timer_events
from ..store import DEPARTMENT_WIDE_SYNC_COLUMNS, DepartmentWide
from ._domain_sync import DomainSync

PROCESS_ID = "department_wide"
_KEYS = {f"dw_{c}": c for c in (*DEPARTMENT_WIDE_SYNC_COLUMNS, "fiscal_year")}
_SCORES = ("targets_score", "monitoring_score", "self_evaluation_score")
_dw = DepartmentWide.__table__


def _values_of(instance, workflow, _engine_steps) -> dict | None:
    """The ``dw_*`` values the instance's BPMN last wrote."""
    if instance.unit_id is None:
        return None
    values = steps.latest_writes(workflow, _KEYS)
    if not values:
        return None
    if "due_at" in values:
        values["due_at"] = timer_events.parse_due(values["due_at"]) if values["due_at"] else None
    for score in _SCORES:
        if values.get(score) is not None:
            values[score] = Decimal(str(values[score])).quantize(Decimal("0.01"))
    if "overdue" in values:
        values["overdue"] = bool(values["overdue"])
    return values


def _sync(session: Session, instance, values: dict, saving) -> None:
    now = saving.now
    columns = {k: v for k, v in values.items() if k != "fiscal_year"}
    done = session.connection().execute(
        update(_dw).where(_dw.c.instance_id == instance.id).values(**columns, updated_at=now)
    )
    if done.rowcount == 0 and values.get("fiscal_year") is not None:
        year = int(values["fiscal_year"])
        taken = (
            session.connection()
            .execute(select(_dw.c.id).where(_dw.c.fiscal_year == year, _dw.c.unit_id == instance.unit_id))
            .first()
        )
        if taken is not None:
            return  # a second cycle started by hand for the same unit and year: the first one counts
        session.connection().execute(
            insert(_dw).values(
                fiscal_year=year,
                unit_id=instance.unit_id,
                instance_id=instance.id,
                stage=columns.get("stage") or "targets",
                due_at=columns.get("due_at"),
                overdue=columns.get("overdue", False),
                targets_score=columns.get("targets_score"),
                monitoring_score=columns.get("monitoring_score"),
                self_evaluation_score=columns.get("self_evaluation_score"),
                updated_at=now,
            )
        )


ROW = DomainSync("department_wide", _values_of, _sync, process_id=PROCESS_ID)
