"""Who may see what: role **and** unit scope on every read (DESIGN 8).

Commands check their own rules in ``workflows.runtime``; these checks decide what a
user may read. Anything a user may not see answers 404, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from workflows.runtime import UNIT_SCOPED_ROLES, Actor, may_see
from workflows.store import HumanTask, ProcessInstance, Project, User

# Roles that oversee every unit's projects (DOMAIN 2: finance, the performance office, leadership).
OVERSIGHT_ROLES = frozenset({"finance_reviewer", "performance_office", "leadership", "admin"})
# Roles that may read any task, not only their own (the loop's owners and administrators).
TASK_OVERSIGHT_ROLES = frozenset({"performance_office", "leadership", "admin"})
# Roles that open projects for a unit (DOMAIN 2: "谁申请资金，谁设置目标").
PROJECT_CREATORS = frozenset({"unit_submitter", "performance_office", "admin"})


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the web layer sees it (Flask-Login's user object)."""

    id: int
    username: str
    display_name: str
    unit_id: int | None
    unit_name: str | None
    roles: frozenset[str]

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, unit_id=self.unit_id)

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            unit_id=user.unit_id,
            unit_name=user.unit.name if user.unit else None,
            roles=user.roles,
        )


def database():
    return current_app.extensions["jixiao_db"]


def project_clause(user: CurrentUser):
    """SQL condition on ``Project`` for the projects ``user`` may see."""
    if user.roles & OVERSIGHT_ROLES:
        return true()
    clauses = []
    if user.roles & UNIT_SCOPED_ROLES and user.unit_id is not None:
        clauses.append(Project.unit_id == user.unit_id)
    if user.roles & {"expert", "third_party"}:
        involved = select(HumanTask.project_id).where(
            HumanTask.project_id.is_not(None),
            or_(HumanTask.assignee == user.username, HumanTask.completed_by == user.username),
        )
        clauses.append(Project.id.in_(involved))
    if "third_party" in user.roles:
        open_for_role = select(HumanTask.project_id).where(
            HumanTask.project_id.is_not(None),
            and_(HumanTask.status == "open", HumanTask.role == "third_party", HumanTask.assignee.is_(None)),
        )
        clauses.append(Project.id.in_(open_for_role))
    return or_(*clauses) if clauses else false()


def can_view_project(session: Session, user: CurrentUser, project_id: int) -> bool:
    return (
        session.scalar(select(Project.id).where(Project.id == project_id, project_clause(user))) is not None
    )


def can_view_task(user: CurrentUser, task: HumanTask) -> bool:
    if user.roles & TASK_OVERSIGHT_ROLES:
        return True
    if task.assignee == user.username or task.completed_by == user.username:
        return True
    return task.status == "open" and may_see(user.actor, task)


def can_view_instance(session: Session, user: CurrentUser, instance: ProcessInstance) -> bool:
    if instance.project_id is not None:
        return can_view_project(session, user, instance.project_id)
    if user.roles & OVERSIGHT_ROLES or instance.started_by == user.username:
        return True
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    return any(can_view_task(user, row) for row in rows)


def visible_project(session: Session, user: CurrentUser, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None or not can_view_project(session, user, project_id):
        abort(404)
    return project


def visible_task(session: Session, user: CurrentUser, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or not can_view_task(user, task):
        abort(404)
    return task


def visible_instance(session: Session, user: CurrentUser, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not can_view_instance(session, user, instance):
        abort(404)
    return instance


def colleagues_for(session: Session, task: HumanTask, exclude: str | None = None) -> list[User]:
    """Active users who hold the task's role (and unit, where scoped): candidates to assign to."""
    if not task.role:
        return []
    from workflows.store import RoleGrant

    query = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == task.role, User.is_active.is_(True))
    )
    if task.role in UNIT_SCOPED_ROLES and task.unit_id is not None:
        query = query.where(User.unit_id == task.unit_id)
    return [u for u in session.scalars(query.order_by(User.username)).unique() if u.username != exclude]
