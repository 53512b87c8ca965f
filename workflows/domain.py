"""Small, pure functions BPMN scripts and conditions may call (DESIGN 2, ``domain``).

Thresholds are not here: they live in DMN tables and gateway conditions. These
functions do arithmetic a designer should not have to write in a script.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


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


FUNCTIONS = {"round2": round2, "mean": mean, "total": total}
