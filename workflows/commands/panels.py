"""Expert panels (专家组) from the pool (DOMAIN R-EX-1, R-EA-3, R-EV-3): picked or drawn on the
form of the step before the panel, and a member replaced while their task is open.

The process knowledge stays in the BPMN and the forms: a form property with
``"x-widget": "expert-pool"`` (the ``experts`` collection the panel's multi-instance reads)
may name a sibling draw field (``"x-draw-field": "experts_draw"``, how many to draw). This
module is the mechanism: on completion it checks a picked panel against the pool, or draws
one avoiding experts of the project's own unit, and records the draw and its seed in the
audit log, so anyone can replay it (:func:`draw`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import steps
from ..errors import FormInvalid, TaskNotFound
from ..policy import Actor, may_manage_panel
from ..store import Database, Expert, HumanTask, RoleGrant, User, audit, transaction
from . import _persist

Unit = Database | Session
POOL_WIDGET = "expert-pool"


def draw(candidates: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` usernames drawn from ``candidates`` with ``seed``: the same inputs, the same panel."""
    return sorted(random.Random(seed).sample(sorted(candidates), size))


@dataclass(frozen=True)
class PoolExpert:
    username: str
    display_name: str
    fields: tuple[str, ...]
    organisation: str
    unit_id: int | None


def pool(session: Session) -> list[PoolExpert]:
    """Active pool experts whose accounts are active and hold the expert role, by username."""
    rows = session.execute(
        select(User.username, User.display_name, Expert.fields, Expert.organisation, Expert.unit_id)
        .join(Expert, Expert.user_id == User.id)
        .join(RoleGrant, (RoleGrant.user_id == User.id) & (RoleGrant.role == "expert"))
        .where(Expert.is_active.is_(True), User.is_active.is_(True))
        .order_by(User.username)
    ).all()
    return [PoolExpert(r[0], r[1], tuple(r[2] or ()), r[3] or "", r[4]) for r in rows]


def eligible(session: Session, project_unit_id: int | None) -> list[PoolExpert]:
    """Pool experts who may sit on a panel for a project of ``project_unit_id``: never one of
    the project's own unit (conflict of interest, R-EX-1)."""
    return [e for e in pool(session) if project_unit_id is None or e.unit_id != project_unit_id]


def _check_picked(session: Session, field: str, picked: list, unit_id: int | None) -> None:
    allowed = {e.username for e in eligible(session, unit_id)}
    wrong = [str(p) for p in picked if p not in allowed]
    if wrong:
        raise FormInvalid({field: [f"不是专家库中可选的专家（或与项目单位有利害关系）：{'、'.join(wrong)}"]})


def resolve(session: Session, schema: dict | None, data: dict, *, task: HumanTask) -> tuple[dict, list[dict]]:
    """The form data with its panel settled (a picked panel checked, a requested draw made),
    and the draws made, for :func:`record_draws` once the whole form is valid."""
    draws = []
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if prop.get("x-widget") != POOL_WIDGET:
            continue
        picked = data.get(name)
        draw_field = prop.get("x-draw-field")
        size = data.get(draw_field) if draw_field else None
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            if isinstance(picked, list) and picked:
                _check_picked(session, name, picked, task.unit_id)
            continue  # nothing to draw (a wrong type is reported by the form's schema)
        if picked:
            raise FormInvalid({draw_field: ["已从专家库选择专家时不能再随机抽取"]})
        candidates = [e.username for e in eligible(session, task.unit_id)]
        if size > len(candidates):
            raise FormInvalid({draw_field: [f"专家库中可抽取的专家只有 {len(candidates)} 位"]})
        seed = secrets.randbits(63)
        chosen = draw(candidates, size, seed)
        data = {**data, name: chosen}
        draws.append(
            {
                "field": name,
                "size": size,
                "seed": seed,
                "candidates": candidates,
                "chosen": chosen,
                "avoided_unit": task.unit_id,
            }
        )
    return data, draws


def record_draws(session: Session, draws: list[dict], *, task: HumanTask, actor: Actor) -> None:
    """Each draw, its candidates and seed in the audit log: replayable with :func:`draw`."""
    for drawn in draws:
        audit.append(
            session,
            action="panel.drawn",
            actor=actor.username,
            instance_id=task.instance_id,
            task_id=task.id,
            data=drawn,
        )


def panel_members(session: Session, task: HumanTask) -> set[str]:
    """Who sits on the task's panel: the assignees of its step's sheets, open or finished."""
    return set(
        session.scalars(
            select(HumanTask.assignee).where(
                HumanTask.instance_id == task.instance_id,
                HumanTask.task_spec == task.task_spec,
                HumanTask.status != "cancelled",
            )
        )
    )


def replace_panel_member(uow: Unit, task_id: str, expert: str, *, actor: Actor, reason: str = "") -> None:
    """Hand an open expert task to another pool expert (the member cannot serve, or a conflict
    of interest came to light); the panel member's sheet will carry the new name."""
    with transaction(uow) as session:
        row = session.get(HumanTask, task_id) if len(task_id or "") <= 36 else None
        if row is None or not may_manage_panel(actor, row):
            raise TaskNotFound(f"no open expert task {task_id}")
        if expert not in {e.username for e in eligible(session, row.unit_id)}:
            raise FormInvalid({"expert": ["不是专家库中可选的专家（或与项目单位有利害关系）"]})
        if expert in panel_members(session, row):
            raise FormInvalid({"expert": ["该专家已在本专家组中"]})
        previous = row.assignee
        instance, workflow = _persist.load_instance(session, row.instance_id)
        steps.replace_instance_item(workflow, task_id, expert)
        row.assignee = expert
        row.draft = None  # the previous member's unfinished sheet is not the new member's
        audit.append(
            session,
            action="panel.member_replaced",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"task": row.task_spec, "previous": previous, "expert": expert, "reason": reason},
        )
        _persist.save(session, instance, workflow, actor)
