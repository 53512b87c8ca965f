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

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, exists, func, select
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
        # the overdue tasks first, then their projects by id: joined in one statement,
        # PostgreSQL hashed every project of the year (50,000 rows) to find the late ones
        late = dict(conn.execute(late_tasks).all())
        query = select(Project.id, Project.unit_id, Project.amount).where(
            Project.id == any_(bindparam("late_ids", list(late), type_=ARRAY(Integer))), *where
        )
        by_unit: dict[int, list] = {}
        for project_id, unit, amount in conn.execute(query).all():
            tally = by_unit.setdefault(unit, [0, Decimal(0), 0])
            tally[0] += 1
            tally[1] += amount
            tally[2] += late[project_id]
        return {unit: (count, amount, tasks) for unit, (count, amount, tasks) in by_unit.items()}
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
