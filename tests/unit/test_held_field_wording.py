"""A form field held to earlier data (``x-prefill`` with ``"bound": true``) is refused, when
changed, with words that fit where its value comes from: the project's 项目金额 is the unit's
own declaration (「应与项目申报的内容一致」), not 批复 content; the self-evaluation's
年度总体目标 is the approved one (「应为批复的内容」). The form says which (``held_as``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflows.engine import forms

ROOT = Path(__file__).resolve().parents[2]


def _form(name: str) -> dict:
    return json.loads((ROOT / "forms" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("form", "field", "source", "message"),
    [
        (
            "performance_targets.json",
            "tg_project_amount_wan",
            {"amount_wan": 1380},
            "项目金额（万元）应与项目申报的内容一致，不能修改",
        ),
        (
            "ex_ante_report.json",
            "ea_project_amount_wan",
            {"amount_wan": 1380},
            "项目金额（万元）应与项目申报的内容一致，不能修改",
        ),
        (
            "self_evaluation.json",
            "ev_goal_planned",
            {"tg_overall_goal": "完成主干道改造 12 公里"},
            "年度总体目标（批复）应为批复的内容，不能修改",
        ),
    ],
)
def test_a_changed_held_field_is_refused_with_the_words_its_form_gives(form, field, source, message):
    schema = _form(form)
    errors = forms.prefill.bound_errors(schema, {field: "2000"}, source)
    assert errors[field] == [message]
    [value] = source.values()
    assert field not in forms.prefill.bound_errors(schema, {field: value}, source)


def test_the_project_amount_is_not_called_approved_content():
    for form, field in (
        ("performance_targets.json", "tg_project_amount_wan"),
        ("ex_ante_report.json", "ea_project_amount_wan"),
    ):
        [message] = forms.prefill.bound_errors(_form(form), {field: 2000}, {"amount_wan": 1380})[field]
        assert "批复" not in message, message


HELD = {"type": "number", "title": "项目金额（万元）", "x-prefill": {"from": "amount_wan", "bound": True}}


def test_lint_asks_a_held_field_to_say_what_it_is_held_to():
    problems = forms.check_rules({"title": "表", "properties": {"amount": HELD}})
    assert any("'held_as'" in p for p in problems), problems
    worded = {**HELD, "x-prefill": {**HELD["x-prefill"], "held_as": "应与项目申报的内容一致"}}
    assert forms.check_rules({"title": "表", "properties": {"amount": worded}}) == []
    loose = {**HELD, "x-prefill": {"from": "amount_wan", "held_as": "应与项目申报的内容一致"}}
    assert any("'held_as'" in p for p in forms.check_rules({"title": "表", "properties": {"amount": loose}}))


def test_every_held_field_of_the_deployed_forms_is_worded():
    for path in sorted((ROOT / "forms").glob("*.json")):
        assert forms.prefill.problems(json.loads(path.read_text(encoding="utf-8")), path.name) == []
