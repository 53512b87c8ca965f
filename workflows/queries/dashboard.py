"""The bureau's view of a fiscal year (issue 12, item 1): projects by stage and unit, overdue
work, the grade distribution and the budget cuts, for finance, the performance office and
leadership.

Each figure is one GROUP BY on ``dashboard_tally`` (the projects added up by triggers as they are
written, 0014_dashboard_summary) or on ``human_task`` for the overdue work, through the
visibility rule of :mod:`workflows.policy`, and carries the
:class:`ProjectFilter` that lists the rows behind it on the project list: the figure and
its list are counted by the same condition. No workflow is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from ..store import Project
from . import dashboard_sql as sql
from . import overdue as overdue_work
from .project_filter import NO_GRADE, ProjectFilter

# Grade bands in the order a report reads them (DOMAIN 7: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60).
GRADES = ("优", "良", "中", "差")
# The closed loop's stages in the order a project passes them (server/labels.py names them).
STAGE_ORDER = (
    "created",
    "ex_ante",
    "not_budgeted",
    "targets",
    "budgeted",
    "monitoring",
    "monitoring_report",
    "rectification",
    "evaluation",
    "results",
    "results_applied",
    "closed",
)
CENT = Decimal("0.01")


def _wan(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _wan_pair(tally) -> tuple[int, Decimal]:
    """(count, 万元 to the cent) from a (count, amount) group."""
    return int(tally[0] or 0), _wan(tally[1])


@dataclass(frozen=True)
class Figure:
    """A count of projects (and their amount in 万元) with the filter listing them."""

    key: str
    count: int
    amount: Decimal
    filter: ProjectFilter


@dataclass(frozen=True)
class UnitRow:
    """One budget unit's line in the units table; each number links to its list."""

    unit_id: int
    name: str
    code: str
    projects: Figure
    overdue: Figure
    grades: list[Figure]  # one per GRADES band
    cuts: Figure  # amount = the cut in 万元 (amount × budget_cut_ratio)


@dataclass(frozen=True)
class OfficeRow:
    """One finance business office's line (R-RL-1): its units' projects and overdue work."""

    office_id: int
    name: str
    units: int  # units of the office with projects in scope
    projects: Figure
    overdue: Figure
    overdue_tasks: int


@dataclass
class Dashboard:
    filters: ProjectFilter
    total: Figure
    last_year: Figure | None
    by_stage: list[Figure]
    by_grade: list[Figure]
    overdue: Figure
    overdue_tasks: int
    cuts: Figure  # amount = Σ amount × budget_cut_ratio (万元)
    units: list[UnitRow] = field(default_factory=list)  # the page of the units table shown
    units_count: int = 0  # every unit with projects in scope
    units_page: int = 1
    units_pages: int = 1
    units_sort: str = "code"
    units_descending: bool = False
    # 预算执行率 against 序时进度 (双监控): Σ executed / Σ amount of the projects monitored so far,
    # the latest node's 序时进度, and the projects whose own rate lags their node's 序时进度
    execution_rate: Decimal | None = None
    schedule_progress: Decimal | None = None
    schedule_node: str | None = None  # the monitoring node ("08-31") that 序时进度 is as of
    lagging: Figure | None = None
    # overdue work of the units' department-wide cycles (部门整体支出) of the year, as the year
    # page counts it (queries.overdue): tasks and units; None when no year or a fund type is chosen
    department_wide_overdue: int | None = None
    department_wide_overdue_units: int = 0
    offices: list[OfficeRow] = field(default_factory=list)  # overdue work by office
    recovered: Figure | None = None  # amount = 收回资金 (万元) after false self-evaluations (R-EV-7)
    # the fiscal years the actor has projects in, newest first (the year filter's choices)
    years: list[int] = field(default_factory=list)


def _node_at(session: Session, year: int | None, progress: Decimal) -> str | None:
    """The monitoring node a 序时进度 was reported at: the ``execution_node`` (the project page's
    「截至8月31日」) of a monitored project at that 序时进度; within a year one node has one."""
    query = select(Project.execution_node).where(
        Project.schedule_progress == progress,
        Project.executed_amount.is_not(None),
        Project.execution_node.is_not(None),
    )
    if year is not None:
        query = query.where(Project.fiscal_year == year)
    return session.scalar(query.order_by(Project.fiscal_year.desc()).limit(1))


def years(session: Session, actor: Actor) -> list[int]:
    """The fiscal years the actor has projects in, newest first."""
    tallied = sql.years(session, actor)
    if tallied is not None:
        return tallied
    query = (
        select(Project.fiscal_year)
        .distinct()
        .where(policy.project_clause(actor))
        .order_by(Project.fiscal_year.desc())
    )
    return list(session.scalars(query))


def default_year(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """This (China) year when it has projects, else the newest year that has."""
    this_year = (now or clock.now()).astimezone(clock.CHINA).year
    known = years(session, actor)
    return this_year if this_year in known or not known else known[0]


def _units_of(actor: Actor | None) -> frozenset[int] | None:
    """The units whose projects ``actor`` reads, for the filters; None: every unit (or no actor)."""
    if actor is None or not policy.reads_projects_by_unit(actor):
        return None
    return policy.project_units(actor)


def unit_choices(session: Session, actor: Actor | None = None) -> list[tuple[int, str, str]]:
    """The budget units as (id, code, name) in code order, for the unit filter: every one, or to
    an ``actor`` who reads the projects of some units those units."""
    units = _units_of(actor)
    every = sql.unit_choices(session)
    return every if units is None else [unit for unit in every if unit[0] in units]


def office_choices(session: Session, actor: Actor | None = None) -> list[tuple[int, str]]:
    """The finance business offices as (id, name), for the office filter: every one, or to an
    ``actor`` who reads the projects of some units (a finance reviewer) the offices of those."""
    office_of, offices = sql.offices_of(session)
    units = _units_of(actor)
    if units is None:
        return offices
    theirs = {office_of.get(unit) for unit in units}
    return [(office_id, name) for office_id, name in offices if office_id in theirs]


# the units table's columns it sorts by (by code, names A to Z; figures most first)
UNIT_SORTS = ("code", "name", "projects", "amount", "overdue", "cuts")
UNITS_PER_PAGE = 50


def _money(micro: int) -> Decimal:
    """10⁻⁶ 万元 (as the tally adds up) in 万元 to the cent."""
    return (Decimal(micro) / 1_000_000).quantize(CENT)


def build(
    session: Session,
    actor: Actor,
    filters: ProjectFilter,
    *,
    now: datetime | None = None,
    units_page: int = 1,
    units_per_page: int = UNITS_PER_PAGE,
    units_sort: str = "code",
    units_descending: bool | None = None,
    from_rows: bool = False,
    unit_names: Mapping[int, tuple[str, str]] | None = None,
) -> Dashboard:
    """The dashboard for ``filters`` (year, unit, fund type) as ``actor`` may see it; the units
    table holds page ``units_page`` of its units in ``units_sort`` order (codes and names
    ascending, figures most first, unless ``units_descending`` says otherwise).

    ``unit_names`` (unit → (code, name)) spares reading the units when the caller has them.

    A few grouped reads of ``dashboard_tally`` whatever the number of projects
    (:mod:`dashboard_sql`; ``from_rows`` adds the project rows up instead, as for an actor who
    reads projects by something other than their unit), plus the overdue work, which depends
    on the time and is counted from the open tasks. Python adds up a few rows per unit.
    """
    now = now or clock.now()
    # a figure narrows the page's filters; stage/grade/overdue/cut come from the figure only
    scope = ProjectFilter(
        year=filters.year, unit=filters.unit, office=filters.office, fund_type=filters.fund_type
    )
    figures = sql.source(session, actor, scope, now, from_rows=from_rows)
    unit_office, offices = sql.offices_of(session)

    # unit → (projects, amount, cuts, cut amount); grade → (projects, amount, 双监控 sums …)
    units = {row[0]: row[1:] for row in figures.by_unit()}
    grades = {row[0]: row[1:] for row in figures.by_grade()}
    overdue_by_unit = figures.overdue_by_unit(now)  # unit → (projects, 万元, tasks)
    overdue_tasks = sum(tasks for _, _, tasks in overdue_by_unit.values())
    department_wide_late = None  # the units' yearly cycles have no fund type: shown without one
    if scope.year is not None and scope.fund_type is None:
        department_wide_late = overdue_work.department_wide_by_unit(
            session, actor, scope.year, now, unit=scope.unit
        )
        if scope.office is not None:
            department_wide_late = {
                u: n for u, n in department_wide_late.items() if unit_office.get(u) == scope.office
            }
    total_count = sum(t[0] for t in units.values())
    total_amount = sum(t[1] for t in units.values())
    executed, monitored_amount, lagging_count, lagging_amount = (
        sum(t[i] for t in grades.values()) for i in range(2, 6)
    )

    last_year = None
    if scope.year is not None:
        previous = scope.narrowed(year=scope.year - 1)
        count, amount = figures.totals(previous)
        last_year = Figure("total", count, _money(amount), previous)

    order = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    by_stage = [
        Figure(stage, count, _money(amount), scope.narrowed(stage=stage))
        for stage, count, amount in sorted(figures.by_stage(), key=lambda r: (order.get(r[0], 99), r[0]))
    ]
    by_grade = [
        Figure(
            grade,
            grades.get(grade, (0, 0))[0],
            _money(grades.get(grade, (0, 0))[1]),
            scope.narrowed(grade=grade),
        )
        for grade in GRADES
    ]
    by_grade += [
        Figure(grade, tally[0], _money(tally[1]), scope.narrowed(grade=grade))
        for grade, tally in sorted(grades.items(), key=lambda kv: str(kv[0]))
        if grade is not None and grade not in GRADES
    ]
    if None in grades:
        by_grade.append(
            Figure(NO_GRADE, grades[None][0], _money(grades[None][1]), scope.narrowed(grade=NO_GRADE))
        )

    # the units table is paged (a province has thousands of units): figures only for the page
    known = unit_names if unit_names is not None else sql.unit_names(session, units)
    sort = units_sort if units_sort in UNIT_SORTS else "code"
    descending = (sort not in ("code", "name")) if units_descending is None else units_descending
    sort_key = {
        "code": lambda u: known.get(u, ("", ""))[0],
        "name": lambda u: known.get(u, ("", ""))[1],
        "projects": lambda u: units[u][0],
        "amount": lambda u: units[u][1],
        "overdue": lambda u: overdue_by_unit.get(u, (0,))[0],
        "cuts": lambda u: units[u][3],
    }[sort]
    ordered = sorted(units, key=lambda u: known.get(u, ("", ""))[0])  # ties stay in code order
    ordered.sort(key=sort_key, reverse=descending)
    pages = max(1, -(-len(ordered) // units_per_page))
    page = min(max(1, units_page), pages)
    shown = ordered[(page - 1) * units_per_page : page * units_per_page]
    unit_grades = (
        {(unit, grade): (n, amount) for unit, grade, n, amount in figures.grades_of(shown)} if shown else {}
    )
    rows = []
    for unit_id in shown:
        own = scope.narrowed(unit=unit_id)
        count, amount, cuts, cut = units[unit_id]
        rows.append(
            UnitRow(
                unit_id=unit_id,
                name=known.get(unit_id, ("", ""))[1],
                code=known.get(unit_id, ("", ""))[0],
                projects=Figure("projects", count, _money(amount), own),
                overdue=Figure(
                    "overdue",
                    *_wan_pair(overdue_by_unit.get(unit_id, (0, 0))[:2]),
                    own.narrowed(overdue=True),
                ),
                grades=[
                    Figure(
                        grade,
                        unit_grades.get((unit_id, grade), (0, 0))[0],
                        _money(unit_grades.get((unit_id, grade), (0, 0))[1]),
                        own.narrowed(grade=grade),
                    )
                    for grade in GRADES
                ],
                cuts=Figure("cuts", cuts, _money(cut), own.narrowed(cut=True)),
            )
        )
    overdue = Figure(
        "overdue",
        sum(c for c, _, _ in overdue_by_unit.values()),
        _wan(sum((a for _, a, _ in overdue_by_unit.values()), Decimal(0))),
        scope.narrowed(overdue=True),
    )
    cuts = Figure(
        "cuts",
        sum(t[2] for t in units.values()),
        _money(sum(t[3] for t in units.values())),
        scope.narrowed(cut=True),
    )
    recovered_count, recovered_amount = sql.recoveries(session, actor, scope, now)
    progress = figures.latest_progress() if monitored_amount else None
    execution_rate = None
    if monitored_amount:
        execution_rate = (Decimal(executed) * 100 / Decimal(monitored_amount)).quantize(CENT)
    return Dashboard(
        years=figures.years(),
        department_wide_overdue=None if department_wide_late is None else sum(department_wide_late.values()),
        department_wide_overdue_units=len(department_wide_late or ()),
        execution_rate=execution_rate,
        schedule_progress=None if progress is None else _wan(progress),
        schedule_node=None if progress is None else _node_at(session, scope.year, progress),
        lagging=Figure("lagging", lagging_count, _money(lagging_amount), scope.narrowed(lagging=True)),
        filters=scope,
        total=Figure("total", total_count, _money(total_amount), scope),
        last_year=last_year,
        by_stage=by_stage,
        by_grade=by_grade,
        overdue=overdue,
        overdue_tasks=overdue_tasks,
        cuts=cuts,
        units=rows,
        offices=_office_rows(scope, offices, unit_office, units, overdue_by_unit),
        recovered=Figure(
            "recovered", recovered_count, _wan(recovered_amount), scope.narrowed(recovered=True)
        ),
        units_count=len(ordered),
        units_page=page,
        units_pages=pages,
        units_sort=sort,
        units_descending=descending,
    )


def _office_rows(scope, offices, unit_office, units, overdue_by_unit) -> list[OfficeRow]:
    """The offices whose units have projects in scope, each with its overdue work (a figure
    of the list behind it: ``office=…&overdue=1``)."""
    rows = []
    for office_id, name in offices:
        mine = [u for u in units if unit_office.get(u) == office_id]
        if not mine:
            continue
        own = scope.narrowed(office=office_id)
        late = [overdue_by_unit[u] for u in mine if u in overdue_by_unit]
        rows.append(
            OfficeRow(
                office_id=office_id,
                name=name,
                units=len(mine),
                projects=Figure(
                    "projects", sum(units[u][0] for u in mine), _money(sum(units[u][1] for u in mine)), own
                ),
                overdue=Figure(
                    "overdue",
                    sum(n for n, _, _ in late),
                    _wan(sum((a for _, a, _ in late), Decimal(0))),
                    own.narrowed(overdue=True),
                ),
                overdue_tasks=sum(t for _, _, t in late),
            )
        )
    return rows
