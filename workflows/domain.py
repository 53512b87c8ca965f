"""Small, pure functions BPMN scripts and conditions may call (DESIGN 2, ``domain``).

Thresholds are not here: they live in DMN tables and gateway conditions. These
functions do arithmetic a designer should not have to write in a script.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import clock


def _num(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round2(value) -> float:
    """Round to two decimals, half up (the way score sheets are rounded)."""
    return float(_num(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def mean(values: Iterable) -> float:
    items = [_num(v) for v in values]
    if not items:
        raise ValueError("mean of no values")
    return round2(sum(items) / len(items))


def total(values: Iterable) -> float:
    return round2(sum((_num(v) for v in values), Decimal(0)))


def median(values: Iterable) -> float:
    items = sorted(_num(v) for v in values)
    if not items:
        raise ValueError("median of no values")
    middle = len(items) // 2
    if len(items) % 2:
        return round2(items[middle])
    return round2((items[middle - 1] + items[middle]) / 2)


def trimmed_mean(values: Iterable) -> float:
    """The mean without the single highest and lowest score (expert panels of 3 or more)."""
    items = sorted(_num(v) for v in values)
    if len(items) < 3:
        return mean(items)
    return mean(items[1:-1])


# Ways an expert panel's scores combine; the DMN ``expert_panel`` names one (DOMAIN 3.1).
AGGREGATIONS = {
    "mean": mean,
    "median": median,
    "trimmed_mean": trimmed_mean,
    "min": lambda values: round2(min(_num(v) for v in values)),
    "max": lambda values: round2(max(_num(v) for v in values)),
}


def aggregate(method: str, values: Iterable) -> float:
    """Combine panel scores by the named method (``mean``, ``median``, ``trimmed_mean``, ``min``, ``max``)."""
    try:
        combine = AGGREGATIONS[method]
    except KeyError:
        raise ValueError(f"unknown aggregation {method!r}; use one of {sorted(AGGREGATIONS)}") from None
    items = list(values)
    if not items:
        raise ValueError("no scores to aggregate")
    return combine(items)


def schedule_progress(year, month_day: str) -> float:
    """序时进度: the share of the fiscal year gone by the end of ``month_day`` ("MM-DD"), in percent.

    A project's budget execution rate at a monitoring node is read against it (31 May 2026:
    151 of 365 days, 41.37%)."""
    month, _dash, day = str(month_day).partition("-")
    if not (_dash and month.isdigit() and day.isdigit() and len(month) == len(day) == 2):
        raise ValueError(f"监控节点应为「月-日」（MM-DD），收到 {month_day!r}")
    end = date(int(year), int(month), int(day))
    days_in_year = (date(int(year) + 1, 1, 1) - date(int(year), 1, 1)).days
    return round2(Decimal(end.timetuple().tm_yday * 100) / days_in_year)


def deadline_in_days(days) -> str:
    """The end of the day ``days`` calendar days from today, China time, as a timer date."""
    day = clock.now().astimezone(clock.CHINA).date() + timedelta(days=int(days))
    return f"{day.isoformat()}T23:59:59+08:00"


def end_of_day_after(day, days) -> str:
    """The end of the day ``days`` calendar days after ``day`` ("YYYY-MM-DD"), China time, as a
    timer date: ``end_of_day_after("2027-01-20", 20)`` → ``"2027-02-09T23:59:59+08:00"``."""
    moment = date.fromisoformat(str(day)[:10]) + timedelta(days=int(days))
    return f"{moment.isoformat()}T23:59:59+08:00"


def end_of_month(year, month) -> str:
    """The last moment of a month, China time, as a timer date (February knows leap years)."""
    last = calendar.monthrange(int(year), int(month))[1]
    return f"{int(year):04d}-{int(month):02d}-{last:02d}T23:59:59+08:00"


def first_of_next_month(year, month) -> str:
    """The first moment of the month after ``month``, China time, as a timer date: a month's
    evaluation opens then (DOMAIN R-AS-2: May's ranking on June 1, December's on January 1)."""
    year, month = int(year) + int(month) // 12, int(month) % 12 + 1
    return f"{year:04d}-{month:02d}-01T00:00:00+08:00"


def competition_ranks(totals: list) -> list[int]:
    """Ranks of ``totals`` (higher is better) where ties share a rank and the next is skipped:
    [90, 90, 80] → [1, 1, 3] (DOMAIN R-AS-1: the ranking 通报)."""
    values = [_num(t) for t in totals]
    return [1 + sum(1 for other in values if other > value) for value in values]


def _points(full, lost) -> float:
    return round2(max(Decimal(0), _num(full) - _num(lost)))


def rank_units(units: Iterable, weights: dict) -> list[dict]:
    """Score each unit's assessment row by the DMN's ``weights`` and rank them (R-AS-1).

    Timeliness and quality of targets lose points per late task and per return; rectification
    earns its points in proportion to what was done; self-evaluation accuracy is scored from the
    unit's spot-check verdicts (``spot_checked``/``spot_false``); judgement is added.

    Spot checks sample projects at random (R-EV-7), so a unit nobody checked has no accuracy
    score (``None``, the page says 未抽查) rather than a 0 it never earned. Every unit is still
    ranked (R-AS-1 ranks the departments), on one basis: an unchecked unit's other scored items
    are converted in proportion to their full points (缺项按比例折算: with the DMN's 30/30/20/10,
    its points out of 80 count out of 90), then judgement is added.
    """
    fixed_full = sum(_num(weights[k]) for k in ("timeliness_full", "targets_full", "rectification_full"))
    with_accuracy = fixed_full + _num(weights["accuracy_full"])
    rows = []
    for unit in units:
        done, still_open = int(unit.get("rect_done") or 0), int(unit.get("rect_open") or 0)
        rect_full = _num(weights["rectification_full"])
        rectification = rect_full if done + still_open == 0 else rect_full * done / (done + still_open)
        checked, false = unit.get("spot_checked"), int(unit.get("spot_false") or 0)
        accuracy = _num(weights["accuracy_full"]) * (checked - false) / checked if checked else None
        row = dict(unit)
        row["timeliness"] = _points(
            weights["timeliness_full"], int(unit["late_tasks"]) * _num(weights["late_penalty"])
        )
        row["target_quality"] = _points(
            weights["targets_full"], int(unit["target_returns"]) * _num(weights["return_penalty"])
        )
        row["rectification"] = round2(rectification)
        row["accuracy"] = None if accuracy is None else round2(max(accuracy, 0))
        row["judgement"] = round2(unit.get("judgement") or 0)
        scored = total(row[p] for p in ("timeliness", "target_quality", "rectification"))
        if row["accuracy"] is None and fixed_full:
            scored = round2(_num(scored) * with_accuracy / fixed_full)  # 折算: out of the full points
        else:
            scored = total((scored, row["accuracy"]))
        row["total"] = total((scored, row["judgement"]))
        rows.append(row)
    return ranked(rows)


def ranked(rows: list[dict]) -> list[dict]:
    """``rows`` with their ``rank`` by ``total`` (ties share it, the next is skipped), best first."""
    for row, rank in zip(rows, competition_ranks([r["total"] for r in rows]), strict=True):
        row["rank"] = rank
    return sorted(rows, key=lambda r: (r["rank"], str(r.get("unit_name", ""))))


def bottom_flags(totals: list, count, below) -> list[bool]:
    """Which of ``totals`` are among the ``count`` lowest, ties at the boundary all in: a total is
    flagged when fewer than ``count`` totals are lower than it, it is below ``below`` (a unit with
    nothing to improve is never singled out) and some total is higher (the first-ranked is never
    靠后, however few are ranked) (DOMAIN R-AS-2: 督导 the bottom-ranked units)."""
    values = [_num(t) for t in totals]
    best = max(values, default=None)
    return [
        sum(1 for other in values if other < value) < int(count) and value < _num(below) and value < best
        for value in values
    ]


def rank_by_deductions(units: Iterable, rules: dict) -> list[dict]:
    """Score each unit's row by deduction and rank them (DOMAIN R-AS-2; the rules come from a DMN).

    A unit starts from ``rules["full"]`` and loses ``rules["deductions"][fact]`` points per item of
    each fact (``{"red_lights": 5, ...}``); the office's ``adjustment`` is added; the total stays
    within 0 and full. Ties share a rank; the ``rules["supervise_bottom"]`` lowest units below
    full are flagged for 督导 (``supervise``)."""
    full = _num(rules["full"])
    rows = []
    for unit in units:
        row = dict(unit)
        lost = sum(
            (_num(weight) * int(unit.get(fact) or 0) for fact, weight in rules["deductions"].items()),
            Decimal(0),
        )
        row["deduction"] = round2(lost)
        row["adjustment"] = round2(unit.get("adjustment") or 0)
        row["total"] = round2(min(full, max(Decimal(0), full - lost + _num(row["adjustment"]))))
        rows.append(row)
    flags = bottom_flags([r["total"] for r in rows], rules.get("supervise_bottom") or 0, full)
    for row, flag in zip(rows, flags, strict=True):
        row["supervise"] = flag
    return ranked(rows)


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def number(text) -> float | None:
    """The first number in an indicator value as a person writes it (``"≥1,200户"`` → 1200.0,
    ``"95%"`` → 95.0); None for a value without one (``"明显提升"``, empty)."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float | Decimal):
        return float(text)
    found = _NUMBER.search(str(text)[:200].replace(",", "").replace("，", ""))
    return float(found.group()) if found else None


def falls_short(value, target, direction=None) -> bool:
    """Whether ``value`` misses the indicator's ``target`` read by its 比较方式 (``direction``):
    below it for ``≥`` (and when none is given), above it for ``≤``, different for ``=``.
    A 定性 indicator, or a value or target without a number, is never short by arithmetic."""
    reached, wanted = number(value), number(target)
    if reached is None or wanted is None or direction == "定性":
        return False
    if direction == "≤":
        return reached > wanted
    if direction == "=":
        return reached != wanted
    return reached < wanted


FUNCTIONS = {
    "deadline_in_days": deadline_in_days,
    "schedule_progress": schedule_progress,
    "end_of_day_after": end_of_day_after,
    "end_of_month": end_of_month,
    "round2": round2,
    "mean": mean,
    "total": total,
    "median": median,
    "trimmed_mean": trimmed_mean,
    "aggregate": aggregate,
    "rank_units": rank_units,
    "rank_by_deductions": rank_by_deductions,
    "first_of_next_month": first_of_next_month,
    "number": number,
    "falls_short": falls_short,
}
