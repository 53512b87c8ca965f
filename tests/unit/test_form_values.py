"""What form data may hold at all, and the default length of a form's text (issue 9 item 7)."""

from __future__ import annotations

import pytest

from workflows import config
from workflows.engine import forms, values
from workflows.errors import FormInvalid

FORM = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "opinion": {"type": "string", "x-widget": "textarea"},
        "summary": {"type": "string", "maxLength": 50},
        "rows": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
    },
}


def _errors(data: dict) -> dict:
    with pytest.raises(FormInvalid) as refused:
        forms.accept(FORM, data)
    return refused.value.fields


def test_a_text_without_its_own_max_length_gets_the_single_line_default():
    assert _errors({"title": "长" * 2001}) == {"title": ["不能超过 2000 个字符"]}
    assert forms.accept(FORM, {"title": "长" * 2000})[0] == {"title": "长" * 2000}


def test_a_textarea_gets_the_longer_default_and_a_declared_limit_wins():
    assert _errors({"opinion": "长" * 20001}) == {"opinion": ["不能超过 20000 个字符"]}
    assert forms.accept(FORM, {"opinion": "长" * 20000})[0]
    assert _errors({"summary": "长" * 51}) == {"summary": ["不能超过 50 个字符"]}


def test_a_table_cell_gets_the_default_too():
    assert _errors({"rows": [{"name": "x" * 2001}]}) == {"rows/0/name": ["不能超过 2000 个字符"]}


def test_the_defaults_are_settings(monkeypatch):
    monkeypatch.setenv("JIXIAO_MAX_TEXT_LENGTH", "10")
    config.reload_settings()
    try:
        assert _errors({"title": "x" * 11}) == {"title": ["不能超过 10 个字符"]}
    finally:
        monkeypatch.delenv("JIXIAO_MAX_TEXT_LENGTH")
        config.reload_settings()


@pytest.mark.parametrize(
    "data,where,message",
    [
        ({"title": "a\x00b"}, "title", values.NUL),
        ({"title": "\ud800"}, "title", values.SURROGATE),
        ({"rows": [{"name": "\udfff\ud800"}]}, "rows/0/name", values.SURROGATE),
        ({"rows": [{"\ud800": 1}]}, "rows/0", values.SURROGATE),
        ({"rows": [{"n": float("nan")}]}, "rows/0/n", values.NOT_FINITE),
        ({"rows": [{"n": float("-inf")}]}, "rows/0/n", values.NOT_FINITE),
        ({"rows": [{"n": 2**70}]}, "rows/0/n", values.TOO_BIG_NUMBER),
    ],
    ids=["nul", "surrogate", "reversed_pair", "key", "nan", "infinity", "huge_integer"],
)
def test_values_no_task_data_may_hold_are_refused_where_they_are(data, where, message):
    assert _errors(data) == {where: [message]}


def test_nesting_and_size_are_bounded_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert values.problems({"rows": deep}) == {"rows" + "/0" * (values.MAX_DEPTH - 1): [values.TOO_DEEP]}
    assert values.problems({"title": "x" * values.MAX_SIZE}) == {"title": [values.TOO_LARGE]}
    many = {"rows": [{"name": "x"}] * values.MAX_SIZE}
    assert list(values.problems(many).values()) == [[values.TOO_LARGE]]


def test_a_draft_keeps_incomplete_data_but_not_bad_values_or_over_long_text():
    assert forms.accept_draft(FORM, {"rows": [{}], "other": 1}) == {"rows": [{}]}
    with pytest.raises(FormInvalid):
        forms.accept_draft(FORM, {"title": "\x00"})
    with pytest.raises(FormInvalid):
        forms.accept_draft(FORM, {"summary": "x" * 51})


def test_dropped_keys_that_cannot_be_stored_are_refused_and_the_rest_are_shortened():
    with pytest.raises(FormInvalid):
        forms.accept(FORM, {"\ud800": 1})
    _, dropped = forms.accept(FORM, {"k" * 500: 1})
    assert dropped == ["k" * 100]
