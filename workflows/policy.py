"""Who may see, claim, complete and read what: each rule once, beside its SQL form.

The pure rules (``may_*``) decide for one actor and one task row; the clauses
(``*_clause``) are the same rules as SQL conditions, for the queries that list tasks,
projects and people. ``tests/unit/test_policy.py`` checks with generated actors and tasks
that each rule and its clause always agree. Nothing else in Jixiao writes these rules.

DOMAIN 2 / DESIGN 8: a unit's own staff see their unit's work; a finance reviewer sees the
units of their business office (R-RL-1, 对口业务科室); the performance office and leadership
oversee every unit; an expert sees only what is assigned to them and scores independently
(never another expert's sheet).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, false, func, or_, select, true

from .store import BudgetUnit, HumanTask, Project, RoleGrant, User

# Roles whose tasks are scoped to the project's budget unit (DOMAIN 2: the unit's own staff).
UNIT_SCOPED_ROLES = frozenset({"unit_submitter", "unit_head"})
# Roles scoped to the units of the holder's finance office (DOMAIN R-RL-1: 对口业务科室).
OFFICE_SCOPED_ROLES = frozenset({"finance_reviewer"})
# Roles that see every unit's projects whatever their office (the loop's owners).
ALL_UNITS_ROLES = frozenset({"performance_office", "leadership", "admin"})
# Roles that oversee every unit's projects (DOMAIN 2: finance, the performance office, leadership).
OVERSIGHT_ROLES = frozenset({"finance_reviewer", "performance_office", "leadership", "admin"})
# Roles that may read any task, not only their own (the loop's owners and administrators).
TASK_OVERSIGHT_ROLES = frozenset({"performance_office", "leadership", "admin"})
# Roles that open projects for a unit (DOMAIN 2: "谁申请资金，谁设置目标").
PROJECT_CREATORS = frozenset({"unit_submitter", "performance_office", "admin"})
# Roles that start any process with any data (the loop's owners).
PROCESS_STARTERS = frozenset({"performance_office", "leadership", "admin"})
# Tasks of these roles are assigned by the process, never claimed from a pool.
ASSIGNED_ONLY_ROLES = frozenset({"expert"})


@dataclass(frozen=True)
class Actor:
    """Who runs a command: a user with roles and a unit, or the system itself."""

    username: str
    roles: frozenset[str] = frozenset()
    unit_id: int | None = None
    is_system: bool = False
    # R-RL-1: the unit ids of a finance reviewer's office; None = not restricted to an office
    office_units: frozenset[int] | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(username=name, is_system=True)

    @classmethod
    def of(cls, user: User) -> Actor:
        """A user's actor; a finance reviewer is held to their office's units (none without one)."""
        roles = user.roles
        office_units = user.office_unit_ids if roles & OFFICE_SCOPED_ROLES else None
        return cls(username=user.username, roles=roles, unit_id=user.unit_id, office_units=office_units)

    @property
    def is_admin(self) -> bool:
        return self.is_system or "admin" in self.roles

    @property
    def scores_independently(self) -> bool:
        """An expert without an oversight role: other experts' sheets are hidden from them."""
        return "expert" in self.roles and not self.roles & OVERSIGHT_ROLES and not self.is_system


class TaskLike(Protocol):
    role: str | None
    unit_id: int | None
    assignee: str | None
    status: str
    completed_by: str | None


# --- tasks: see, claim, complete, read -------------------------------------------------


def _in_role_scope(actor: Actor, role: str | None, unit_id: int | None) -> bool:
    if role is None or role in ASSIGNED_ONLY_ROLES or role not in actor.roles:
        return False
    if role in UNIT_SCOPED_ROLES and unit_id is not None:
        return actor.unit_id == unit_id
    if role in OFFICE_SCOPED_ROLES and unit_id is not None and actor.office_units is not None:
        return unit_id in actor.office_units  # DOMAIN R-RL-1
    return True


def may_see(actor: Actor, task: TaskLike) -> bool:
    """May see the task in an inbox: it is theirs, or of their role within their unit scope."""
    if actor.is_system:
        return True
    if task.assignee is not None and task.assignee == actor.username:
        return True
    return _in_role_scope(actor, task.role, task.unit_id)


def may_claim(actor: Actor, task: TaskLike) -> bool:
    """May take an open, unassigned task from the pool (an expert's task is never pooled)."""
    return task.status == "open" and task.assignee is None and may_see(actor, task)


def may_complete(actor: Actor, task: TaskLike) -> bool:
    if actor.is_system:
        return True
    if task.assignee is not None:
        return task.assignee == actor.username
    return may_see(actor, task)


def may_hold(candidate: Actor, task: TaskLike) -> bool:
    """May the task be assigned to ``candidate``: they hold its role (and unit, where scoped)."""
    if task.role in ASSIGNED_ONLY_ROLES:
        return task.role in candidate.roles
    return _in_role_scope(candidate, task.role, task.unit_id)


def may_assign(actor: Actor, task: TaskLike) -> bool:
    """May hand the task to someone: its holder, anyone who could claim it, an administrator."""
    return (
        actor.is_admin or task.assignee == actor.username or (task.assignee is None and may_see(actor, task))
    )


def may_read_task(actor: Actor, task: TaskLike) -> bool:
    """May open the task page: the loop's owners always; others their own or a task they could take."""
    if actor.is_system or actor.roles & TASK_OVERSIGHT_ROLES:
        return True
    if actor.username in (task.assignee, task.completed_by):
        return True
    return task.status == "open" and may_see(actor, task)


def _role_terms(actor: Actor, *conditions) -> list:
    terms = []
    for role in sorted(actor.roles - ASSIGNED_ONLY_ROLES):
        if role in UNIT_SCOPED_ROLES:
            # a unit's staff see their unit's tasks, and tasks not tied to any unit
            if actor.unit_id is not None:
                terms.append(and_(*conditions, HumanTask.role == role, HumanTask.unit_id == actor.unit_id))
            terms.append(and_(*conditions, HumanTask.role == role, HumanTask.unit_id.is_(None)))
        elif role in OFFICE_SCOPED_ROLES and actor.office_units is not None:
            # R-RL-1: a reviewer sees their office's units, and tasks not tied to any unit
            if actor.office_units:
                units = sorted(actor.office_units)
                terms.append(and_(*conditions, HumanTask.role == role, HumanTask.unit_id.in_(units)))
            terms.append(and_(*conditions, HumanTask.role == role, HumanTask.unit_id.is_(None)))
        else:
            terms.append(and_(*conditions, HumanTask.role == role))
    return terms


def visible_clause(actor: Actor):
    """:func:`may_see` on ``human_task``."""
    if actor.is_system:
        return true()
    return or_(HumanTask.assignee == actor.username, *_role_terms(actor))


def claimable_clause(actor: Actor):
    """:func:`may_claim` on ``human_task``: one OR term per (role, unit), each one index range.

    "Unassigned" is written so no index is chosen for it (ix_human_task_assignee holds only
    claimed tasks since 0017_task_index_writes); the role indexes read page 1 in due order and
    check the assignee from the index (ix_human_task_claimable).
    """
    unclaimed = (HumanTask.status == "open", func.coalesce(HumanTask.assignee, "") == "")
    if actor.is_system:
        return and_(*unclaimed)
    terms = _role_terms(actor, *unclaimed)
    if not terms:
        return false()
    return terms[0] if len(terms) == 1 else or_(*terms)


def readable_task_clause(actor: Actor):
    """:func:`may_read_task` on ``human_task``."""
    if actor.is_system or actor.roles & TASK_OVERSIGHT_ROLES:
        return true()
    return or_(
        HumanTask.assignee == actor.username,
        HumanTask.completed_by == actor.username,
        and_(HumanTask.status == "open", visible_clause(actor)),
    )


# --- projects ------------------------------------------------------------------------


def _sees_every_project(actor: Actor) -> bool:
    if actor.is_system or actor.roles & ALL_UNITS_ROLES:
        return True
    return bool(actor.roles & OFFICE_SCOPED_ROLES) and actor.office_units is None


class ProjectLike(Protocol):
    id: int
    unit_id: int


def may_read_project(actor: Actor, project: ProjectLike, tasks: Iterable[TaskLike] = ()) -> bool:
    """:func:`project_clause` for one project, given its ``human_task`` rows.

    The loop's owners read all; a finance reviewer their office's units (R-RL-1); a unit its
    own; an expert or firm a project they worked on, a firm one with an open pooled task."""
    if _sees_every_project(actor):
        return True
    if actor.roles & OFFICE_SCOPED_ROLES and project.unit_id in (actor.office_units or ()):
        return True
    if actor.roles & UNIT_SCOPED_ROLES and actor.unit_id is not None and project.unit_id == actor.unit_id:
        return True
    for task in tasks:
        if actor.roles & {"expert", "third_party"} and actor.username in (task.assignee, task.completed_by):
            return True
        if (
            "third_party" in actor.roles
            and task.status == "open"
            and task.role == "third_party"
            and task.assignee is None
        ):
            return True
    return False


def project_clause(actor: Actor):
    """The projects the actor may read (:func:`may_read_project` in SQL)."""
    if _sees_every_project(actor):
        return true()
    clauses = []
    if actor.roles & OFFICE_SCOPED_ROLES and actor.office_units:
        clauses.append(Project.unit_id.in_(sorted(actor.office_units)))
    if actor.roles & UNIT_SCOPED_ROLES and actor.unit_id is not None:
        clauses.append(Project.unit_id == actor.unit_id)
    if actor.roles & {"expert", "third_party"}:
        involved = select(HumanTask.project_id).where(
            HumanTask.project_id.is_not(None),
            or_(HumanTask.assignee == actor.username, HumanTask.completed_by == actor.username),
        )
        clauses.append(Project.id.in_(involved))
    if "third_party" in actor.roles:
        open_for_role = select(HumanTask.project_id).where(
            HumanTask.project_id.is_not(None),
            HumanTask.status == "open",
            HumanTask.role == "third_party",
            HumanTask.assignee.is_(None),
        )
        clauses.append(Project.id.in_(open_for_role))
    return or_(*clauses) if clauses else false()


def may_create_project_for(actor: Actor, unit_id: int | None) -> bool:
    """A unit's submitter creates projects for their own unit; the performance office for any."""
    if actor.is_admin or "performance_office" in actor.roles:
        return True
    return "unit_submitter" in actor.roles and unit_id in (None, actor.unit_id)


# --- people --------------------------------------------------------------------------


def holders_query(role: str, unit_id: int | None):
    """Active users holding ``role`` (within ``unit_id`` for unit-scoped roles, within the office
    responsible for ``unit_id`` for office-scoped ones): :func:`may_hold` in SQL."""
    query = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == role, User.is_active.is_(True))
    )
    if role in UNIT_SCOPED_ROLES and unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    if role in OFFICE_SCOPED_ROLES and unit_id is not None:
        office = select(BudgetUnit.office_id).where(BudgetUnit.id == unit_id).scalar_subquery()
        query = query.where(User.office_id == office)
    return query.order_by(User.username)


def may_manage_panel(actor: Actor, task: TaskLike) -> bool:
    """May replace a member of an expert panel (R-EX-1): the loop's owners, or a finance
    reviewer whose office reviews the project's unit, while the expert's task is open."""
    if task.role != "expert" or task.status != "open":
        return False
    if actor.is_system or actor.roles & {"performance_office", "admin"}:
        return True
    return _in_role_scope(actor, "finance_reviewer", task.unit_id)


# --- history -------------------------------------------------------------------------


# The engine's own steps (rules and scripts): they compute over every expert's sheet (each score,
# the panel's mean and conclusion), so an expert scoring independently reads none of them.
ENGINE_STEP_ACTIONS = frozenset({"engine.step"})


def readable_history(actor: Actor, events: Iterable, expert_task_ids: set[str]) -> list:
    """Audit events the actor may read: an expert scoring independently never sees another
    expert's task events (their sheets) nor the engine's computations over them, though the
    rest of the history stays readable."""
    if not actor.scores_independently:
        return list(events)
    return [
        e
        for e in events
        if e.action not in ENGINE_STEP_ACTIONS
        and (e.task_id not in expert_task_ids or e.actor == actor.username)
    ]


# --- the audit log as a whole ------------------------------------------------------------

# Who reads the whole audit log (the 审计日志 page): the administrator every event; the
# performance office, which already reads every project's and process's history (it oversees
# every unit), the events of process instances, never the system chain's account and
# deployment events (sign-ins, passwords, tokens, users).
AUDIT_LOG_ROLES = frozenset({"admin", "performance_office"})


def may_read_audit_log(actor: Actor) -> bool:
    return actor.is_admin or bool(actor.roles & AUDIT_LOG_ROLES)


def may_read_audit_event(actor: Actor, instance_id: int | None) -> bool:
    if actor.is_admin:
        return True
    return bool(actor.roles & AUDIT_LOG_ROLES) and instance_id is not None


def audit_event_clause(actor: Actor, instance_column):
    """:func:`may_read_audit_event` as SQL on the event's ``instance_id`` column."""
    if actor.is_admin:
        return true()
    if actor.roles & AUDIT_LOG_ROLES:
        return instance_column.is_not(None)
    return false()


# --- process design ------------------------------------------------------------------

# Roles that edit drafts, deploy versions and migrate running instances (issue 13).
DESIGNER_ROLES = frozenset({"designer", "admin"})


def may_design(actor: Actor) -> bool:
    """May open the designer workbench: edit a draft, deploy it, migrate instances."""
    return actor.is_system or bool(actor.roles & DESIGNER_ROLES)


def reads_projects_by_unit(actor: Actor) -> bool:
    """Whether the projects ``actor`` may read are those of a set of units (:func:`project_units`),
    as tables that add projects up by unit (``dashboard_tally``) need; not so for an expert or a
    third party, who read the projects they work on."""
    return _sees_every_project(actor) or not actor.roles & {"expert", "third_party"}


def project_units(actor: Actor) -> frozenset[int] | None:
    """The units whose projects ``actor`` may read (:func:`project_clause` by unit; ``None``:
    every unit), for an actor who :func:`reads_projects_by_unit`."""
    if _sees_every_project(actor):
        return None
    units: set[int] = set()
    if actor.roles & OFFICE_SCOPED_ROLES and actor.office_units:
        units |= actor.office_units
    if actor.roles & UNIT_SCOPED_ROLES and actor.unit_id is not None:
        units.add(actor.unit_id)
    return frozenset(units)


def unit_clause(actor: Actor, unit_column):
    """The budget units whose yearly work (department-wide cycles) the actor may read, as a SQL
    condition on ``unit_column``: the loop's owners all; a finance reviewer their office's units
    (R-RL-1); a unit's people their own unit."""
    if _sees_every_project(actor):
        return true()
    clauses = []
    if actor.roles & OFFICE_SCOPED_ROLES and actor.office_units:
        clauses.append(unit_column.in_(sorted(actor.office_units)))
    if actor.roles & UNIT_SCOPED_ROLES and actor.unit_id is not None:
        clauses.append(unit_column == actor.unit_id)
    return or_(*clauses) if clauses else false()
