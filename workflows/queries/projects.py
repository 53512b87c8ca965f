"""Projects as a user may read them: the list, one project with its processes and history."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock, policy
from ..errors import InstanceNotFound, NotFound
from ..policy import Actor
from ..store import BudgetUnit, HumanTask, ProcessInstance, Project
from . import decisions, timeline
from .paging import Order, Sorts, ordered
from .project_filter import ProjectFilter

# the project list's columns a user sorts by (issue 12, item 7); newest year first by default
SORTS = Sorts(
    {
        "code": Project.code,
        "name": Project.name,
        "unit": select(BudgetUnit.code).where(BudgetUnit.id == Project.unit_id).scalar_subquery(),
        "year": Project.fiscal_year,
        "amount": Project.amount,
        "stage": Project.stage,
        "score": Project.score,
        "grade": Project.grade,
    },
    default=Order("year", descending=True),
    tiebreak=(Project.code,),
)


def listing(
    actor: Actor,
    q: str | None = None,
    filters: ProjectFilter | None = None,
    *,
    now=None,
    order: Order | None = None,
):
    """The projects the actor may read in ``order`` (newest year first), a query to paginate,
    narrowed by ``filters`` (year, unit, fund type, stage, grade, overdue: what a dashboard
    figure links to)."""
    filters = (filters or ProjectFilter()).narrowed(q=q or (filters.q if filters else None))
    query = select(Project).where(policy.project_clause(actor), *filters.conditions(now or clock.now()))
    return ordered(query, SORTS, order or SORTS.default)


def count(session: Session, actor: Actor, filters: ProjectFilter | None = None, *, now=None) -> int:
    """How many projects :func:`listing` lists (the figure a dashboard links from)."""
    return session.scalar(
        select(func.count()).select_from(listing(actor, filters=filters, now=now).subquery())
    )


def readable_project(session: Session, actor: Actor, project_id: int) -> Project:
    project = session.scalar(select(Project).where(Project.id == project_id, policy.project_clause(actor)))
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def instances_of(session: Session, project_id: int) -> list[ProcessInstance]:
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.project_id == project_id)
            .order_by(ProcessInstance.id)
        )
    )


def open_tasks_of_instance(session: Session, instance_id: int) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
            .order_by(HumanTask.created_at)
        )
    )


def open_tasks_of(session: Session, project_id: int) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask).where(HumanTask.project_id == project_id, HumanTask.status == "open")
        )
    )


def view(session: Session, actor: Actor, project_id: int) -> dict:
    """The project page: its processes, open steps, readable history and the decisions taken."""
    project = readable_project(session, actor, project_id)
    instances = instances_of(session, project_id)
    return {
        "project": project,
        "instances": instances,
        "history": {i.id: timeline.of_instance(session, i, actor) for i in instances},
        "open_tasks": open_tasks_of(session, project_id),
        "decisions": decisions.of_project(session, actor, project_id),
    }


def readable_instance(session: Session, actor: Actor, instance_id: int) -> ProcessInstance:
    """An instance the actor may read: through its project, or (no project) as its starter,
    an overseer, or someone who may read one of its tasks."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is not None:
        if instance.project_id is not None:
            if session.scalar(
                select(Project.id).where(Project.id == instance.project_id, policy.project_clause(actor))
            ):
                return instance
        elif actor.is_system or actor.roles & policy.OVERSIGHT_ROLES or instance.started_by == actor.username:
            return instance
        elif session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, policy.readable_task_clause(actor)
            )
        ):
            return instance
    raise InstanceNotFound(f"no process instance {instance_id}")


def units(session: Session, actor: Actor | None = None) -> list:
    """The units a project list offers to filter by: every unit, or to ``actor`` the units whose
    projects they may read (a unit's clerk their own unit; an expert the units of their projects)."""
    query = select(BudgetUnit.id, BudgetUnit.name).order_by(BudgetUnit.code)
    if actor is None:
        return session.execute(query).all()
    if not policy.reads_projects_by_unit(actor):
        readable = select(Project.unit_id).where(policy.project_clause(actor))
        return session.execute(query.where(BudgetUnit.id.in_(readable))).all()
    chosen = policy.project_units(actor)
    if chosen is not None:
        query = query.where(BudgetUnit.id.in_(sorted(chosen)))
    return session.execute(query).all()
