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


# --- R-AS-2: the monthly poverty-fund ranking ---------------------------------------------


def test_R_AS_2_a_month_opens_on_the_first_of_the_next():
    assert domain.first_of_next_month(2027, 5) == "2027-06-01T00:00:00+08:00"
    assert domain.first_of_next_month(2027, 12) == "2028-01-01T00:00:00+08:00"


def test_R_AS_2_the_bottom_units_with_ties_at_the_boundary_all_in():
    assert domain.bottom_flags([100, 90, 80, 80, 70], 2, 100) == [False, False, True, True, True]
    assert domain.bottom_flags([100, 100, 100], 2, 100) == [False, False, False]  # nothing to improve
    assert domain.bottom_flags([95, 90], 0, 100) == [False, False]
    assert domain.bottom_flags([99, 93], 2, 100) == [False, True]  # two ranked: never the first
    assert domain.bottom_flags([90, 90], 2, 100) == [False, False]


def test_R_AS_2_rank_by_deductions_within_zero_and_full():
    rules = {"full": 100, "deductions": {"red_lights": 5, "small_projects": 2}, "supervise_bottom": 1}
    rows = domain.rank_by_deductions(
        [
            {"unit_name": "甲", "red_lights": 1, "small_projects": 0},
            {"unit_name": "乙", "red_lights": 0, "small_projects": 3, "adjustment": 1},
            {"unit_name": "丙", "red_lights": 30, "small_projects": 0},
            {"unit_name": "丁", "red_lights": 0, "small_projects": 0, "adjustment": 5},
        ],
        rules,
    )
    assert [(r["unit_name"], r["total"], r["rank"], r["supervise"]) for r in rows] == [
        ("丁", 100.0, 1, False),  # capped at full
        ("乙", 95.0, 2, False),  # 100 − 6 + 1: tied (ties in the order of the names)
        ("甲", 95.0, 2, False),
        ("丙", 0.0, 4, True),  # never below 0
    ]
    assert rows[1]["deduction"] == 6.0 and rows[3]["deduction"] == 150.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("95", 95.0),
        ("≥1,200户", 1200.0),
        ("98.5%", 98.5),
        (90, 90.0),
        ("明显提升", None),
        ("", None),
        (None, None),
    ],
)
def test_number_reads_the_first_number_of_an_indicator_value(text, expected):
    assert domain.number(text) == expected


@pytest.mark.parametrize(
    ("value", "target", "direction", "short"),
    [
        ("80%", "100", "≥", True),
        ("100%", "95", "≥", False),
        ("80", "100", None, True),  # no 比较方式 given: more is better
        ("380万元", "362", "≤", True),  # a cost above its ceiling
        ("350", "362", "≤", False),
        ("98%", "100", "=", True),
        ("100%", "100", "=", False),
        ("有所下降", "明显提升", "定性", False),  # qualitative: judged by the likelihood, not arithmetic
        ("可完成", "100", "≥", False),
        ("20", "30", "定性", False),
    ],
)
def test_falls_short_reads_the_target_by_its_comparison(value, target, direction, short):
    assert domain.falls_short(value, target, direction) is short
