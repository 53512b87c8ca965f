"""Computed fields (``x-computed``) and plain fields pre-filled from the project (``x-prefill``):
totals are computed, never typed (DOMAIN §7); a designer's broken expression is named at lint."""

from __future__ import annotations

import json

import pytest

from demo import form_data as demo
from server import formrender
from workflows.config import settings
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


# --- the 申报表's 指标权重合计 (issue 10: the weights' total beside the table, live) ----------


def targets() -> dict:
    return json.loads((settings().forms_dir / "performance_targets.json").read_text(encoding="utf-8"))


def test_the_weight_total_waits_for_a_weight():
    schema = targets()
    assert "tg_weight_total" in computed.untyped(schema, {"indicators": []})
    named_only = {"indicators": [{"name": "设施验收合格率"}]}
    assert computed.values(schema, named_only)["tg_weight_total"] is None  # typed, but no weight yet
    weighed = {"indicators": [{"name": "设施验收合格率", "weight": 40}, {"weight": 25.5}, {}]}
    assert computed.values(schema, weighed)["tg_weight_total"] == 65.5


def test_an_api_caller_need_not_post_the_weight_total():
    data = demo.performance_targets("保障性住房维修")
    data["tg_weight_total"] = 5  # a posted total is overwritten by the sum of the weights
    kept, _dropped = forms.accept(targets(), data)
    assert kept["tg_weight_total"] == 100


def test_only_an_error_in_a_column_the_total_reads_makes_it_invalid():
    schema = targets()
    assert formrender.invalid_totals(schema, {"indicators/2/target_value": ["此项为必填项"]}) == set()
    assert formrender.invalid_totals(schema, {"indicators/2/weight": ["不能大于100"]}) == {"tg_weight_total"}
    assert formrender.invalid_totals(schema, {"indicators": ["至少填写1行"]}) == {"tg_weight_total"}
