"""Who holds a task: claim from the pool, give back, assign to a colleague, delegate and hand back.

Each is one unit of work. The assignee changes with a conditional ``UPDATE … WHERE
assignee IS <expected>``: of two people claiming at once one wins, the other gets
:class:`~workflows.errors.Conflict`, never a silent overwrite.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import clock
from ..errors import BusinessRuleRefused, Conflict, Forbidden, NotClaimedByYou
from ..policy import ASSIGNED_ONLY_ROLES, Actor, may_assign, may_hold, may_see
from ..store import Database, Delegation, HumanTask, User, audit, transaction
from ._persist import open_task

Unit = Database | Session
_ANY = object()
# R-EX-1: a panel member is replaced by the office (``panels.replace_panel_member``), which
# checks avoidance and that no one scores twice; the expert never passes the task on.
PANEL_TRANSFER_REFUSED = "专家评审任务不能转交或委托：如需更换专家，请联系绩效管理科办理「更换专家」"


def _set_assignee(session: Session, row: HumanTask, *, actor: Actor, new: str | None, expect, action: str):
    query = update(HumanTask).where(HumanTask.id == row.id, HumanTask.status == "open")
    if expect is not _ANY:
        query = query.where(HumanTask.assignee.is_(None) if expect is None else HumanTask.assignee == expect)
    previous = row.assignee  # read before the UPDATE: the session syncs the row to the new value
    if session.execute(query.values(assignee=new)).rowcount != 1:
        raise Conflict("该任务已被他人认领或办结，请刷新后重试")
    audit.append(
        session,
        action=action,
        actor=actor.username,
        instance_id=row.instance_id,
        task_id=row.id,
        data={"assignee": new, "previous": previous},
    )


def claim(uow: Unit, task_id: str, *, actor: Actor) -> None:
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        if not may_see(actor, row):
            raise Forbidden(f"{actor.username} may not claim task {task_id}")
        if row.assignee == actor.username:  # a second 认领 (a double click): nothing changes, and it says so
            raise Conflict("你已认领该任务，无需重复认领")
        if row.assignee is not None:
            raise Conflict(f"该任务已由 {row.assignee} 认领")
        _set_assignee(session, row, actor=actor, new=actor.username, expect=None, action="task.claimed")


def unclaim(uow: Unit, task_id: str, *, actor: Actor) -> None:
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        if row.assignee != actor.username and not actor.is_admin:
            raise NotClaimedByYou(f"task {task_id} is not claimed by {actor.username}")
        if row.role in ASSIGNED_ONLY_ROLES:
            raise Forbidden("an expert's task is assigned by the process, not claimed")
        _set_assignee(session, row, actor=actor, new=None, expect=row.assignee, action="task.unclaimed")


def _active_user(session: Session, username: str) -> User:
    target = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
    if target is None:
        raise Forbidden(f"no active user {username!r}")
    return target


def _refuse_panel_transfer(uow: Unit, task_id: str, username: str, *, actor: Actor, mode: str) -> None:
    """An expert's task is never handed on (R-EX-1): the refusal is audited, then raised."""
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        refused = row.role in ASSIGNED_ONLY_ROLES
        if refused:
            audit.append(
                session,
                action="task.transfer_refused",
                actor=actor.username,
                instance_id=row.instance_id,
                task_id=row.id,
                data={"to": username, "mode": mode, "reason": PANEL_TRANSFER_REFUSED},
            )
    if refused:
        raise BusinessRuleRefused(PANEL_TRANSFER_REFUSED)


def assign(uow: Unit, task_id: str, username: str, *, actor: Actor) -> None:
    """Hand a task to a colleague holding the task's role (and unit, where scoped)."""
    _refuse_panel_transfer(uow, task_id, username, actor=actor, mode="assign")
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        target = _active_user(session, username)
        if not may_assign(actor, row):
            raise Forbidden(f"{actor.username} may not assign task {task_id}")
        if not may_hold(Actor.of(target), row):
            raise Forbidden(f"{username} does not hold role {row.role} for this unit")
        _set_assignee(session, row, actor=actor, new=username, expect=_ANY, action="task.assigned")


def delegate(uow: Unit, task_id: str, username: str, *, actor: Actor) -> None:
    """委托 hand a claimed task to a colleague; it comes back with :func:`hand_back`."""
    _refuse_panel_transfer(uow, task_id, username, actor=actor, mode="delegate")
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        if row.assignee != actor.username:
            raise Forbidden("只能委托自己已认领的任务")
        target = _active_user(session, username)
        if not may_hold(Actor.of(target), row):
            raise Forbidden(f"{username} does not hold role {row.role} for this unit")
        _set_assignee(session, row, actor=actor, new=username, expect=actor.username, action="task.assigned")
        session.add(
            Delegation(task_id=task_id, delegator=actor.username, delegate=username, created_at=clock.now())
        )
        audit.append(
            session,
            action="task.delegated",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"delegate": username},
        )


def open_delegation(session: Session, task_id: str) -> Delegation | None:
    return session.scalar(
        select(Delegation)
        .where(Delegation.task_id == task_id, Delegation.returned_at.is_(None))
        .order_by(Delegation.id.desc())
    )


def hand_back(uow: Unit, task_id: str, *, actor: Actor) -> None:
    """The delegate (or the delegator) returns a delegated task to its holder."""
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        delegation = open_delegation(session, task_id)
        if delegation is None or actor.username not in (delegation.delegate, delegation.delegator):
            raise Forbidden("没有可交回的委托")
        if row.assignee != delegation.delegate:
            raise Conflict("任务已不在受托人名下")
        _set_assignee(
            session,
            row,
            actor=actor,
            new=delegation.delegator,
            expect=delegation.delegate,
            action="task.assigned",
        )
        delegation.returned_at = clock.now()
        audit.append(
            session,
            action="task.handed_back",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"to": delegation.delegator},
        )
