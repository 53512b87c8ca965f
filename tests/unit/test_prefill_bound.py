"""``x-prefill`` with ``bound`` (workflows/engine/prefill.py): lint, the refusals, and a stale
table filled again with what was typed kept."""

from __future__ import annotations

from workflows.engine import forms

TABLE = {
    "type": "array",
    "title": "完成情况",
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "三级指标"},
            "target_value": {"type": "string", "title": "年度指标值"},
            "weight": {"type": "number", "title": "分值"},
            "actual_value": {"type": "string", "title": "完成值"},
        },
    },
}
SPEC = {
    "from": "indicators",
    "copy": {"name": "name", "target_value": "target_value", "weight": "weight"},
    "scale_to": {"weight": 10},
    "bound": ["name", "target_value"],
}
FORM = {"title": "表", "properties": {"rows": {**TABLE, "x-prefill": SPEC}}}
APPROVED = [
    {"name": "甲", "target_value": "1", "weight": 6},
    {"name": "乙", "target_value": "2", "weight": 4},
]


def form_with(**spec) -> dict:
    return {"title": "表", "properties": {"rows": {**TABLE, "x-prefill": {**SPEC, **spec}}}}


def test_bound_lists_copied_columns():
    assert forms.check_rules(FORM) == []
    assert forms.check_rules(form_with(bound=["name", "weight"])) == []  # the rescaled weight too
    for wrong in (["actual_value"], [], "name"):
        assert any("'bound' lists copied columns" in p for p in forms.check_rules(form_with(bound=wrong))), (
            wrong
        )
    assert any("unknown keys ['bind']" in p for p in forms.check_rules(form_with(bind=["name"])))


def test_a_bound_rescaled_weight_is_held_to_its_rescaled_value():
    """The self-evaluation's weights are the approved ones rescaled (6:4 of 10 points): the unit
    scores the rows, it does not reweight them."""
    schema = form_with(bound=["name", "target_value", "weight"])
    rows = forms.prefilled(schema, {"indicators": APPROVED})["rows"]
    assert [r["weight"] for r in rows] == [6, 4]
    assert forms.prefill.bound_errors(schema, {"rows": rows}, {"indicators": APPROVED}) == {}
    rows[0]["weight"], rows[1]["weight"] = 5, 5
    errors = forms.prefill.bound_errors(schema, {"rows": rows}, {"indicators": APPROVED})
    assert errors["rows/0/weight"] == ["第1行「甲」的分值应为批复的「6」，不能修改"]


def test_a_table_is_bound_only_where_its_source_is_known():
    assert forms.bound_tables(FORM, {"indicators": APPROVED}) == {"rows": ["name", "target_value"]}
    assert forms.bound_tables(FORM, {}) == {}  # a form used outside the path that approves the rows
    forms.validate(FORM, {"rows": [{"name": "自拟"}]}, {})  # nothing to hold it to


def test_each_stray_row_is_named():
    rows = [
        {"name": "乙", "target_value": "3"},  # changed, though in another place
        {"name": "丙", "target_value": "1"},  # not approved
    ]
    errors = forms.prefill.bound_errors(FORM, {"rows": rows}, {"indicators": APPROVED})
    assert errors == {
        "rows/0/target_value": ["第1行「乙」的年度指标值应为批复的「2」，不能修改"],
        "rows/1/name": ["第2行「丙」不是批复的绩效指标，不能新增"],
        "rows": ["缺少批复的绩效指标「甲」，不能删除"],
    }
    assert (
        forms.prefill.bound_errors(FORM, {"rows": list(reversed(APPROVED))}, {"indicators": APPROVED}) == {}
    )


def test_numbers_and_text_compare_as_written():
    approved = [{"name": "甲", "target_value": "95"}]
    assert (
        forms.prefill.bound_errors(
            FORM, {"rows": [{"name": " 甲", "target_value": 95.0}]}, {"indicators": approved}
        )
        == {}
    )


def test_a_stale_bound_table_is_filled_again_keeping_what_was_typed():
    """The targets changed since the draft (乙 dropped, 丙 added): the rows are the new targets,
    甲's typed value kept, the weights rescaled again."""
    draft = {
        "rows": [{"name": "甲", "target_value": "1", "weight": 9, "actual_value": "一半"}, {"name": "乙"}]
    }
    approved = [APPROVED[0], {"name": "丙", "target_value": "5", "weight": 4}]
    assert forms.prefilled(FORM, draft, {"indicators": approved}) == {
        "rows": [
            {"name": "甲", "target_value": "1", "weight": 6, "actual_value": "一半"},
            {"name": "丙", "target_value": "5", "weight": 4},
        ]
    }
    matching = {
        "rows": [
            {**row, "actual_value": "有"} for row in forms.prefilled(FORM, {"indicators": APPROVED})["rows"]
        ]
    }
    assert forms.prefilled(FORM, matching, {"indicators": APPROVED}) == {}  # kept as typed
