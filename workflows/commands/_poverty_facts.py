"""The month's facts behind a unit's poverty-fund evaluation (DOMAIN R-AS-2), from read tables only.

The projects counted are the fiscal year's projects of the fund types the process names
(扶贫/乡村振兴 funds), declared by the month's end and not refused a budget. Each is checked
against the month's rules (DMN ``poverty_fund_rules``, passed in by the process):

- 红灯预警 red light: the latest budget execution rate the unit reported (monitoring, R-MN-2)
  lags 序时进度 at the month's end by more than ``red_light_lag`` percentage points; a project
  with no execution reported yet is not judged;
- 金额填报错误 wrong amounts: executed more than the budget; funding sources (财政拨款 + 其他资金)
  not adding up to the budget; approved targets declared for another amount than the budget;
- 绩效指标填报不规范 badly filled indicators: approved targets (``target_version``, the latest)
  without one of ``required_levels`` (一级指标), or with fewer than ``min_quantified`` indicators
  whose target value is a number compared by ≥, ≤ or =;
- 细散小: the project's amount is below ``small_amount`` 万元.

Each project has at most one item of each kind (its problems of that kind joined in the detail).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, domain
from ..store import BudgetUnit, Project, TargetVersion

KIND_COUNTS = {  # issue kind → the unit's count on the sheet
    "red_light": "red_lights",
    "amount_error": "amount_errors",
    "indicator": "indicator_issues",
    "small": "small_projects",
}
QUANTIFIED_DIRECTIONS = ("≥", "≤", "=")
_CHUNK = 900  # ids per IN (SQLite's parameter limit)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Issue:
    unit_id: int
    project_id: int
    kind: str  # red_light, amount_error, indicator, small
    detail: str


def month_end(year: int, month: int) -> datetime:
    last = calendar.monthrange(year, month)[1]
    return clock.parse_moment(f"{year:04d}-{month:02d}-{last:02d}T23:59:59")


def _wan(value) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


def _shown(value) -> str:
    """20 → "20", 20.5 → "20.5", Decimal("41.37") → "41.37"."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _number(text) -> Decimal | None:
    try:
        return Decimal(str(text).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        return None


def _latest_targets(session: Session, project_ids: list[int]) -> dict[int, Any]:
    """Each project's latest approved targets (``indicators``, ``amount``), columns only."""
    latest: dict[int, Any] = {}
    for start in range(0, len(project_ids), _CHUNK):
        for row in session.execute(
            select(
                TargetVersion.project_id,
                TargetVersion.version,
                TargetVersion.indicators,
                TargetVersion.amount,
            ).where(TargetVersion.project_id.in_(project_ids[start : start + _CHUNK]))
        ):
            if row.project_id not in latest or row.version > latest[row.project_id].version:
                latest[row.project_id] = row
    return latest


def _red_light(rate, progress: Decimal, rules: dict) -> str | None:
    if rate is None:
        return None
    lag = progress - _wan(rate)
    if lag > Decimal(str(rules["red_light_lag"])):
        return f"预算执行率 {_wan(rate)}% 落后序时进度 {progress}%（{lag} 个百分点）"
    return None


def _amount_errors(project, targets) -> list[str]:
    amount = _wan(project.amount)
    found = []
    if project.executed_amount is not None and _wan(project.executed_amount) > amount:
        found.append(f"已执行金额 {_wan(project.executed_amount)} 万元超过预算 {amount} 万元")
    if project.fiscal_funds is not None or project.other_funds is not None:
        sources = _wan(project.fiscal_funds or 0) + _wan(project.other_funds or 0)
        if sources != amount:
            found.append(f"资金来源合计 {sources} 万元与预算 {amount} 万元不一致")
    if targets is not None and _wan(targets.amount) != amount:
        found.append(f"绩效目标申报金额 {_wan(targets.amount)} 万元与预算 {amount} 万元不一致")
    return found


def _indicator_problems(targets, rules: dict) -> list[str]:
    if targets is None:
        return []  # only approved targets are judged
    indicators = [i for i in targets.indicators or [] if isinstance(i, dict)]
    levels = {i.get("level1") for i in indicators}
    found = []
    missing = [level for level in rules["required_levels"] if level not in levels]
    if missing:
        found.append("缺少一级指标：" + "、".join(missing))
    quantified = sum(
        1
        for i in indicators
        if i.get("direction") in QUANTIFIED_DIRECTIONS and _number(i.get("target_value")) is not None
    )
    if quantified < int(rules["min_quantified"]):
        found.append(f"量化指标 {quantified} 个，少于 {int(rules['min_quantified'])} 个")
    return found


def month_facts(session: Session, year: int, month: int, rules: dict) -> tuple[list[dict], list[Issue]]:
    """One row per unit with counted projects (``unit_id``, ``unit_name``, ``projects``,
    ``amount`` and the four counts), by unit code; and the items to feed back."""
    end = month_end(year, month)
    progress = Decimal(str(domain.schedule_progress(year, f"{month:02d}-{end.day:02d}"))).quantize(_CENT)
    projects = session.execute(
        select(
            Project.id,
            Project.unit_id,
            Project.amount,
            Project.executed_amount,
            Project.execution_rate,
            Project.fiscal_funds,
            Project.other_funds,
        )
        .where(
            Project.fiscal_year == year,
            Project.fund_type.in_(list(rules["fund_types"])),
            Project.stage != "not_budgeted",
            Project.created_at <= end,
        )
        .order_by(Project.code)
    ).all()
    targets = _latest_targets(session, [p.id for p in projects])
    issues: list[Issue] = []
    units: dict[int, dict] = {}
    for project in projects:
        unit = units.setdefault(
            project.unit_id, {"projects": 0, "amount": Decimal(0), **dict.fromkeys(KIND_COUNTS.values(), 0)}
        )
        unit["projects"] += 1
        unit["amount"] += _wan(project.amount)
        found = {
            "red_light": [_red_light(project.execution_rate, progress, rules)],
            "amount_error": _amount_errors(project, targets.get(project.id)),
            "indicator": _indicator_problems(targets.get(project.id), rules),
            "small": [
                f"项目金额 {_wan(project.amount)} 万元低于 {_shown(rules['small_amount'])} 万元（细散小）"
                if _wan(project.amount) < Decimal(str(rules["small_amount"]))
                else None
            ],
        }
        for kind, details in found.items():
            details = [d for d in details if d]
            if details:
                unit[KIND_COUNTS[kind]] += 1
                issues.append(Issue(project.unit_id, project.id, kind, "；".join(details)[:500]))
    names = session.execute(select(BudgetUnit.id, BudgetUnit.name).order_by(BudgetUnit.code)).all()
    rows = [
        {"unit_id": uid, "unit_name": name, **units[uid], "amount": float(units[uid]["amount"])}
        for uid, name in names
        if uid in units
    ]
    return rows, issues
