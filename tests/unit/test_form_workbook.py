"""The 申报表 in Excel (issue 12, item 3): a form written as a workbook reads back to the same data;
a filled-in workbook with bad cells names every one of them by sheet, row and column."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from workflows.engine import form_workbook, forms
from workflows.engine.form_workbook import WorkbookInvalid

ROOT = Path(__file__).resolve().parents[2]
TARGETS = json.loads((ROOT / "forms" / "performance_targets.json").read_text(encoding="utf-8"))
HEADER = [("项目名称", "城市污水处理厂提标改造"), ("项目编码", "WZ2027-001"), ("资金总额（万元）", 1261.22)]

GOOD = {
    "tg_owner_name": "刘建国",
    "tg_project_kind": "新增项目",
    "tg_period_start": 2027,
    "tg_period_end": 2028,
    "tg_midterm_funds": 2400,
    "tg_annual_funds": 1261.22,
    "tg_fiscal_funds": 1161.22,
    "tg_other_funds": 100,
    "tg_midterm_goal": "两年内完成污水处理厂提标改造并稳定运行",
    "tg_overall_goal": "完成污水处理厂提标改造，出水稳定达到一级A标准",
    "tg_spending_basis": "按初步设计概算测算",
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "日处理量",
            "direction": "≥",
            "target_value": "3",
            "unit": "万吨/日",
            "weight": 40,
        },
        {
            "level1": "产出指标",
            "level2": "质量指标",
            "name": "出水达标率",
            "direction": "≥",
            "target_value": "100",
            "unit": "%",
            "weight": 30,
        },
        {
            "level1": "效益指标",
            "level2": "生态效益指标",
            "name": "化学需氧量削减",
            "direction": "≥",
            "target_value": "1500",
            "unit": "吨/年",
            "weight": 20,
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "周边群众满意度",
            "direction": "≥",
            "target_value": "90",
            "unit": "%",
            "weight": 10.5 - 0.5,
        },
    ],
}


def written(data=GOOD) -> bytes:
    return form_workbook.write(
        TARGETS, data, title="2027年度绩效目标申报表", header=HEADER, sheet="绩效目标申报表"
    )


def edited(content: bytes, change) -> bytes:
    wb = load_workbook(BytesIO(content))
    change(wb.active)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, text: str) -> int:
    return next(c.row for c in ws["C"] if c.value == text)


def test_a_written_form_reads_back_to_the_same_data():
    # and the 指标权重合计 worked out from the weights read (x-computed: never read back)
    assert form_workbook.read(TARGETS, written()) == {**GOOD, "tg_weight_total": 100}


def test_the_workbook_has_the_title_the_header_and_drop_downs():
    ws = load_workbook(BytesIO(written())).active
    assert ws.title == "绩效目标申报表"
    assert ws["A1"].value == "2027年度绩效目标申报表" and "A1" in {
        str(r).split(":")[0] for r in ws.merged_cells.ranges
    }
    assert [ws["A3"].value, ws["B3"].value, ws["C3"].value, ws["D3"].value] == [
        "项目名称",
        "城市污水处理厂提标改造",
        "项目编码",
        "WZ2027-001",
    ]
    headers = [c.value for c in ws[row_of(ws, "日处理量") - 1]]
    assert headers[:7] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "比较方式",
        "指标值",
        "计量单位",
        "权重（分值）",
    ]
    lists = [v.formula1 for v in ws.data_validations.dataValidation]
    assert '"产出指标,效益指标,满意度指标"' in lists


def test_a_unit_fills_rows_in_excel_and_they_are_read():
    def add_row(ws):
        r = row_of(ws, "周边群众满意度")
        ws.insert_rows(r)  # a row typed in the middle of the table
        for col, value in enumerate(["产出指标", "时效指标", "按期完工率", "≥", "100", "%", 10], start=1):
            ws.cell(r, col, value)
        ws.cell(row_of(ws, "日处理量"), 7, 30)  # and the weights still add up to 100

    data = form_workbook.read(TARGETS, edited(written(), add_row))
    assert [i["name"] for i in data["indicators"]] == [
        "日处理量",
        "出水达标率",
        "化学需氧量削减",
        "按期完工率",
        "周边群众满意度",
    ]
    assert data["indicators"][3] == {
        "level1": "产出指标",
        "level2": "时效指标",
        "name": "按期完工率",
        "direction": "≥",
        "target_value": "100",
        "unit": "%",
        "weight": 10,
    }


def test_three_bad_cells_are_each_named_by_sheet_row_and_column():
    def spoil(ws):
        r = row_of(ws, "日处理量")
        ws.cell(r, 7, "四十")  # weight: not a number
        ws.cell(r + 1, 1, "其他指标")  # level1: not a choice
        ws.cell(r + 2, 3).value = None  # name: left empty

    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, edited(written(), spoil))
    ws = load_workbook(BytesIO(written())).active
    r = row_of(ws, "日处理量")
    cells = {(e.row, e.column) for e in refused.value.errors}
    assert cells == {(r, "G"), (r + 1, "A"), (r + 2, "C")}
    text = str(refused.value)
    assert f"工作表「绩效目标申报表」第{r}行G列（权重（分值））" in text and "不是数字" in text


def test_declared_checks_are_the_forms_and_are_located():
    """The same x-checks as the page: weights must total 100 (R-TG-5), 一级/二级 must pair."""

    def spoil(ws):
        r = row_of(ws, "日处理量")
        ws.cell(r, 7, 50)  # total 110
        ws.cell(r + 1, 2, "社会效益指标")  # 产出指标 / 社会效益指标 do not pair

    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, edited(written(), spoil))
    messages = {(e.label, e.message) for e in refused.value.errors}
    assert ("指标权重合计", "绩效指标权重（分值）合计为110，应为100") in messages
    assert any(label == "二级指标" and "不对应" in m for label, m in messages)


def test_a_missing_required_field_is_named_on_its_row():
    def spoil(ws):
        r = next(c.row for c in ws["A"] if c.value == "总体目标：年度目标")
        ws.cell(r, 2).value = None

    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, edited(written(), spoil))
    [error] = refused.value.errors
    assert error.label == "总体目标：年度目标" and error.column == "B"


def test_funds_sources_add_up_names_the_annual_funds_cell():
    """national 申报表: 年度资金总额 = 其中 财政拨款 + 其他资金, refused on the 年度资金总额 row."""

    def spoil(ws):
        r = next(c.row for c in ws["A"] if c.value == "其中：其他资金（万元）")
        ws.cell(r, 2).value = 150

    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, edited(written(), spoil))
    [error] = refused.value.errors
    assert (error.label, error.column) == ("年度资金总额（万元）", "B")
    assert error.message == "财政拨款与其他资金之和应等于年度资金总额"


def test_the_header_fields_are_written_as_rows_of_the_sheet():
    ws = load_workbook(BytesIO(written())).active
    values = {c.value: ws.cell(c.row, 2).value for c in ws["A"] if c.value}
    assert values["项目负责人"] == "刘建国" and values["项目属性"] == "新增项目"
    assert values["中期资金总额（万元）"] == 2400 and values["其中：财政拨款（万元）"] == 1161.22


def test_a_file_that_is_not_a_workbook_is_refused_in_words():
    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, b"PK\x03\x04 not really a zip")
    assert "不是可读取的 Excel 工作簿" in str(refused.value)


def test_a_workbook_of_another_layout_names_what_is_missing():
    wb = Workbook()
    wb.active.append(["随便什么表"])
    out = BytesIO()
    wb.save(out)
    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, out.getvalue())
    labels = {e.label for e in refused.value.errors}
    assert {"项目负责人", "总体目标：年度目标", "支出测算依据", "绩效指标"} <= labels


def test_a_workbook_that_unpacks_to_more_than_a_form_is_refused_unread():
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml", "<a>" + "x" * (form_workbook.MAX_UNPACKED_BYTES + 1) + "</a>"
        )
    assert len(out.getvalue()) < 100_000  # small on the wire
    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(TARGETS, out.getvalue())
    assert "工作簿过大" in str(refused.value)


# --- locked cells (issue 10, item 4): what the system filled is greyed and locked ---------------

MONITORING = json.loads((ROOT / "forms" / "monitoring_report.json").read_text(encoding="utf-8"))
APPROVED = {"indicators": GOOD["indicators"]}
HELD = ["level1", "level2", "name", "direction", "target_value", "unit"]


def monitoring_sheet():
    rows = forms.prefilled(MONITORING, {}, APPROVED)["mn_indicator_progress"]
    content = form_workbook.write(
        MONITORING,
        {"mn_indicator_progress": rows},
        title="2027年度绩效运行监控表",
        header=HEADER,
        sheet="绩效运行监控表",
        bound={"mn_indicator_progress": HELD},
    )
    ws = load_workbook(BytesIO(content)).active
    head = next(c.row for c in ws["A"] if c.value == "【绩效目标完成情况】") + 1
    columns = {c.value: c.column for c in ws[head] if c.value}
    return content, ws, head, columns


def test_the_sheet_is_protected_and_only_the_cells_to_fill_are_open():
    ws = load_workbook(BytesIO(written())).active
    assert ws.protection.sheet and not ws.protection.insertRows  # rows may still be added
    assert ws["A3"].protection.locked and ws["B3"].protection.locked  # the 表头: the system's
    goal = next(c.row for c in ws["A"] if c.value == "总体目标：年度目标")
    assert ws.cell(goal, 1).protection.locked and not ws.cell(goal, 2).protection.locked
    first = row_of(ws, "日处理量")
    assert ws.cell(first - 1, 1).protection.locked  # the column titles the import reads
    for r in (first, first + 4, first + 20):  # the rows written and the room to add more
        assert not any(ws.cell(r, c).protection.locked for c in range(1, 8)), r


def test_bound_columns_are_greyed_and_locked_and_the_rest_of_the_row_is_open():
    _content, ws, head, columns = monitoring_sheet()
    titles = {
        MONITORING["properties"]["mn_indicator_progress"]["items"]["properties"][c]["title"] for c in HELD
    }
    for r in range(head + 1, head + 5):
        for title, col in columns.items():
            cell = ws.cell(r, col)
            if title in titles:
                assert cell.protection.locked and cell.fill.fgColor.rgb.endswith("E5E7EB"), (r, title)
            else:
                assert not cell.protection.locked, (r, title)
    assert ws.cell(head + 1, columns["三级指标"]).value == "日处理量"
    # the approved rows are all there is: no open row under them to add an indicator
    assert all(ws.cell(head + 5, c).protection.locked for c in columns.values())
    assert "已锁定" in ws["A2"].value


def test_a_locked_cell_changed_anyway_is_refused_by_sheet_row_and_column():
    content, _ws, head, columns = monitoring_sheet()

    def change(ws):
        for r in range(head + 1, head + 5):
            for title, value in (
                ("截至节点完成值", "过半"),
                ("完成进度（%）", 50),
                ("全年预计完成值", "可完成"),
            ):
                ws.cell(r, columns[title], value)
            ws.cell(r, columns["完成目标可能性"], "确定能")
        ws.cell(head + 2, columns["年度指标值"], "95")  # 出水达标率 was approved at 100
        ws.cell(next(c.row for c in ws["A"] if c.value == "截至节点已执行金额（万元）"), 2, 100)
        ws.cell(next(c.row for c in ws["A"] if c.value == "全年预计执行数（万元）"), 2, 350)
        ws.cell(next(c.row for c in ws["A"] if c.value == "调整后预算数（万元）"), 2, 362)

    with pytest.raises(WorkbookInvalid) as refused:
        form_workbook.read(MONITORING, edited(content, change), sources=APPROVED)
    letter = get_column_letter(columns["年度指标值"])
    assert [str(e) for e in refused.value.errors] == [
        f"工作表「绩效运行监控表」第{head + 2}行{letter}列（年度指标值）："
        "第2行「出水达标率」的年度指标值应为批复的「100」，不能修改"
    ]
