"""The dashboard's queries (issue 12, item 1): a handful of grouped aggregates per page, whatever
the number of units or projects, each walking a covering index of ``project``
(0010_dashboard_indexes) so no table row is read and, where the GROUP BY follows the index, no
sort is needed:

* ``ix_project_dashboard`` (year, unit, grade, fund type, amount, cut ratio, execution):
  the units table with its grade columns, the grade chart, the totals, the cuts, execution;
* ``ix_project_year_stage`` (year, stage, unit, fund type, amount): the stage chart;
* ``ix_project_flagged``, the same columns as the first but only the rows cut or monitored (a
  partial index, 0013_dashboard_index): the cuts and 双监控 figures.

The rows are read through the Core connection as plain numbers (the ORM's row handling and a
Decimal per sum cost more than the query at 50,000 projects); sums become Decimals here, per
group, so they add up exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from ..store import BudgetUnit, Project
from ..store.models import FLAGGED_WHERE

# the rows of ``ix_project_flagged``, in the index's own words: SQLite uses a partial index only
# for a query that repeats its condition (a bound parameter for the 0 would not do)
_FLAGGED = text(
    "("
    + re.sub(
        r"\b(budget_cut_ratio|executed_amount|execution_rate|schedule_progress)\b",
        r"project.\1",
        FLAGGED_WHERE,
    )
    + ")"
)


def dec(value) -> Decimal:
    """A sum as a Decimal (SQLite sums in floats, PostgreSQL in numerics)."""
    return Decimal(0) if value is None else Decimal(str(value))


def _rows(session: Session, query):
    return session.connection().execute(query).all()


def by_unit_and_grade(session: Session, where: list) -> list[tuple[int, str | None, int, Decimal]]:
    """(unit, grade, projects, 万元) in unit order: the units table, the grades and the totals."""
    query = (
        select(Project.unit_id, Project.grade, func.count(), func.sum(Project.amount))
        .where(*where)
        .group_by(Project.unit_id, Project.grade)
    )
    return [(unit, grade, count, dec(amount)) for unit, grade, count, amount in _rows(session, query)]


def flagged_by_unit(session: Session, where: list) -> list[tuple]:
    """One pass over the rows flagged for a cut or by monitoring, by unit: (unit, cuts, Σ amount ×
    cut ratio (R-RA-1), Σ executed, Σ amount monitored, latest 序时进度, lagging, Σ amount lagging)
    — the cuts column and 双监控 (R-MN-2); the query walks the partial index
    ``ix_project_flagged``, those rows only (0013_dashboard_index)."""
    cut = Project.budget_cut_ratio > 0
    monitored = Project.executed_amount.is_not(None)
    lagging = Project.execution_rate < Project.schedule_progress
    query = (
        select(
            Project.unit_id,
            func.count(case((cut, 1))),
            func.sum(case((cut, Project.amount * Project.budget_cut_ratio))),
            func.sum(Project.executed_amount),
            func.sum(case((monitored, Project.amount))),
            func.max(case((monitored, Project.schedule_progress))),
            func.count(case((lagging, 1))),
            func.sum(case((lagging, Project.amount))),
        )
        .where(*where, _FLAGGED)
        .group_by(Project.unit_id)
    )
    return [
        (unit, cuts, dec(cut_amount), dec(executed), dec(amount), progress, late, dec(late_amount))
        for unit, cuts, cut_amount, executed, amount, progress, late, late_amount in _rows(session, query)
    ]


def by_stage(session: Session, where: list) -> list[tuple[str, int, Decimal]]:
    query = (
        select(Project.stage, func.count(), func.sum(Project.amount)).where(*where).group_by(Project.stage)
    )
    return [(stage, count, dec(amount)) for stage, count, amount in _rows(session, query)]


def totals(session: Session, where: list) -> tuple[int, Decimal]:
    count, amount = _rows(session, select(func.count(), func.sum(Project.amount)).where(*where))[0]
    return count, dec(amount)


def unit_names(session: Session, ids) -> dict[int, tuple[str, str]]:
    """unit id → (code, name) for the units in the table (every unit when there are many)."""
    query = select(BudgetUnit.id, BudgetUnit.code, BudgetUnit.name)
    if len(ids) <= 1000:
        query = query.where(BudgetUnit.id.in_(sorted(ids)))
    return {unit: (code, name) for unit, code, name in _rows(session, query)}
