"""Per-task workbooks as a bureau prints them (walkthrough 12, finding 9): the 申报表, 绩效运行监控表,
自评表 and 财政复核评分表 show 万元 as ``#,##0.00``, percentages with their sign, and repeat
their table's column headers on every printed page, as the list exports do."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workflows.engine import form_workbook

FORMS = Path(__file__).resolve().parents[2] / "forms"
HEADER = [("项目名称", "城市污水处理厂提标改造"), ("资金总额（万元）", 1261.22)]


def _schema(name: str) -> dict:
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


def _written(name: str, data: dict):
    content = form_workbook.write(_schema(name), data, title="表", header=HEADER, sheet="表")
    return load_workbook(BytesIO(content)).active


def _row_of(ws, label: str) -> int:
    return next(c.row for c in ws["A"] if c.value == label)


def test_the_targets_workbook_shows_wan_yuan_with_two_decimals_and_repeats_the_indicator_headers():
    ws = _written("performance_targets", {"tg_annual_funds": 1261.22, "tg_fiscal_funds": 1161.22})
    for label in ("年度资金总额（万元）", "其中：财政拨款（万元）", "中期资金总额（万元）"):
        assert ws.cell(_row_of(ws, label), 2).number_format == "#,##0.00", label
    assert ws.cell(_row_of(ws, "年度资金总额（万元）"), 2).value == 1261.22
    assert ws["D3"].number_format == "#,##0.00"  # the header's 资金总额（万元）
    head = _row_of(ws, "【绩效指标】") + 1
    assert ws.print_title_rows == f"${head}:${head}"


def test_the_monitoring_workbook_shows_percent_columns_as_percent_and_money_as_wan():
    data = {"mn_adjusted_budget": 300, "mn_executed": 120.5}
    schema = _schema("monitoring_report")
    table = next(n for n, p in schema["properties"].items() if p.get("type") == "array")
    data[table] = [{"completion_rate": 40}]
    ws = _written("monitoring_report", data)
    assert ws.cell(_row_of(ws, "截至节点已执行金额（万元）"), 2).number_format == "#,##0.00"
    head = _row_of(ws, f"【{schema['properties'][table]['title']}】") + 1
    column = [c.value for c in ws[head]].index("完成进度（%）") + 1
    assert ws.cell(head + 1, column).value == 40  # percentage points, read back as typed
    assert ws.cell(head + 1, column).number_format == '0.0"%"'
    assert ws.cell(head + 2, column).number_format == '0.0"%"'  # a spare row a clerk fills
    assert ws.print_title_rows == f"${head}:${head}"


@pytest.mark.parametrize("form", ["self_evaluation", "evaluation_review"])
def test_the_self_evaluation_and_finance_score_sheets_format_money_and_print_their_headers(form):
    ws = _written(form, {})
    schema = _schema(form)
    for name, prop in schema["properties"].items():
        title = prop.get("title") or name
        if prop.get("type") == "number" and "万元" in title:
            assert ws.cell(_row_of(ws, title), 2).number_format == "#,##0.00", title
        if prop.get("type") == "number" and "%" in title:
            assert ws.cell(_row_of(ws, title), 2).number_format == '0.0"%"', title
    assert ws.print_title_rows and ws.print_title_rows != "$1:$1"
