"""The dashboard's queries (issue 12, item 1): a few small grouped reads per page, whatever the
number of projects.

They read ``dashboard_tally`` (0014_dashboard_summary, :mod:`workflows.store.dashboard_tally`):
the year's projects already added up by unit, fund type and grade / stage / 序时进度 by
triggers on ``project``, so a page reads a few rows per unit instead of every project of the
year. An actor who reads projects by something other than their unit (an expert, a third
party: :func:`workflows.policy.project_units_clause` is ``None``) gets the same figures added up
from the project rows themselves (:class:`ProjectRows`), as do the tests that compare the two.

Money comes back as integers of 10⁻⁶ 万元 (``store.dashboard_tally.MICRO``), as the tally holds
it: exact sums, made Decimals only for the figures a page shows.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from .. import policy
from ..policy import Actor
from ..store import BudgetUnit, DashboardTally, FinanceOffice, Project, SpotCheck
from ..store.dashboard_tally import NOT_GRADED
from . import overdue
from .project_filter import ProjectFilter

T = DashboardTally
# money in 10⁻⁶ 万元; a unit: unit, projects, amount, cuts, Σ amount × cut ratio (R-RA-1)
UnitRow = tuple[int, int, int, int, int]
# a grade (None: not graded): projects, amount, Σ executed, Σ amount monitored, lagging, Σ amount
# lagging (双监控, R-MN-2: every project has one grade or none, so the grades hold every project)
GradeRow = tuple["str | None", int, int, int, int, int, int]


def micro(value) -> int:
    """A sum in 万元 (float on SQLite, numeric on PostgreSQL) in 10⁻⁶ 万元."""
    return 0 if value is None else int((Decimal(str(value)) * 1_000_000).to_integral_value())


class _Figures:
    session: Session

    def _read(self, query, values: dict | None = None):
        # Core rows, not ORM ones
        return self.session.connection().execute(query, values).all()


_TAGS = ("unit", "grade", "stage", "progress", "year", "previous")
GRADE_SUMS = (T.n, T.amount, T.executed, T.monitored, T.lagging_n, T.lagging_amount)


def _conditions(dimension: str, units: bool, year: bool, unit: bool, fund_type: bool, *, year_param="year"):
    """The tally rows of a scope, its values bound by name (``units`` expanding)."""
    where = [T.dimension == dimension]
    if units:
        where.append(T.unit_id.in_(bindparam("units", expanding=True)))
    if year:
        where.append(T.fiscal_year == bindparam(year_param))
    if unit:
        where.append(T.unit_id == bindparam("unit"))
    if fund_type:
        where.append(T.fund_type == bindparam("fund_type"))
    return where


@lru_cache(maxsize=32)
def _figures_statement(units: bool, year: bool, unit: bool, fund_type: bool):
    """The page's grouped reads of the tally as the branches of one ``UNION ALL``, each row
    tagged with its branch: (tag, an integer key, a text key, up to six sums). Built once per
    shape of scope (which conditions it has), its values bound at each run: the statement is
    not rebuilt (and its cache key not recomputed) on every page."""
    none_int, none_text = cast(null(), Integer), cast(null(), String)

    def sums(*columns):
        return [func.sum(c) for c in columns] + [cast(null(), BigInteger)] * (6 - len(columns))

    shape = (units, year, unit, fund_type)
    grade = _conditions("grade", *shape)
    branches = [
        select(literal("unit"), T.unit_id, none_text, *sums(T.n, T.amount, T.cut_n, T.cut_amount))
        .where(*grade)
        .group_by(T.unit_id)
        .having(func.sum(T.n) > 0),
        select(literal("grade"), none_int, T.value, *sums(*GRADE_SUMS))
        .where(*grade)
        .group_by(T.value)
        .having(func.sum(T.n) > 0),
        select(literal("stage"), none_int, T.value, *sums(T.n, T.amount))
        .where(*_conditions("stage", *shape))
        .group_by(T.value)
        .having(func.sum(T.n) > 0),
        select(literal("progress"), none_int, func.max(T.value), *sums()).where(
            *_conditions("progress", *shape), T.n > 0
        ),
        # every year of the actor's units, not only the scope's: the year filter's choices
        select(literal("year"), T.fiscal_year, none_text, *sums())
        .where(*_conditions("grade", units, False, False, False))
        .group_by(T.fiscal_year)
        .having(func.sum(T.n) > 0),
    ]
    if year:
        branches.append(
            select(literal("previous"), none_int, none_text, *sums(T.n, T.amount)).where(
                *_conditions("grade", *shape, year_param="previous_year")
            )
        )
    return union_all(*branches)


@lru_cache(maxsize=32)
def _grades_of_statement(units: bool, year: bool, unit: bool, fund_type: bool):
    """The grades of the units on the page (``shown``), per unit."""
    return (
        select(T.unit_id, T.value, func.sum(T.n), func.sum(T.amount))
        .where(
            *_conditions("grade", units, year, unit, fund_type),
            T.unit_id.in_(bindparam("shown", expanding=True)),
        )
        .group_by(T.unit_id, T.value)
    )


class Tally(_Figures):
    """The figures of ``scope`` (year, unit, fund type) from ``dashboard_tally``, of the projects
    of ``units`` (``None``: every unit)."""

    def __init__(self, session: Session, units: frozenset[int] | None, scope: ProjectFilter):
        self.session = session
        self.units = units
        self.scope = scope
        self._figures: dict[str, list] | None = None

    def _previous(self) -> ProjectFilter | None:
        return None if self.scope.year is None else self.scope.narrowed(year=self.scope.year - 1)

    def _shape(self) -> tuple[tuple, dict]:
        """Which conditions the scope has (the key of its statements) and their values."""
        scope = self.scope
        shape = (
            self.units is not None,
            scope.year is not None,
            scope.unit is not None,
            bool(scope.fund_type),
        )
        values = {"year": scope.year, "unit": scope.unit, "fund_type": scope.fund_type}
        if scope.year is not None:
            values["previous_year"] = scope.year - 1
        if self.units is not None:
            values["units"] = sorted(self.units)
        return shape, values

    def _all(self) -> dict[str, list]:
        """The page's figures but the units' grades in one statement (one round trip, not six,
        :func:`_figures_statement`)."""
        if self._figures is None:
            shape, values = self._shape()
            out: dict[str, list] = {tag: [] for tag in _TAGS}
            for tag, key, value, *figures in self._read(_figures_statement(*shape), values):
                out[tag].append((key, value, *figures))
            self._figures = out
        return self._figures

    def _where(self, dimension: str, scope: ProjectFilter | None = None) -> list:
        scope = scope or self.scope
        where = [T.dimension == dimension]
        if self.units is not None:
            where.append(T.unit_id.in_(sorted(self.units)))
        if scope.year is not None:
            where.append(T.fiscal_year == scope.year)
        if scope.unit is not None:
            where.append(T.unit_id == scope.unit)
        if scope.fund_type:
            where.append(T.fund_type == scope.fund_type)
        return where

    def by_unit(self) -> list[UnitRow]:
        return [
            (unit, int(n), int(amount), int(cuts), int(cut))
            for unit, _value, n, amount, cuts, cut, *_ in self._all()["unit"]
        ]

    def by_grade(self) -> list[GradeRow]:
        return [
            (None if grade == NOT_GRADED else grade, *(int(v) for v in values))
            for _key, grade, *values in self._all()["grade"]
        ]

    def grades_of(self, units: list[int]) -> list[tuple[int, str | None, int, int]]:
        shape, values = self._shape()
        rows = self._read(_grades_of_statement(*shape), {**values, "shown": list(units)})
        return [
            (unit, None if grade == NOT_GRADED else grade, int(n), int(amount))
            for unit, grade, n, amount in rows
        ]

    def by_stage(self) -> list[tuple[str, int, int]]:
        return [(stage, int(n), int(amount)) for _key, stage, n, amount, *_ in self._all()["stage"]]

    def totals(self, scope: ProjectFilter) -> tuple[int, int]:
        if scope == self._previous():
            ((_key, _value, n, amount, *_),) = self._all()["previous"]
        else:
            query = select(func.sum(T.n), func.sum(T.amount)).where(*self._where("grade", scope))
            n, amount = self._read(query)[0]
        return int(n or 0), int(amount or 0)

    def latest_progress(self) -> Decimal | None:
        """The latest 序时进度 any monitored project of the scope reported (R-MN-2)."""
        ((_key, value, *_),) = self._all()["progress"]
        return None if value is None else Decimal(value)

    def years(self) -> list[int]:
        """The fiscal years with projects of the actor's units, newest first (not only the
        scope's: the year filter lists them all)."""
        return sorted((year for year, *_ in self._all()["year"]), reverse=True)

    def overdue_by_unit(self, now) -> dict[int, tuple[int, Decimal, int]]:
        """The projects with overdue work by unit (:func:`overdue.projects_by_unit`). Depends on
        the time, so counted from the open tasks; the units are kept here, not in SQL: with a
        list of units SQLite probed each project once per unit (17 ms for 25 units)."""
        where = self.scope.conditions(now)
        if self.units is not None and len(self.units) == 1 and self.scope.unit is None:
            where.append(Project.unit_id == next(iter(self.units)))
        late = overdue.projects_by_unit(self.session, where, now)
        if self.units is None:
            return late
        return {unit: figures for unit, figures in late.items() if unit in self.units}


class ProjectRows(_Figures):
    """The same figures added up from the ``project`` rows the actor may read (any actor)."""

    def __init__(self, session: Session, actor: Actor, scope: ProjectFilter, now):
        self.session = session
        self.actor = actor
        self.scope = scope
        self.now = now

    def _where(self, scope: ProjectFilter | None = None) -> list:
        return [policy.project_clause(self.actor), *(scope or self.scope).conditions(self.now)]

    def by_unit(self) -> list[UnitRow]:
        cut = Project.budget_cut_ratio > 0
        query = (
            select(
                Project.unit_id,
                func.count(),
                func.sum(Project.amount),
                func.count(case((cut, 1))),
                func.sum(case((cut, Project.amount * Project.budget_cut_ratio))),
            )
            .where(*self._where())
            .group_by(Project.unit_id)
        )
        return [
            (unit, n, micro(amount), cuts, micro(cut)) for unit, n, amount, cuts, cut in self._read(query)
        ]

    def by_grade(self) -> list[GradeRow]:
        monitored = Project.executed_amount.is_not(None)
        lagging = Project.execution_rate < Project.schedule_progress
        query = (
            select(
                Project.grade,
                func.count(),
                func.sum(Project.amount),
                func.sum(Project.executed_amount),
                func.sum(case((monitored, Project.amount))),
                func.count(case((lagging, 1))),
                func.sum(case((lagging, Project.amount))),
            )
            .where(*self._where())
            .group_by(Project.grade)
        )
        return [
            (grade, n, micro(amount), micro(executed), micro(watched), late, micro(late_amount))
            for grade, n, amount, executed, watched, late, late_amount in self._read(query)
        ]

    def grades_of(self, units: list[int]) -> list[tuple[int, str | None, int, int]]:
        query = (
            select(Project.unit_id, Project.grade, func.count(), func.sum(Project.amount))
            .where(*self._where(), Project.unit_id.in_(units))
            .group_by(Project.unit_id, Project.grade)
        )
        return [(unit, grade, n, micro(amount)) for unit, grade, n, amount in self._read(query)]

    def by_stage(self) -> list[tuple[str, int, int]]:
        query = (
            select(Project.stage, func.count(), func.sum(Project.amount))
            .where(*self._where())
            .group_by(Project.stage)
        )
        return [(stage, n, micro(amount)) for stage, n, amount in self._read(query)]

    def totals(self, scope: ProjectFilter) -> tuple[int, int]:
        n, amount = self._read(select(func.count(), func.sum(Project.amount)).where(*self._where(scope)))[0]
        return n, micro(amount)

    def latest_progress(self) -> Decimal | None:
        query = select(func.max(Project.schedule_progress)).where(
            *self._where(), Project.executed_amount.is_not(None)
        )
        value = self._read(query)[0][0]
        return None if value is None else Decimal(str(value))

    def overdue_by_unit(self, now) -> dict[int, tuple[int, Decimal, int]]:
        return overdue.projects_by_unit(self.session, self._where(), now)

    def years(self) -> list[int]:
        query = (
            select(Project.fiscal_year)
            .distinct()
            .where(policy.project_clause(self.actor))
            .order_by(Project.fiscal_year.desc())
        )
        return [year for (year,) in self._read(query)]


def source(session: Session, actor: Actor, scope: ProjectFilter, now, *, from_rows: bool = False):
    """Where the figures of ``scope`` come from for ``actor``: the tally when what they read is
    a set of units, else (or with ``from_rows``) the project rows."""
    if from_rows or not policy.reads_projects_by_unit(actor):
        return ProjectRows(session, actor, scope, now)
    units = policy.project_units(actor)
    if scope.office is not None:  # the office's units, of those the actor may read
        office = office_units(session, scope.office)
        units = office if units is None else units & office
    return Tally(session, units, scope)


def office_units(session: Session, office: int) -> frozenset[int]:
    """The budget units a finance business office reviews (R-RL-1)."""
    query = select(BudgetUnit.id).where(BudgetUnit.office_id == office)
    return frozenset(session.connection().execute(query).scalars())


def offices_of(session: Session) -> tuple[dict[int, int], list[tuple[int, str]]]:
    """unit → its office, and every office as (id, name) in name order (the office filter and
    the overdue work by office)."""
    units = dict(session.connection().execute(select(BudgetUnit.id, BudgetUnit.office_id)).all())
    offices = session.connection().execute(
        select(FinanceOffice.id, FinanceOffice.name).order_by(FinanceOffice.id)
    )
    return units, [tuple(row) for row in offices]


def years(session: Session, actor: Actor) -> list[int] | None:
    """The fiscal years with projects ``actor`` may read, newest first, from the tally; ``None``
    for an actor who does not read projects by unit."""
    if not policy.reads_projects_by_unit(actor):
        return None
    units = policy.project_units(actor)
    query = select(T.fiscal_year).where(T.dimension == "grade")
    if units is not None:
        query = query.where(T.unit_id.in_(sorted(units)))
    query = query.group_by(T.fiscal_year).having(func.sum(T.n) > 0).order_by(T.fiscal_year.desc())
    return [year for (year,) in session.connection().execute(query)]


def unit_names(session: Session, ids) -> dict[int, tuple[str, str]]:
    """unit id → (code, name) for the units in the table (every unit when there are many)."""
    query = select(BudgetUnit.id, BudgetUnit.code, BudgetUnit.name)
    if len(ids) <= 1000:
        query = query.where(BudgetUnit.id.in_(sorted(ids)))
    return {unit: (code, name) for unit, code, name in session.connection().execute(query)}


def unit_choices(session: Session) -> list[tuple[int, str, str]]:
    query = select(BudgetUnit.id, BudgetUnit.code, BudgetUnit.name).order_by(BudgetUnit.code)
    return [tuple(row) for row in session.connection().execute(query)]


def recoveries(session: Session, actor: Actor, scope: ProjectFilter, now) -> tuple[int, Decimal]:
    """收回资金 (R-EV-7): the projects in ``scope`` whose spot check found the self-evaluation
    false and recovered funds, and the 万元 recovered (a few rows a year: read directly)."""
    query = (
        select(func.count(func.distinct(SpotCheck.project_id)), func.sum(SpotCheck.recovery_wan))
        .join(Project, Project.id == SpotCheck.project_id)
        .where(SpotCheck.recovery_wan > 0, policy.project_clause(actor), *scope.conditions(now))
    )
    count, amount = session.connection().execute(query).one()
    return int(count or 0), Decimal(str(amount or 0))
