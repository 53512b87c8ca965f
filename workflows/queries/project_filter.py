"""The filters of the project list, shared by the list, the dashboard and the exports.

A dashboard figure carries the :class:`ProjectFilter` that lists the rows behind it, so the
figure and the list it links to are counted by the same SQL condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote_plus

from sqlalchemy import select

from ..store import FUND_TYPES, BudgetUnit, Project, SpotCheck
from ..store.selection import key_monitoring_clause
from . import overdue

NO_GRADE = "none"  # the grade filter for projects not graded yet (未评价)
__all__ = ["FUND_TYPES", "NO_GRADE", "ProjectFilter"]
_TRUE = ("1", "true", "on", "yes")


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _text(value, limit: int = 40) -> str | None:
    text = str(value or "").strip()[:limit]
    return text or None


@dataclass(frozen=True)
class ProjectFilter:
    """Which projects a list or a figure covers; ``None`` means any."""

    year: int | None = None
    unit: int | None = None
    office: int | None = None  # the finance business office reviewing the unit (R-RL-1)
    fund_type: str | None = None
    stage: str | None = None
    grade: str | None = None  # 优/良/中/差, or NO_GRADE
    overdue: bool = False  # has an open task past its due time
    cut: bool = False  # next year's budget cut for the result (R-RA-1: 调减)
    lagging: bool = False  # budget execution below 序时进度 at the latest monitoring node
    key_monitoring: bool = False  # under finance's key monitoring (R-MN-7: 重点监控)
    recovered: bool = False  # funds recovered after a false self-evaluation (R-EV-7: 收回资金)
    q: str | None = None

    @classmethod
    def from_args(cls, args: Mapping) -> ProjectFilter:
        """From a query string (``year=2026&unit=3&stage=monitoring&grade=良&overdue=1``)."""
        fund_type = _text(args.get("fund_type"))
        return cls(
            year=_int(args.get("year")),
            unit=_int(args.get("unit")),
            office=_int(args.get("office")),
            fund_type=fund_type if fund_type in FUND_TYPES else None,
            stage=_text(args.get("stage")),
            grade=_text(args.get("grade"), 10),
            overdue=str(args.get("overdue") or "").lower() in _TRUE,
            cut=str(args.get("cut") or "").lower() in _TRUE,
            lagging=str(args.get("lagging") or "").lower() in _TRUE,
            key_monitoring=str(args.get("key_monitoring") or "").lower() in _TRUE,
            recovered=str(args.get("recovered") or "").lower() in _TRUE,
            q=_text(args.get("q"), 100),
        )

    def narrowed(self, **changes) -> ProjectFilter:
        """A copy with ``changes``; copied field by field, not by ``dataclasses.replace``,
        which re-runs ``__init__`` (a dashboard page narrows some 400 filters)."""
        if not changes.keys() <= _FIELD_SET:
            return replace(self, **changes)  # raises TypeError for the unknown field
        copy = object.__new__(ProjectFilter)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def as_args(self) -> dict:
        """The query-string form, without the empty parts (for ``url_for``)."""
        # getattr, not asdict: a dashboard builds thousands of these per page (one per figure)
        args = {f.name: getattr(self, f.name) for f in fields(self)}
        args = {k: v for k, v in args.items() if v not in (None, False, "")}
        args.update({flag: 1 for flag in _FLAGS if args.get(flag)})
        return args

    def query_string(self) -> str:
        """:meth:`as_args` encoded (``year=2026&unit=3&grade=%E8%89%AF``), quoting only the text
        values: a dashboard page builds hundreds of these."""
        parts = []
        for name in _FIELDS:
            value = getattr(self, name)
            if value is None or value is False or value == "":
                continue
            if value is True:
                value = 1
            parts.append(f"{name}={_quoted(value) if isinstance(value, str) else value}")
        return "&".join(parts)

    def conditions(self, now: datetime) -> list:
        """The filter as SQL conditions on ``project``."""
        terms = []
        if self.year is not None:
            terms.append(Project.fiscal_year == self.year)
        if self.unit is not None:
            terms.append(Project.unit_id == self.unit)
        if self.office is not None:
            terms.append(
                Project.unit_id.in_(select(BudgetUnit.id).where(BudgetUnit.office_id == self.office))
            )
        if self.fund_type:
            terms.append(Project.fund_type == self.fund_type)
        if self.stage:
            terms.append(Project.stage == self.stage)
        if self.grade == NO_GRADE:
            terms.append(Project.grade.is_(None))
        elif self.grade:
            terms.append(Project.grade == self.grade)
        if self.overdue:
            terms.append(overdue.project_is_overdue(now))
        if self.cut:
            terms.append(Project.budget_cut_ratio > 0)
        if self.lagging:
            terms.append(Project.execution_rate < Project.schedule_progress)
        if self.key_monitoring:
            terms.append(key_monitoring_clause())
        if self.recovered:
            terms.append(Project.id.in_(select(SpotCheck.project_id).where(SpotCheck.recovery_wan > 0)))
        if self.q:
            terms.append(
                Project.name.contains(self.q, autoescape=True)
                | Project.code.contains(self.q, autoescape=True)
            )
        return terms


_FIELDS = tuple(f.name for f in fields(ProjectFilter))
_FLAGS = ("overdue", "cut", "lagging", "key_monitoring", "recovered")
_FIELD_SET = frozenset(_FIELDS)


@lru_cache(maxsize=1024)
def _quoted(value: str) -> str:
    """A filter's text value in a query string (the same few grades, stages and fund types
    on every figure of a page)."""
    return quote_plus(value)
