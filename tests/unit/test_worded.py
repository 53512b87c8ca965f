"""A form's refusal is written in Chinese and keeps how it was put together
(workflows/engine/worded.py), so that an English page words it again with the same figures."""

from __future__ import annotations

from workflows.engine import prefill
from workflows.engine.decision_checks import message
from workflows.engine.worded import Worded

ENGLISH = {
    "申请金额不能超过项目金额 {ea_project_amount_wan:,.2f} 万元": "At most {ea_project_amount_wan:,.2f} (10k CNY)",
    "第{row}行「{name}」的{column}{told}，不能修改": "Row {row} “{name}”: {column} {told}; it cannot be changed",
    "应为批复的「{expected}」": "should be “{expected}” as approved",
    "指标值": "Target value",
}


def translate(text: str) -> str:
    return ENGLISH.get(text, text)


def test_a_check_message_is_its_chinese_and_words_again_with_the_same_figure():
    said = message(
        "申请金额不能超过项目金额 {ea_project_amount_wan:,.2f} 万元",
        {"ea_project_amount_wan": 1380.0, "x": 1},
    )
    assert said == "申请金额不能超过项目金额 1,380.00 万元" and isinstance(said, str)
    assert said.values == {"ea_project_amount_wan": 1380.0}  # what it quotes, not the whole form
    assert said.reworded(translate) == "At most 1,380.00 (10k CNY)"


def test_a_held_row_words_its_column_and_what_it_should_be_again():
    schema = {
        "properties": {
            "rows": {
                "type": "array",
                "items": {"properties": {"name": {"title": "指标名称"}, "target": {"title": "指标值"}}},
                "x-prefill": {"from": "approved", "bound": True},
            }
        }
    }
    errors = prefill._table_errors(
        schema,
        "rows",
        ["name", "target"],
        [{"name": "道路长度", "target": "12"}],
        [{"name": "道路长度", "target": "10"}],
    )
    [said] = errors["rows/0/target"]
    assert said == "第1行「道路长度」的指标值应为批复的「10」，不能修改"
    assert (
        said.reworded(translate)
        == "Row 1 “道路长度”: Target value should be “10” as approved; it cannot be changed"
    )


def test_words_without_english_and_empty_values_stay_as_written():
    said = Worded("缺少{kind}「{name}」，不能删除", {"kind": "批复的绩效指标", "name": ""})
    assert said == "缺少批复的绩效指标「」，不能删除"
    assert said.reworded(lambda t: "" if t == "" else t) == said  # an empty value is never looked up
