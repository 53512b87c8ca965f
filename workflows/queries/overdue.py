"""Overdue work, one definition for every page that counts it: an open task whose due time has
passed (the inbox's 逾期 list, the dashboard's 逾期待办, the year page's 逾期 column).

A project is overdue when it has such a task; a unit's department-wide cycle of a year
(部门整体支出) when its instance has one. The deadline mark the process sets when its timer
fires (``department_wide.overdue``) is a fact about timeliness that the unit assessment scores
(R-DW-2); whether work is overdue now is always read from the tasks, through this module.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.orm import Session

from .. import policy
from ..policy import Actor
from ..store import DepartmentWide, HumanTask, Project


def open_past_due(now: datetime):
    """The definition: the task is open and its due time has passed."""
    return and_(HumanTask.status == "open", HumanTask.due_at < now)


def project_is_overdue(now: datetime):
    """The project (a row of ``project`` in the query) has overdue work."""
    return exists(select(HumanTask.id).where(HumanTask.project_id == Project.id, open_past_due(now)))


def projects_by_unit(session: Session, where: list, now: datetime) -> dict[int, tuple[int, Decimal, int]]:
    """Of the projects matching ``where``: those with overdue work by unit, as (projects, 万元,
    overdue tasks). A project with two overdue tasks counts once (as :func:`project_is_overdue`
    lists it), its tasks twice."""
    conn = session.connection()
    late_tasks = (
        select(HumanTask.project_id, func.count().label("tasks"))
        .where(open_past_due(now), HumanTask.project_id.is_not(None))
        .group_by(HumanTask.project_id)
    )
    if conn.dialect.name == "postgresql":
        # each late project found by its id (an index probe per project with late work), not
        # hashed with every project of the year as a join would (50,000 rows): ``OFFSET 0``
        # keeps PostgreSQL from flattening the lateral subquery into that join
        late = late_tasks.subquery()
        own = (
            select(Project.unit_id, Project.amount)
            .where(Project.id == late.c.project_id, *where)
            .offset(0)
            .lateral()
        )
        query = (
            select(own.c.unit_id, func.count(), func.sum(own.c.amount), func.sum(late.c.tasks))
            .select_from(late)
            .join(own, true())
            .group_by(own.c.unit_id)
        )
        return {unit: (count, amount, int(tasks)) for unit, count, amount, tasks in conn.execute(query).all()}
    late = late_tasks.subquery()
    query = (
        select(Project.unit_id, func.count(), func.sum(Project.amount), func.sum(late.c.tasks))
        .join(late, late.c.project_id == Project.id)
        .where(*where)
        .group_by(Project.unit_id)
    )
    return {
        unit: (count, Decimal(0) if amount is None else Decimal(str(amount)), int(tasks or 0))
        for unit, count, amount, tasks in conn.execute(query)
    }


def department_wide_by_unit(
    session: Session, actor: Actor, year: int, now: datetime, *, unit: int | None = None
) -> dict[int, int]:
    """unit id → overdue tasks of the unit's department-wide cycle of ``year``, for the units
    whose cycles ``actor`` may read (R-RL-1); units without overdue work are left out."""
    query = (
        select(DepartmentWide.unit_id, func.count())
        .join(HumanTask, HumanTask.instance_id == DepartmentWide.instance_id)
        .where(
            DepartmentWide.fiscal_year == year,
            open_past_due(now),
            policy.unit_clause(actor, DepartmentWide.unit_id),
        )
        .group_by(DepartmentWide.unit_id)
    )
    if unit is not None:
        query = query.where(DepartmentWide.unit_id == unit)
    return {unit: count for unit, count in session.execute(query)}
