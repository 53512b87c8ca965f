"""The pure functions BPMN scripts call (workflows/domain.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows import domain


def test_round2_rounds_half_up():
    assert domain.round2(89.665) == 89.67
    assert domain.round2(Decimal("0.125")) == 0.13


def test_total_adds_exactly():
    assert domain.total([0.1, 0.2]) == 0.3
    assert domain.total([]) == 0


def test_mean_of_three_expert_scores():
    assert domain.mean([78, 82, 83.5]) == 81.17


def test_mean_of_nothing_is_refused():
    with pytest.raises(ValueError):
        domain.mean([])


def test_median_odd_and_even():
    assert domain.median([90, 70, 80]) == 80
    assert domain.median([70, 80, 90, 100]) == 85


def test_trimmed_mean_drops_highest_and_lowest():
    assert domain.trimmed_mean([60, 81, 82, 83, 100]) == 82


def test_trimmed_mean_of_two_is_the_mean():
    assert domain.trimmed_mean([80, 90]) == 85


@pytest.mark.parametrize(
    ("method", "expected"),
    [("mean", 80.0), ("median", 79.0), ("trimmed_mean", 79.0), ("min", 70.0), ("max", 91.0)],
)
def test_aggregate_by_named_method(method, expected):
    assert domain.aggregate(method, [70, 79, 91]) == expected


def test_aggregate_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="unknown aggregation"):
        domain.aggregate("mode", [80])


def test_aggregate_refuses_no_scores():
    with pytest.raises(ValueError):
        domain.aggregate("mean", [])


def test_functions_exposed_to_bpmn():
    assert {"round2", "mean", "total", "median", "trimmed_mean", "aggregate"} <= set(domain.FUNCTIONS)


def test_schedule_progress_is_the_share_of_the_year_gone_at_the_node():
    """序时进度 (R-MN-2): 31 May is day 151 of 365 in 2026, day 152 of 366 in 2028."""
    assert domain.schedule_progress(2026, "05-31") == 41.37
    assert domain.schedule_progress(2028, "05-31") == 41.53
    assert domain.schedule_progress(2026, "12-31") == 100.0
    assert domain.schedule_progress(2026, "01-01") == 0.27
