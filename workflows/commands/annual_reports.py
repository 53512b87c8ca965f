"""The year's reports upward (DOMAIN R-RA-4, R-SM-1): start the drafting of one, once per year and kind.

The document itself is generated from the year's data (:mod:`workflows.queries.annual_reports`);
the ``annual_report`` process carries the performance office's narrative and leadership's
approval, and only an approved report is released.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, FormInvalid
from ..policy import Actor
from ..store import Database, ProcessInstance, transaction
from . import instances

Unit = Database | Session

PROCESS = "annual_report"
# kind → the document's name (its title and the list's wording)
KINDS = {
    "evaluation": "预算绩效评价结果报告",  # R-RA-4: to the Party committee, government and congress by 30 September
    "summary": "预算绩效管理工作总结",  # R-SM-1: the level's annual work summary by 30 November
}
WRITERS = frozenset({"performance_office", "admin"})
FIRST_YEAR, LAST_YEAR = 2000, 2099


def business_key(year: int, kind: str) -> str:
    return f"AR{year}-{kind}"


def start_annual_report(uow: Unit, year: int, kind: str, *, actor: Actor) -> int:
    """Start drafting ``kind`` for fiscal ``year``; refused when one is already under way or released."""
    if not (actor.is_admin or actor.roles & WRITERS):
        raise Forbidden("无权编制年度报告")
    errors = {}
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份"]
    if kind not in KINDS:
        errors["kind"] = ["报告类型应为：" + "、".join(KINDS.values())]
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        key = business_key(year, kind)
        existing = session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.business_key == key, ProcessInstance.status.in_(("running", "completed"))
            )
        )
        if existing is not None:
            raise Conflict(f"{year}年度{KINDS[kind]}已在编制或已发布")
        result = instances.start(
            session, PROCESS, actor=actor, business_key=key, data={"fiscal_year": year, "report_kind": kind}
        )
        return result.instance_id
