"""The year's selection as screens read it (DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7): the
workbench (in :mod:`workflows.store.selection`), the spot-check sample, the marks a confirmed
selection puts on a project and what it pre-sets on the project's evaluation review.
"""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from .. import quotas as rules
from ..store import AnnualSelection, SelectionItem
from ..store.selection import (
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

__all__ = [
    "Row",
    "Workbench",
    "candidates",
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
