"""The national 绩效监控情况表's outlook per indicator (issue 10, item 4): each row of the monitoring
report says how likely the target is met (完成目标可能性: 确定能/有可能/完全不可能); a row whose
全年预计完成值 misses its 年度指标值 (read by its 比较方式), or whose likelihood is not 确定能,
needs the 偏差原因类别 (经费/制度/人员/硬件条件保障/其他) and the 偏差原因说明.

The rule is declared in ``forms/monitoring_report.json`` and ``forms/dw_monitoring_report.json``
(``x-checks``); each bad case is refused with the field error beside the row's cell on the page
(``POST /tasks/<id>``), through ``POST /api/v1/tasks/{id}/complete`` and through the Excel import
(page and API), and nothing is recorded."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

from io import BytesIO

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from workflows.store import HumanTask

from .test_bound_rows_pages import (  # noqa: F401 - fixtures shared with the bound-row tests
    DW,
    TABLE,
    as_json,
    deployed,
    dw_task,
    filled,
    open_task,
    posted,
    report_task,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATEGORY = "须选择偏差原因类别"
EXPLAIN = "须填写偏差原因说明"


def refused_everywhere(web, api, task_id, body, errors: dict[str, str], data: dict):
    """Each ``{field path: message}`` beside its cell on the page (``body`` posted) and under its
    path in the API (``data`` posted as JSON)."""
    page = web("zhang.san").post(f"/tasks/{task_id}", body)
    assert page.status_code == 400, page.text[:300]
    for field, message in errors.items():
        beside = page.text[page.text.index(f'id="{field.replace("/", "-")}"') :]
        assert f'data-field="{field}"' in beside[:2000] and message in beside[:2000], field
    answer = api("zhang.san").post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    assert answer.status_code == 400, answer.text
    for field, message in errors.items():
        assert any(message in m for m in answer.json["fields"][field]), (field, answer.json["fields"])
    assert set(answer.json["fields"]) == set(errors)


def report(fields, **row_changes) -> dict[str, str]:
    return filled(
        fields,
        TABLE,
        5,
        mn_executed_amount="120",
        mn_projected_amount="350",
        **{TABLE + k: v for k, v in row_changes.items()},
    )


def test_R_MN_2_the_row_offers_the_national_likelihood_and_deviation_categories(web, report_task):
    html = web("zhang.san").get(f"/tasks/{report_task.id}").text
    for title in ("比较方式", "完成目标可能性", "偏差原因类别", "偏差原因说明"):
        assert f">{title}" in html
    likely = html[html.index(f'name="{TABLE}-0-likelihood"') :]
    likely = likely[: likely.index("</select>")]
    assert [o for o in ("确定能", "有可能", "完全不可能") if f">{o}</option>" in likely] == [
        "确定能",
        "有可能",
        "完全不可能",
    ]
    category = html[html.index(f'name="{TABLE}-0-deviation_category"') :]
    category = category[: category.index("</select>")]
    for option in ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"):
        assert f">{option}</option>" in category
    assert '<span class="bound-value">≥</span>' in html  # 比较方式 as approved, read-only


def test_R_MN_2_a_row_projected_below_its_target_needs_category_and_explanation(web, api, db_of, report_task):
    """完成建设任务 ≥ 100%: projected 80% misses it, even when the unit ticks 确定能."""
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = report(fields, **{"-0-projected_value": "80%"})
    refused_everywhere(
        web,
        api,
        report_task.id,
        body,
        {f"{TABLE}/0/deviation_category": CATEGORY, f"{TABLE}/0/deviation_reason": EXPLAIN},
        as_json(body, TABLE),
    )
    assert open_task(db_of, "mn_report").id == report_task.id


def test_R_MN_2_an_equal_target_missed_either_way_needs_the_reason(web, api, report_task):
    """工程验收合格率 = 100%: a projected 98% is off target; the category alone is not enough."""
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = report(fields, **{"-1-projected_value": "98%", "-1-deviation_category": "硬件条件保障"})
    refused_everywhere(
        web, api, report_task.id, body, {f"{TABLE}/1/deviation_reason": EXPLAIN}, as_json(body, TABLE)
    )


@pytest.mark.parametrize("likelihood", ["有可能", "完全不可能"])
def test_R_MN_2_a_target_not_certain_to_be_met_needs_category_and_explanation(
    web, api, report_task, likelihood
):
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = report(fields, **{"-3-likelihood": likelihood, "-3-deviation_reason": "资金下达较晚"})
    refused_everywhere(
        web, api, report_task.id, body, {f"{TABLE}/3/deviation_category": CATEGORY}, as_json(body, TABLE)
    )


def test_R_MN_2_the_likelihood_is_required_on_every_row(web, api, report_task):
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    body = report(fields, **{"-2-likelihood": ""})
    refused_everywhere(
        web, api, report_task.id, body, {f"{TABLE}/2/likelihood": "此项为必填项"}, as_json(body, TABLE)
    )


def test_R_MN_2_an_explained_deviation_is_accepted_on_the_page(web, db_of, report_task):
    me = web("zhang.san")
    fields = posted(me.get(f"/tasks/{report_task.id}").text)
    body = report(
        fields,
        **{
            "-0-projected_value": "80%",
            "-0-likelihood": "有可能",
            "-0-deviation_category": "经费保障",
            "-0-deviation_reason": "上级补助资金下达较晚，部分工程延后开工",
            "-4-projected_value": "95%",  # above a ≥ 90% target: nothing to explain
        },
    )
    done = me.post(f"/tasks/{report_task.id}", body)
    assert done.status_code == 302, done.text[:500]
    assert open_task(db_of, "mn_review") is not None


def _workbook_with(web, task_id, rows: dict[int, dict[str, str]]) -> bytes:
    """The task's workbook as downloaded, the progress typed in, ``rows`` overriding cells by title."""
    content = web("zhang.san").get(f"/tasks/{task_id}/workbook.xlsx").data
    book = load_workbook(BytesIO(content))
    sheet = book.active
    labels = {c.value: c.row for c in sheet["A"] if c.value}
    head = labels["【绩效目标完成情况】"] + 1
    columns = {c.value: c.column for c in sheet[head] if c.value}
    for n in range(5):
        typed = {
            "截至节点完成值": "过半",
            "完成进度（%）": 50,
            "全年预计完成值": "可完成",
            "完成目标可能性": "确定能",
        }
        for title, value in {**typed, **rows.get(n, {})}.items():
            sheet.cell(head + 1 + n, columns[title], value)
    sheet.cell(labels["截至节点已执行金额（万元）"], 2, 120)
    sheet.cell(labels["全年预计执行数（万元）"], 2, 350)
    out = BytesIO()
    book.save(out)
    return out.getvalue(), head, columns


def test_R_MN_2_the_excel_import_refuses_an_unexplained_deviation_by_cell(web, api, db_of, report_task):
    content, head, columns = _workbook_with(web, report_task.id, {2: {"完成目标可能性": "完全不可能"}})
    category = f"第{head + 3}行{get_column_letter(columns['偏差原因类别'])}列（偏差原因类别）"
    explain = f"第{head + 3}行{get_column_letter(columns['偏差原因说明'])}列（偏差原因说明）"
    page = web("zhang.san").post(
        f"/tasks/{report_task.id}/workbook",
        {"workbook": (BytesIO(content), "监控表.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400
    assert category in page.text and CATEGORY in page.text and explain in page.text
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{report_task.id}/workbook",
        data={"workbook": (BytesIO(content), "监控表.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400, answer.text
    messages = answer.json["fields"]["workbook"]
    assert any(category in m and CATEGORY in m for m in messages)
    assert any(explain in m and EXPLAIN in m for m in messages)
    assert len(messages) == 2
    with db_of.reading() as session:
        assert session.get(HumanTask, report_task.id).draft is None  # nothing imported


def test_R_MN_2_the_excel_import_takes_an_explained_deviation(web, report_task):
    explained = {"完成目标可能性": "有可能", "偏差原因类别": "人员保障", "偏差原因说明": "技术人员不足"}
    content, _head, _columns = _workbook_with(web, report_task.id, {2: explained})
    page = web("zhang.san").post(
        f"/tasks/{report_task.id}/workbook",
        {"workbook": (BytesIO(content), "监控表.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302, page.text[:500]


# --- the department-wide June report -------------------------------------------------------


def test_R_MN_6_the_june_report_needs_the_reason_where_a_target_is_not_certain(web, api, db_of, dw_task):
    me = web("zhang.san")
    fields = posted(me.get(f"/tasks/{dw_task.id}").text)
    base = {"dw_mn_budget_total": "1280", "dw_mn_executed": "602.5", "dw_mn_progress": "上半年进度符合目标。"}
    body = filled(
        fields, DW, 4, **base, **{f"{DW}-1-likelihood": "完全不可能", f"{DW}-2-projected_value": "96%"}
    )
    refused_everywhere(
        web,
        api,
        dw_task.id,
        body,
        {
            f"{DW}/1/deviation_category": CATEGORY,
            f"{DW}/1/deviation_reason": EXPLAIN,
            f"{DW}/2/deviation_category": CATEGORY,  # 公共服务覆盖率 ≥ 98%: 96% falls short
            f"{DW}/2/deviation_reason": EXPLAIN,
        },
        as_json(body, DW),
    )
    explained = {
        f"{DW}-{n}-{k}": v
        for n in (1, 2)
        for k, v in (("deviation_category", "经费保障"), ("deviation_reason", "部分资金下半年才下达"))
    }
    done = me.post(f"/tasks/{dw_task.id}", {**body, **explained})
    assert done.status_code == 302, done.text[:500]


# --- the template offered for download (issue 10, item 4) -----------------------------------


def test_the_downloaded_template_greys_and_locks_the_approved_columns(web, report_task):
    content = web("zhang.san").get(f"/tasks/{report_task.id}/workbook.xlsx").data
    sheet = load_workbook(BytesIO(content)).active
    assert sheet.protection.sheet
    labels = {c.value: c.row for c in sheet["A"] if c.value}
    head = labels["【绩效目标完成情况】"] + 1
    columns = {c.value: c.column for c in sheet[head] if c.value}
    approved = ("一级指标", "二级指标", "三级指标", "比较方式", "年度指标值", "计量单位")
    first = sheet.cell(head + 1, columns["三级指标"])
    assert first.value == "完成建设任务" and first.protection.locked
    for title, col in columns.items():
        cell = sheet.cell(head + 1, col)
        assert cell.protection.locked is (title in approved), title
    assert not sheet.cell(labels["截至节点已执行金额（万元）"], 2).protection.locked


def test_a_locked_approved_cell_changed_anyway_is_refused_on_page_and_api(web, api, report_task):
    content, head, columns = _workbook_with(web, report_task.id, {1: {"年度指标值": "90"}})
    where = (
        f"工作表「绩效运行监控表」第{head + 2}行{get_column_letter(columns['年度指标值'])}列（年度指标值）"
    )
    message = "第2行「工程验收合格率」的年度指标值应为批复的「100」，不能修改"
    page = web("zhang.san").post(
        f"/tasks/{report_task.id}/workbook",
        {"workbook": (BytesIO(content), "监控表.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and f"{where}：{message}" in page.text
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{report_task.id}/workbook",
        data={"workbook": (BytesIO(content), "监控表.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and answer.json["fields"]["workbook"] == [f"{where}：{message}"]


def test_a_rows_errors_show_in_the_summary_and_beside_their_cells_never_listed_twice(web, report_task):
    """A refused submit: each cell's error once in the summary at the top (a link to the cell) and
    once beside the cell; no second list of the same errors under the table."""
    fields = posted(web("zhang.san").get(f"/tasks/{report_task.id}").text)
    page = web("zhang.san").post(f"/tasks/{report_task.id}", report(fields, **{"-0-projected_value": "80%"}))
    assert page.status_code == 400
    doc = lxml_html.fromstring(page.text)
    summary = " ".join(doc.get_element_by_id("error-summary").text_content().split())
    assert "第1行「偏差原因类别」" in summary and "「偏差原因说明」" in summary
    links = [a.get("href") for a in doc.xpath('//*[@id="error-summary"]//a')]
    assert "#mn_indicator_progress-0-deviation_category" in links
    for column in ("deviation_category", "deviation_reason"):
        beside = doc.xpath(f'//td//*[@data-field="mn_indicator_progress/0/{column}"]')
        assert len(beside) == 1 and beside[0].get("class") == "field-error"
    assert doc.xpath('//*[contains(@class, "cell-errors")]') == []
    table = doc.xpath('//*[@data-field="mn_indicator_progress"][contains(@class, "field")]')[0]
    # the table's field holds the cells' own errors and nothing else that repeats them
    assert len(table.xpath('.//*[@role="alert"]')) == len(table.xpath(".//td//*[@role='alert']"))
