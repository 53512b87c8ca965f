"""The year's selection as screens read it (DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7): the
workbench (in :mod:`workflows.store.selection`), the spot-check sample, the marks a confirmed
selection puts on a project and what it pre-sets on the project's evaluation review.
"""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from .. import quotas as rules
from ..store import AnnualSelection, BudgetUnit, Project, SelectionItem
from ..store.selection import (
    CLOSED_STAGES,
    Row,
    Workbench,
    candidates,
    check_rows,
    chosen,
    key_monitoring_clause,
    quotas_of,
    selection_of,
    spot_check_sample,
    third_party_funds,
    units_of,
    workbench,
    years,
)
from .paging import Order, Page, Sorts, count

__all__ = [
    "Row",
    "Workbench",
    "candidates",
    "candidates_page",
    "check_rows",
    "chosen",
    "key_monitoring_clause",
    "marks_of",
    "presets_for",
    "quotas_of",
    "selection_of",
    "spot_check_sample",
    "third_party_funds",
    "units_of",
    "workbench",
    "years",
]
# what a category pre-sets on the project's evaluation review (forms/evaluation_review.json)
PRESETS = {rules.THIRD_PARTY: "ev_select_third_party", rules.EXPERT_REVIEW: "ev_needs_experts"}


def marks_of(session: Session, project_id: int | None) -> list[str]:
    """The categories a confirmed selection chose the project in (标记 on its pages)."""
    if project_id is None:
        return []
    found = session.scalars(
        select(SelectionItem.category)
        .join(
            AnnualSelection,
            and_(
                AnnualSelection.fiscal_year == SelectionItem.fiscal_year,
                AnnualSelection.status == "confirmed",
            ),
        )
        .where(SelectionItem.project_id == project_id)
    )
    present = set(found)
    return [c for c in rules.CATEGORIES if c in present]


def presets_for(session: Session, project_id: int | None) -> dict:
    """Form values the confirmed selection pre-sets on the project's evaluation review (R-EV-3, R-EV-4)."""
    return {PRESETS[c]: True for c in marks_of(session, project_id) if c in PRESETS}


def year_of_instance(session: Session, instance_id: int | None) -> int | None:
    """The fiscal year whose selection an ``annual_selection`` instance runs (its task opens the workbench)."""
    if instance_id is None:
        return None
    return session.scalar(
        select(AnnualSelection.fiscal_year).where(AnnualSelection.instance_id == instance_id)
    )


# --- the workbench's candidates, a page at a time (issue 12, item 7) ----------------------


def _priority_terms(year: int) -> tuple:
    """R-EV-2's order (``quotas.priority``) in SQL: key projects never evaluated first, then
    one-off projects, then larger amounts."""
    earlier = aliased(Project)
    evaluated_before = exists(
        select(SelectionItem.id)
        .join(earlier, earlier.id == SelectionItem.project_id)
        .where(
            SelectionItem.category == rules.DEPT_EVAL,
            SelectionItem.fiscal_year < year,
            earlier.unit_id == Project.unit_id,
            earlier.name == Project.name,
        )
    )
    key_first = case((and_(Project.is_major.is_(True), ~evaluated_before), 0), else_=1)
    year_text = str(year)
    one_off = and_(
        Project.is_new.is_(True),
        func.coalesce(func.substr(Project.period_start, 1, 4), year_text) == year_text,
        func.coalesce(func.substr(Project.period_end, 1, 4), year_text) == year_text,
    )
    return key_first, case((one_off, 0), else_=1), -Project.amount


def candidate_sorts(year: int) -> Sorts:
    """The workbench's sortable columns; each sorts within a unit (the page groups by unit)."""
    return Sorts(
        {
            "priority": _priority_terms(year),
            "code": Project.code,
            "name": Project.name,
            "amount": Project.amount,
            "stage": Project.stage,
            "new": Project.is_new,
        },
        default=Order("priority"),
        tiebreak=(Project.id,),
    )


def candidates_page(
    session: Session, year: int, unit_id: int | None, order: Order, *, page: int = 1, per_page: int = 50
) -> Page:
    """A page of the year's candidates (project ids), unit by unit, each unit's in ``order``."""
    sorts = candidate_sorts(year)
    query = (
        select(Project.id)
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(Project.fiscal_year == year, Project.stage.not_in(CLOSED_STAGES))
    )
    if unit_id is not None:
        query = query.where(Project.unit_id == unit_id)
    total = count(session, query)
    per_page = max(1, min(200, per_page))
    page = min(max(1, page), max(1, -(-total // per_page)))
    order = sorts.resolve(order.key, order.descending)
    statement = (
        query.order_by(BudgetUnit.name, Project.unit_id, *sorts.order_by(order))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(session.scalars(statement)), total, page, per_page, order)
