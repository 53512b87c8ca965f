"""Computed fields (``x-computed``) and plain fields pre-filled from the project (``x-prefill``):
totals are computed, never typed (DOMAIN §7); a designer's broken expression is named at lint."""

from __future__ import annotations

import pytest

from workflows.engine import computed, forms, prefill
from workflows.errors import FormInvalid

FORM = {
    "title": "测试表",
    "type": "object",
    "properties": {
        "a": {"type": "number", "maximum": 20},
        "b": {"type": "number"},
        "total": {"type": "number", "x-computed": "a + b"},
        "rate": {"type": "number", "x-computed": "round(total / 40 * 100, 2)"},
    },
    "required": ["a", "b"],
}


def test_computed_fields_follow_the_forms_order():
    assert computed.values(FORM, {"a": 12.5, "b": 7}) == {"total": 19.5, "rate": 48.75}


def test_a_posted_total_is_overwritten_by_the_computed_one():
    kept, _dropped = forms.accept(FORM, {"a": 10, "b": 10, "total": 99})
    assert kept == {"a": 10, "b": 10, "total": 20, "rate": 50}


def test_a_missing_input_computes_to_nothing_and_the_input_carries_the_error():
    assert computed.values(FORM, {"a": 10}) == {"total": None, "rate": None}
    with pytest.raises(FormInvalid) as refused:
        forms.accept(FORM, {"a": 10})
    assert refused.value.fields == {"b": ["此项为必填项"]}


def test_a_total_of_totals_is_shown_once_an_input_behind_it_is_typed():
    # 执行数合计 → 执行率: the rate reads only totals, and is "not yet" only while they are
    assert computed.untyped(FORM, {}) == {"total", "rate"}
    assert computed.untyped(FORM, {"a": 12.5}) == set()


def test_a_draft_keeps_the_total_of_what_is_there():
    assert forms.accept_draft(FORM, {"a": 3, "b": 4, "total": 1})["total"] == 7


@pytest.mark.parametrize(
    ("prop", "problem"),
    [
        ({"type": "number", "x-computed": "a + nothing"}, "names ['nothing']"),
        ({"type": "number", "x-computed": "a +"}, "sandbox refuses"),
        ({"type": "array", "x-computed": "a"}, "only for a number or text field"),
        ({"type": "number", "x-computed": ""}, "must be an expression"),
    ],
)
def test_a_broken_expression_is_named_at_lint(prop, problem):
    schema = {**FORM, "properties": {**FORM["properties"], "broken": prop}}
    [found] = forms.check_rules(schema)
    assert "'broken'" in found and problem in found


def test_a_plain_field_is_prefilled_from_a_project_fact_or_an_earlier_value_when_empty():
    schema = {
        "properties": {
            "owner": {"type": "string", "x-prefill": {"project": "项目负责人"}},
            "goal": {"type": "string", "x-prefill": {"from": "tg_overall_goal"}},
            "kept": {"type": "string", "x-prefill": {"project": "项目负责人"}},
        }
    }
    filled = prefill.scalars(
        schema, {"kept": "王五"}, {"tg_overall_goal": "建成3个小区"}, {"项目负责人": "刘建国"}
    )
    assert filled == {"owner": "刘建国", "goal": "建成3个小区"}
    assert forms.check_rules(schema) == []


def test_a_plain_fields_prefill_names_one_source():
    schema = {
        "title": "表",
        "properties": {"x": {"type": "string", "x-prefill": {"project": "a", "from": "b"}}},
    }
    [found] = forms.check_rules(schema)
    assert "one 'project' fact or one 'from' data key" in found
