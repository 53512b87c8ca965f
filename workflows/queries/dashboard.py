"""The bureau's view of a fiscal year (issue 12, item 1): projects by stage and unit, overdue
work, the grade distribution and the budget cuts, for finance, the performance office and
leadership.

Each figure is one GROUP BY on the indexed read tables (``project``, ``human_task``,
``budget_unit``), always through :func:`workflows.policy.project_clause`, and carries the
:class:`ProjectFilter` that lists the rows behind it on the project list: the figure and
its list are counted by the same condition. No workflow is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, case, distinct, func, select
from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from ..store import BudgetUnit, HumanTask, Project
from .project_filter import NO_GRADE, ProjectFilter, overdue_clause

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
_money = Numeric(18, 4)


def _wan(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


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
    projects: Figure
    overdue: Figure
    grades: list[Figure]  # one per GRADES band
    cuts: Figure  # amount = the cut in 万元 (amount × budget_cut_ratio)


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
    # 预算执行率 against 序时进度 (双监控): Σ executed / Σ amount of the projects monitored so far,
    # the latest node's 序时进度, and the projects whose own rate lags their node's 序时进度
    execution_rate: Decimal | None = None
    schedule_progress: Decimal | None = None
    lagging: Figure | None = None


def _base(actor: Actor, filters: ProjectFilter, now: datetime) -> list:
    return [policy.project_clause(actor), *filters.conditions(now)]


def years(session: Session, actor: Actor) -> list[int]:
    """The fiscal years the actor has projects in, newest first."""
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


def _totals(session: Session, where: list, filters: ProjectFilter) -> Figure:
    count, amount = session.execute(
        select(func.count(Project.id), func.sum(Project.amount, type_=_money)).where(*where)
    ).one()
    return Figure("total", count, _wan(amount), filters)


def _grouped(session: Session, column, where: list) -> dict:
    rows = session.execute(
        select(column, func.count(Project.id), func.sum(Project.amount, type_=_money))
        .where(*where)
        .group_by(column)
    )
    return {key: (count, _wan(amount)) for key, count, amount in rows}


def _overdue_by_unit(session: Session, where: list, now: datetime) -> tuple[dict, int]:
    """Projects with open work past due, by unit; and the overdue tasks themselves."""
    rows = session.execute(
        select(
            Project.unit_id,
            func.count(distinct(Project.id)),
            func.count(HumanTask.id),
        )
        .join(HumanTask, HumanTask.project_id == Project.id)
        .where(*where, HumanTask.status == "open", HumanTask.due_at < now)
        .group_by(Project.unit_id)
    ).all()
    by_unit = {unit_id: projects for unit_id, projects, _ in rows}
    return by_unit, sum(tasks for *_, tasks in rows)


def _overdue_amounts(session: Session, where: list, now: datetime) -> dict:
    return _grouped(session, Project.unit_id, [*where, overdue_clause(now)])


UNIT_SORTS = ("code", "overdue", "amount", "cuts")  # the units table: by code, or most first
UNITS_PER_PAGE = 50


def build(
    session: Session,
    actor: Actor,
    filters: ProjectFilter,
    *,
    now: datetime | None = None,
    units_page: int = 1,
    units_per_page: int = UNITS_PER_PAGE,
    units_sort: str = "code",
) -> Dashboard:
    """The dashboard for ``filters`` (year, unit, fund type) as ``actor`` may see it; the units
    table holds page ``units_page`` of its units in ``units_sort`` order."""
    now = now or clock.now()
    # a figure narrows the page's filters; stage/grade/overdue/cut come from the figure only
    scope = ProjectFilter(year=filters.year, unit=filters.unit, fund_type=filters.fund_type)
    where = _base(actor, scope, now)

    total = _totals(session, where, scope)
    last_year = None
    if scope.year is not None:
        previous = scope.narrowed(year=scope.year - 1)
        last_year = _totals(session, _base(actor, previous, now), previous)

    stages = _grouped(session, Project.stage, where)
    order = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    by_stage = [
        Figure(stage, count, amount, scope.narrowed(stage=stage))
        for stage, (count, amount) in sorted(stages.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    ]

    grades = _grouped(session, Project.grade, where)
    by_grade = [
        Figure(grade, *grades.get(grade, (0, _wan(0))), scope.narrowed(grade=grade)) for grade in GRADES
    ]
    by_grade += [
        Figure(grade, count, amount, scope.narrowed(grade=grade))
        for grade, (count, amount) in sorted(grades.items(), key=lambda kv: str(kv[0]))
        if grade is not None and grade not in GRADES
    ]
    if None in grades:
        by_grade.append(Figure(NO_GRADE, *grades[None], scope.narrowed(grade=NO_GRADE)))

    overdue_projects, overdue_tasks = _overdue_by_unit(session, where, now)
    overdue_amounts = _overdue_amounts(session, where, now)

    cut_amount = func.sum(
        case((Project.budget_cut_ratio > 0, Project.amount * Project.budget_cut_ratio), else_=0),
        type_=_money,
    )
    grade_columns = [
        column
        for grade in GRADES
        for column in (
            func.sum(case((Project.grade == grade, 1), else_=0)),
            func.sum(case((Project.grade == grade, Project.amount), else_=0), type_=_money),
        )
    ]
    unit_rows = session.execute(
        select(
            Project.unit_id,
            BudgetUnit.name,
            func.count(Project.id),
            func.sum(Project.amount, type_=_money),
            func.sum(case((Project.budget_cut_ratio > 0, 1), else_=0)),
            cut_amount,
            *grade_columns,
        )
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(*where)
        .group_by(Project.unit_id, BudgetUnit.name, BudgetUnit.code)
        .order_by(BudgetUnit.code)
    ).all()
    cut_total = (sum(int(r[4] or 0) for r in unit_rows), sum((_wan(r[5]) for r in unit_rows), Decimal(0)))
    # the units table is paged (a province has thousands of units): figures only for the page
    if units_sort in UNIT_SORTS and units_sort != "code":
        key = {
            "overdue": lambda r: -overdue_projects.get(r[0], 0),
            "amount": lambda r: -(r[3] or 0),
            "cuts": lambda r: -(r[5] or 0),
        }[units_sort]
        unit_rows = sorted(unit_rows, key=key)  # stable: ties stay in code order
    pages = max(1, -(-len(unit_rows) // units_per_page))
    page = min(max(1, units_page), pages)
    shown = unit_rows[(page - 1) * units_per_page : page * units_per_page]
    units = []
    for unit_id, name, count, amount, cut_count, cuts, *per_grade in shown:
        own = scope.narrowed(unit=unit_id)
        late_count = overdue_projects.get(unit_id, 0)
        late_amount = overdue_amounts.get(unit_id, (0, _wan(0)))[1]
        units.append(
            UnitRow(
                unit_id=unit_id,
                name=name,
                projects=Figure("projects", count, _wan(amount), own),
                overdue=Figure("overdue", late_count, late_amount, own.narrowed(overdue=True)),
                grades=[
                    Figure(
                        grade,
                        int(per_grade[2 * i] or 0),
                        _wan(per_grade[2 * i + 1]),
                        own.narrowed(grade=grade),
                    )
                    for i, grade in enumerate(GRADES)
                ],
                cuts=Figure("cuts", int(cut_count or 0), _wan(cuts), own.narrowed(cut=True)),
            )
        )
    overdue = Figure(
        "overdue",
        sum(overdue_projects.values()),
        _wan(sum((a for _, a in overdue_amounts.values()), Decimal(0))),
        scope.narrowed(overdue=True),
    )
    cuts = Figure("cuts", cut_total[0], _wan(cut_total[1]), scope.narrowed(cut=True))
    executed, monitored_amount, progress = session.execute(
        select(
            func.sum(Project.executed_amount, type_=_money),
            func.sum(Project.amount, type_=_money),
            func.max(Project.schedule_progress),
        ).where(*where, Project.executed_amount.is_not(None))
    ).one()
    lagging_count, lagging_amount = session.execute(
        select(func.count(Project.id), func.sum(Project.amount, type_=_money)).where(
            *where, Project.execution_rate < Project.schedule_progress
        )
    ).one()
    execution_rate = None
    if monitored_amount:
        execution_rate = (Decimal(str(executed)) * 100 / Decimal(str(monitored_amount))).quantize(CENT)
    return Dashboard(
        execution_rate=execution_rate,
        schedule_progress=None if progress is None else _wan(progress),
        lagging=Figure("lagging", lagging_count, _wan(lagging_amount), scope.narrowed(lagging=True)),
        filters=scope,
        total=total,
        last_year=last_year,
        by_stage=by_stage,
        by_grade=by_grade,
        overdue=overdue,
        overdue_tasks=overdue_tasks,
        cuts=cuts,
        units=units,
        units_count=len(unit_rows),
        units_page=page,
        units_pages=pages,
        units_sort=units_sort if units_sort in UNIT_SORTS else "code",
    )
