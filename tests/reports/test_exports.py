"""Excel out (issue 12, item 2): each workbook re-read with openpyxl matches the data cell for cell."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from workflows.policy import Actor
from workflows.queries import exports, projects
from workflows.queries.project_filter import ProjectFilter
from workflows.store import BudgetUnit, Project

FINANCE = Actor("li.si", frozenset({"finance_reviewer"}))
PROJECT_HEADERS = [
    "项目编码",
    "项目名称",
    "预算单位",
    "年度",
    "金额（万元）",
    "阶段",
    "得分",
    "等级",
    "调减比例",
]
RESULT_HEADERS = ["项目", "单位", "得分", "等级（封顶后）", "调减比例", "调减金额（万元）"]


def _sheet(data: bytes):
    return load_workbook(BytesIO(data)).active


def _num(value):
    return None if value is None else float(value)


def _assert_layout(ws, title: str, headers: list[str]):
    last = chr(ord("A") + len(headers) - 1)
    assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{last}1"]
    assert ws["A1"].value == title and ws["A1"].font.b
    assert [c.value for c in ws[2]] == headers
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape"
    for i in range(1, len(headers) + 1):  # every column is given a width that prints
        assert ws.column_dimensions[chr(ord("A") + i - 1)].width >= 8


def test_project_list_workbook_matches_the_list_cell_for_cell(demo_db):
    filters = ProjectFilter(year=2025)
    with demo_db.reading() as session:
        data = exports.project_list(session, FINANCE, filters, stage_name=lambda s: f"<{s}>")
        shown = session.scalars(projects.listing(FINANCE, filters=filters)).all()
    ws = _sheet(data)
    assert ws.title == "项目清单"
    _assert_layout(ws, "2025年度项目清单", PROJECT_HEADERS)
    *body, totals = list(ws.iter_rows(min_row=3))
    assert len(body) == len(shown) > 0
    amount = sum(p.amount for p in shown)
    assert [c.value for c in totals] == [f"合计（{len(shown)} 个项目）", None, None, None, float(amount)] + [
        None
    ] * 4
    assert totals[0].font.b and totals[4].number_format == "#,##0.00"
    for cells, p in zip(body, shown, strict=True):
        assert [c.value for c in cells] == [
            p.code,
            p.name,
            p.unit.name,
            p.fiscal_year,
            float(p.amount),
            f"<{p.stage}>",
            _num(p.score),
            p.grade,
            _num(p.budget_cut_ratio),
        ]
        assert cells[4].number_format == "#,##0.00"
        assert cells[6].number_format == "0.00"
        assert cells[8].number_format == "0.0%"
    assert any(c[8].value for c in body), "the demo cuts some 2025 budgets"


def test_results_summary_lists_graded_projects_with_cuts_and_a_totals_row(demo_db):
    with demo_db.reading() as session:
        data = exports.results_summary(session, FINANCE, ProjectFilter(year=2025))
        graded = session.execute(
            select(Project, BudgetUnit.code)
            .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
            .where(Project.fiscal_year == 2025, Project.score.is_not(None) | Project.grade.is_not(None))
            .order_by(BudgetUnit.code, Project.code)
        ).all()
        expected = []
        for p, _ in graded:
            cut = (p.amount * (p.budget_cut_ratio or 0)).quantize(Decimal("0.01"))
            expected.append(
                [p.name, p.unit.name, _num(p.score), p.grade, _num(p.budget_cut_ratio), float(cut)]
            )
    ws = _sheet(data)
    _assert_layout(ws, "2025年度绩效评价结果汇总表", RESULT_HEADERS)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert len(expected) >= 2
    assert rows[:-1] == expected
    total = sum(Decimal(str(r[5])) for r in expected)
    assert rows[-1] == [f"合计（{len(expected)} 个项目）", None, None, None, None, float(total)]
    assert total > 0
    last = ws.max_row
    assert ws.cell(last, 1).font.b
    assert ws.cell(3, 3).number_format == "0.00"
    assert ws.cell(3, 5).number_format == "0.0%"
    assert ws.cell(3, 6).number_format == ws.cell(last, 6).number_format == "#,##0.00"


def test_a_unit_submitters_export_holds_only_their_unit(signed_in, demo_db):
    with demo_db.reading() as session:
        own = session.scalar(select(BudgetUnit.name).where(BudgetUnit.code == "360922-001"))
        own_codes = set(
            session.scalars(select(Project.code).join(BudgetUnit).where(BudgetUnit.code == "360922-001"))
        )
        all_codes = set(session.scalars(select(Project.code)))
    assert own_codes and own_codes != all_codes
    submitter = signed_in("zhang.san")
    response = submitter.get("/projects/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    *rows, totals = list(_sheet(response.data).iter_rows(min_row=3, values_only=True))
    assert {r[2] for r in rows} == {own}
    assert {r[0] for r in rows} == own_codes
    assert totals[0] == f"合计（{len(own_codes)} 个项目）"
    # asking for the other unit gives nothing, not the other unit's rows
    other = submitter.get("/projects/export.xlsx?unit=2")
    assert list(_sheet(other.data).iter_rows(min_row=3, values_only=True)) == [
        ("合计（0 个项目）",) + (None,) * 3 + (0.0,) + (None,) * 4
    ]
    # the dashboard is the overseers' (403 to a submitter), and so is its download; the project
    # list is hers (her unit's rows), and so is its export (walkthrough 12, finding 10)
    assert submitter.get("/dashboard").status_code == 403
    assert submitter.get("/dashboard/results.xlsx?year=2025").status_code == 403
    assert submitter.get("/projects").status_code == 200


def test_the_download_buttons_carry_the_lists_filters(signed_in):
    finance = signed_in("li.si")
    page = finance.get("/projects?year=2025&stage=results_applied").text
    assert 'href="/projects/export.xlsx?year=2025&amp;stage=results_applied"' in page
    response = finance.get("/projects/export.xlsx?year=2025&stage=results_applied")
    ws = _sheet(response.data)
    assert ws["A1"].value == "2025年度项目清单（阶段：结果已应用）"
    *rows, _totals = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows and {r[5] for r in rows} == {"结果已应用"}
    assert 'href="/dashboard/results.xlsx?year=2025"' in finance.get("/dashboard?year=2025").text
    assert finance.get("/vendor/echarts/echarts.min.js").status_code == 200


def test_a_filtered_project_list_names_its_unit_and_fund_type_in_the_title(signed_in, demo_db):
    with demo_db.reading() as session:
        unit_id, unit = session.execute(
            select(BudgetUnit.id, BudgetUnit.name).where(BudgetUnit.code == "360922-001")
        ).one()
        shown = session.scalars(
            projects.listing(
                FINANCE, filters=ProjectFilter(year=2026, unit=unit_id, fund_type="general_public")
            )
        ).all()
    finance = signed_in("li.si")
    ws = _sheet(finance.get(f"/projects/export.xlsx?year=2026&unit={unit_id}&fund_type=general_public").data)
    assert ws["A1"].value == f"2026年度项目清单（{unit}，一般公共预算）"
    assert ws.cell(ws.max_row, 1).value == f"合计（{len(shown)} 个项目）"
    assert ws.cell(ws.max_row, 5).value == float(sum(p.amount for p in shown))
    results = _sheet(finance.get(f"/dashboard/results.xlsx?year=2025&unit={unit_id}").data)
    assert results["A1"].value == f"2025年度绩效评价结果汇总表（{unit}）"


def test_a_word_in_a_number_column_is_centred_among_the_numbers():
    """The ranking's 「未抽查」 in the 自评准确性 column (R-AS-1) stands centred, numbers keep their format."""
    workbook = exports._new_workbook()
    sheet = exports._Sheet(
        workbook,
        "考核排名",
        "考核排名",
        (exports.Column("单位", 20), exports.Column("得分", 10, exports.SCORE)),
    )
    sheet.row(["甲", "未抽查"])
    sheet.row(["乙", 9.5])
    ws = _sheet(exports._saved(workbook))
    word, number = ws["B3"], ws["B4"]
    assert word.value == "未抽查" and word.alignment.horizontal == "center"
    assert (
        number.value == 9.5 and number.number_format == exports.SCORE and number.alignment.horizontal is None
    )
