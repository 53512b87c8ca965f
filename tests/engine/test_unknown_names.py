"""Lint refuses a name an expression reads that nothing in the bundle sets (a typo the sandbox
cannot see): the condition or decision-table cell would fail in every instance reaching it."""

from __future__ import annotations

from pathlib import Path

import pytest

import workflows.commands  # noqa: F401 - registers the start data the commands put in
from workflows.engine import names, specs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real():
    return specs.load_bundle(ROOT / "bpmn", ROOT / "forms")


def test_the_real_bundle_reads_only_names_something_sets(real):
    assert specs.lint(real) == []


def test_a_misspelt_condition_is_pinned_on_its_gateway_with_the_name_meant(real):
    files = dict(real)
    files["ex_ante_assessment.bpmn"] = real["ex_ante_assessment.bpmn"].replace(
        "ea_head_opinion == ", "ea_head_opinon == ", 1
    )
    [error] = specs.lint(files)
    assert (error.file, error.element) == ("ex_ante_assessment.bpmn", "gw_ea_head")
    assert "ea_head_opinon" in error.message and "是否应为 ea_head_opinion" in error.message


def test_a_decision_cell_naming_no_data_is_refused(real):
    files = dict(real)
    files["ex_ante_decision.dmn"] = real["ex_ante_decision.dmn"].replace("&gt;= 80", "&gt;= 八十五", 1)
    [error] = specs.lint(files)
    assert (error.file, error.element) == ("ex_ante_decision.dmn", "In_ex_ante_decision_2_2")
    assert "八十五" in error.message


def test_a_script_may_read_what_it_assigns_and_the_sandbox_functions(real):
    files = dict(real)
    text = real["ex_ante_assessment.bpmn"]
    assert "<bpmn:script>" in text
    files["ex_ante_assessment.bpmn"] = text.replace(
        "<bpmn:script>", "<bpmn:script>tmp_total = round(sum([1, 2]))\ntmp_copy = tmp_total\n", 1
    )
    assert specs.lint(files) == []


def test_a_process_the_commands_do_not_start_is_not_judged():
    assert "review" not in names.CHECKED
    review = specs.load_bundle(ROOT / "tests/server/fixtures/review")
    review["review.bpmn"] = review["review.bpmn"].replace(
        'decision == "approve"', "decision == approve_value"
    )
    assert specs.lint(review) == []
