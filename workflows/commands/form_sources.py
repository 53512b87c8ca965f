"""The earlier data a task's form is pre-filled from and its bound tables are held to (``x-prefill``).

One reading for the page that shows the form (:func:`workflows.queries.tasks.prefill`) and the
commands that accept it (complete, Excel import), so what the page pre-fills is what the
submission is checked against: what the instance recorded (start data and completed tasks'
data, later values winning, read from the audit log), with ``indicators`` the project's current
approved targets when a target version exists (R-TG-3: an approved change is a new version,
and monitoring and self-evaluation report against it).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import AuditEvent, audit
from ..store.third_party import TargetVersion

TARGETS_KEY = "indicators"  # the data key a target version holds (the 绩效指标 table)
GOAL_KEY = "tg_overall_goal"  # and its 年度目标


def recorded(
    session: Session,
    instance_id: int,
    *,
    left_out: Callable[[AuditEvent], bool] | None = None,
    computed: frozenset[str] = frozenset(),
) -> dict:
    """The values the instance recorded: start data and completed tasks' data, later winning;
    with ``computed`` (see :func:`computed_keys`) also those keys as the BPMN's scripts set them
    (``engine.step`` outputs: the 序时进度 of the monitoring node, worked out before the report)."""
    values: dict = {}
    for event in audit.history(session, instance_id):
        if computed and event.action == "engine.step" and (event.data or {}).get("kind") == "script":
            outputs = (event.data or {}).get("outputs") or {}
            values.update({k: v for k, v in outputs.items() if k in computed})
            continue
        if event.action not in ("instance.started", "task.completed"):
            continue
        if left_out is not None and left_out(event):
            continue
        values.update((event.data or {}).get("data") or {})
    return values


def computed_keys(schema: dict | None) -> frozenset[str]:
    """The data keys the form's plain fields pre-fill from (``"x-prefill": {"from": key}``): read
    from the scripts' outputs too, so a value the process computes (not a person) can be shown."""
    keys = set()
    for prop in ((schema or {}).get("properties") or {}).values():
        spec = prop.get("x-prefill") if isinstance(prop, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("from"), str) and prop.get("type") != "array":
            keys.add(spec["from"])
    return frozenset(keys)


def with_approved_targets(session: Session, project_id: int | None, values: dict) -> dict:
    """``values`` with ``indicators`` (and ``tg_overall_goal``) the project's latest approved target
    version, if it has one."""
    if project_id is None:
        return values
    latest = session.execute(
        select(TargetVersion.indicators, TargetVersion.overall_goal)
        .where(TargetVersion.project_id == project_id)
        .order_by(TargetVersion.version.desc())
        .limit(1)
    ).first()
    if latest is None:
        return values
    approved = {TARGETS_KEY: latest.indicators}
    if latest.overall_goal:
        approved[GOAL_KEY] = latest.overall_goal  # the approved 年度目标 (a self-evaluation's plan)
    return {**values, **approved}


def of_task(session: Session, schema: dict | None, instance_id: int, project_id: int | None) -> dict | None:
    """The sources for ``schema``'s bound tables; None when the form binds no table."""
    if not any(spec.get("bound") for spec in _prefill_specs(schema)):
        return None
    return with_approved_targets(
        session, project_id, recorded(session, instance_id, computed=computed_keys(schema))
    )


def _prefill_specs(schema: dict | None) -> list[dict]:
    return [
        prop["x-prefill"]
        for prop in ((schema or {}).get("properties") or {}).values()
        if isinstance(prop, dict) and isinstance(prop.get("x-prefill"), dict)
    ]


def has_prefill(schema: dict | None) -> bool:
    return bool(_prefill_specs(schema))
