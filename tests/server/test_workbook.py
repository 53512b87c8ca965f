"""用 Excel 填写 (issue 12, item 3): a unit downloads the task's form as a workbook, fills it offline
and imports it on the page or through the API; bad cells are all named and nothing is imported."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from workflows.store import AuditEvent, HumanTask

from .conftest import open_task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def task_of(db_of):
    return open_task(db_of, project_code="WZ2026-002", task_spec="submit")


def filled(content: bytes, *, weight="50", amount=362) -> bytes:
    wb = load_workbook(BytesIO(content))
    ws = wb.active
    labels = {c.value: c.row for c in ws["A"] if c.value}
    ws.cell(labels["申请金额（万元）"], 2, amount)
    ws.cell(labels["实施开始日期"], 2, "2026-05-31")
    ws.cell(labels["项目类别"], 2, "公共服务")
    ws.cell(labels["资金渠道"], 2, "本级")
    ws.cell(labels["项目概述"], 2, "改造 12 个行政村的生活污水设施")
    ws.cell(labels["已确认材料真实"], 2, "是")
    head = labels["【绩效指标】"] + 1
    for col, value in enumerate(["村庄覆盖率", "≥90%", weight], start=1):
        ws.cell(head + 1, col, value)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def state(db_of, task_id):
    with db_of.reading() as session:
        draft = session.get(HumanTask, task_id).draft
        audits = session.scalar(select(func.count()).select_from(AuditEvent))
    return draft, audits


def test_the_form_downloads_as_a_workbook_under_the_projects_header(web, db_of):
    task = task_of(db_of)
    response = web("zhang.san").get(f"/tasks/{task.id}/workbook.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    ws = load_workbook(BytesIO(response.data)).active
    assert ws["A1"].value == "2026年度绩效目标申报表"
    assert ws["A3"].value == "项目名称" and ws["B3"].value == "农村人居环境整治"
    assert (
        "WZ2026-002" in response.headers["Content-Disposition"]
        or "filename*" in response.headers["Content-Disposition"]
    )


def test_a_filled_workbook_becomes_the_draft_on_the_page(web, db_of):
    task = task_of(db_of)
    me = web("zhang.san")
    content = filled(me.get(f"/tasks/{task.id}/workbook.xlsx").data)
    response = me.post(f"/tasks/{task.id}/workbook", data={"workbook": (BytesIO(content), "申报表.xlsx")})
    assert response.status_code == 302, response.text[:500]
    draft, _ = state(db_of, task.id)
    assert draft["amount"] == 362 and draft["category"] == "service" and draft["channel"] == "local"
    assert draft["confirmed"] is True
    assert draft["indicators"] == [{"name": "村庄覆盖率", "target": "≥90%", "weight": 50}]
    page = me.get(f"/tasks/{task.id}")
    assert "已从 Excel 导入" in page.text and 'value="村庄覆盖率"' in page.text
    with db_of.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.workbook_imported")).one()
    assert event.actor == "zhang.san" and event.data["file"] == "申报表.xlsx"


def test_bad_cells_are_named_on_the_page_and_nothing_is_imported(web, db_of):
    task = task_of(db_of)
    me = web("zhang.san")
    content = filled(me.get(f"/tasks/{task.id}/workbook.xlsx").data, weight="五十", amount="很多")
    before = state(db_of, task.id)
    response = me.post(f"/tasks/{task.id}/workbook", data={"workbook": (BytesIO(content), "申报表.xlsx")})
    assert response.status_code == 400
    assert "未导入任何内容" in response.text
    assert 'id="workbook-refused"' in response.text  # said at the top of the form, not only below it
    assert "（申请金额（万元））：「很多」不是数字" in response.text
    assert "（权重）：「五十」不是数字" in response.text
    assert state(db_of, task.id) == before


def test_an_empty_upload_is_a_field_error(web, db_of):
    task = task_of(db_of)
    response = web("zhang.san").post(f"/tasks/{task.id}/workbook", data={})
    assert response.status_code == 400 and "请选择要导入的 Excel 文件" in response.text


def test_the_api_imports_and_refuses_alike(api, db_of):
    task = task_of(db_of)
    me = api("zhang.san")
    blank = me.get(f"/api/v1/tasks/{task.id}/workbook")
    assert blank.status_code == 200 and blank.mimetype == XLSX
    bad = me.post(
        f"/api/v1/tasks/{task.id}/workbook",
        data={"workbook": (BytesIO(filled(blank.data, weight="x")), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and any("（权重）" in m for m in bad.json["fields"]["workbook"])
    assert state(db_of, task.id)[0] is None
    good = me.post(
        f"/api/v1/tasks/{task.id}/workbook",
        data={"workbook": (BytesIO(filled(blank.data)), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200, good.text
    assert good.json["data"]["indicators"][0]["name"] == "村庄覆盖率"
    assert state(db_of, task.id)[0]["amount"] == 362


def test_another_units_staff_cannot_read_or_fill_the_workbook(web, api, db_of):
    task = task_of(db_of)
    assert web("li.na").get(f"/tasks/{task.id}/workbook.xlsx").status_code == 404
    other = api("li.na")
    response = other.post(
        f"/api/v1/tasks/{task.id}/workbook",
        data={"workbook": (BytesIO(b"x"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (403, 404)
    assert state(db_of, task.id)[0] is None


def test_a_completed_form_exports_what_it_recorded_from_the_project_page(web, api, db_of):
    """The approved 申报表 travels as a spreadsheet: the project page links each recorded form."""
    task = task_of(db_of)
    me = api("zhang.san")
    blank = me.get(f"/api/v1/tasks/{task.id}/workbook")
    me.post(
        f"/api/v1/tasks/{task.id}/workbook",
        data={"workbook": (BytesIO(filled(blank.data, weight="45")), "a.xlsx")},
        content_type="multipart/form-data",
    )
    draft = state(db_of, task.id)[0]
    done = me.post(f"/api/v1/tasks/{task.id}/complete", json={"data": draft})
    assert done.status_code == 200, done.text
    reviewer = web("li.si")
    page = reviewer.get(f"/projects/{task.project_id}")
    assert f"/tasks/{task.id}/workbook.xlsx" in page.text
    ws = load_workbook(BytesIO(reviewer.get(f"/tasks/{task.id}/workbook.xlsx").data)).active
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["申请金额（万元）"][1] == 362 and rows["项目类别"][1] == "公共服务"
    assert rows["村庄覆盖率"][:3] == ("村庄覆盖率", "≥90%", 45)
