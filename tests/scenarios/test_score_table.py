"""本级部门单位项目支出绩效评价打分表 the level's consolidated score table (DOMAIN R-EV-3):
a row per project with each scorer's points, filled as reviews complete, confirmed by finance,
scoped as R-RL-1 says, exported in the bureau's layout."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from demo import form_data as forms
from tests.scenarios.conftest import OFFICE, YEAR
from workflows import commands, policy
from workflows.errors import BusinessRuleRefused, Forbidden
from workflows.queries import score_table


def table(paths, actor=OFFICE):
    with paths.db.reading() as session:
        return list(score_table.lines(session, actor, YEAR))


@pytest.fixture
def year_of_three(paths):
    """Three projects of the year: one scored by finance, one by a third party, one not yet."""
    scored = paths.start()
    paths.to_evaluation(scored)
    paths.evaluate(scored, 85.0)
    third = paths.start(project_name="高标准农田建设项目")
    paths.to_evaluation(third)
    paths.evaluate(third, 78.0, select_third_party=True)
    paths.do(third, "ev_third_party", forms.third_party_evaluation(91.5))
    waiting = paths.start(project_name="饮水安全巩固提升项目")
    return scored, third, waiting


def test_R_EV_3_score_table_has_one_row_per_project_with_each_scorers_points(paths, year_of_three):
    scored, third, waiting = year_of_three
    rows = {line.project_id: line for line in table(paths)}
    assert len(rows) == 3
    first = rows[paths.project_row(scored).id]
    self_total = round(paths.data(scored)["ev_self_total"], 2)
    assert (first.self_total, first.finance_score, first.final_score, first.grade) == (
        self_total,
        85,
        85,
        "良",
    )
    assert first.panel_score is None and first.third_party_score is None
    assert first.budget_cut_ratio == 0 and first.cap_reason is None
    tp = rows[paths.project_row(third).id]
    assert (tp.finance_score, tp.third_party_score, tp.final_score, tp.grade) == (78, 91.5, 91.5, "优")
    blank = rows[paths.project_row(waiting).id]
    assert (blank.self_total, blank.finance_score, blank.final_score, blank.grade) == (None, None, None, None)


def test_R_EV_3_the_cap_and_its_reason_are_on_the_row(paths):
    """R-EV-5 / R-MN-4 caps show why the grade is below its band."""
    iid = paths.start()
    paths.to_evaluation(iid)
    paths.evaluate(iid, 95.0, audit_findings=True)
    [line] = table(paths)
    assert (line.final_score, line.grade, line.cap_reason) == (95, "中", "审计发现问题：不得评为优、良")
    assert line.budget_cut_ratio == 0.1


def test_R_EV_3_export_matches_the_table_cell_for_cell(paths, year_of_three):
    with paths.db.reading() as session:
        data = score_table.workbook(session, OFFICE, YEAR)
        expected = [
            score_table.cells(i, line) for i, line in enumerate(score_table.lines(session, OFFICE, YEAR), 1)
        ]
    sheet = load_workbook(BytesIO(data)).active
    assert sheet.title == "评价打分表"
    assert sheet["A1"].value == f"{YEAR}年度本级部门单位项目支出绩效评价打分表"
    assert "A1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == [c.header for c in score_table.COLUMNS]
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert body == expected and len(body) == 3
    assert sheet.cell(3, 5).number_format == "#,##0.00" and sheet.cell(3, 13).number_format == "0.0%"
    assert sheet.cell(3, 6).number_format == "0.00"
    assert sheet.column_dimensions["D"].width == 32


def test_R_EV_3_a_year_with_no_evaluated_project_cannot_be_confirmed(paths):
    """A table of dashes is not a result: confirming before any project is evaluated is refused."""
    paths.start()
    with pytest.raises(BusinessRuleRefused, match="尚无项目完成评价"):
        commands.confirm_score_table(paths.db, YEAR, actor=OFFICE)


def test_R_EV_3_finance_confirms_and_a_later_change_shows(paths, year_of_three):
    """The performance office confirms the year's table (audited); a row changed afterwards shows
    确认后变更 until the table is confirmed again."""
    _scored, _third, waiting = year_of_three
    for role in ("finance_reviewer", "leadership", "unit_submitter"):
        with pytest.raises(Forbidden):
            commands.confirm_score_table(paths.db, YEAR, actor=policy.Actor(f"x.{role}", frozenset({role})))
    assert commands.confirm_score_table(paths.db, YEAR, actor=OFFICE) == 3
    with paths.db.reading() as session:
        assert score_table.confirmation(session, YEAR).confirmed_by == OFFICE.username
    assert not any(line.changed_after_confirmation for line in table(paths))
    paths.to_evaluation(waiting)
    paths.evaluate(waiting, 72.0)
    changed = [line for line in table(paths) if line.changed_after_confirmation]
    assert [line.project_id for line in changed] == [paths.project_row(waiting).id]
    assert changed[0].remark == score_table.CHANGED
    commands.confirm_score_table(paths.db, YEAR, actor=OFFICE)
    assert not any(line.changed_after_confirmation for line in table(paths))


def test_R_RL_1_a_finance_office_sees_its_own_units_rows(paths, year_of_three):
    own = policy.Actor("office.a", frozenset({"finance_reviewer"}), office_units=frozenset({paths.unit_id}))
    other = policy.Actor(
        "office.b", frozenset({"finance_reviewer"}), office_units=frozenset({paths.unit_id + 999})
    )
    assert len(table(paths, own)) == 3
    assert table(paths, other) == []
    assert not score_table.may_read(policy.Actor("u", frozenset({"unit_submitter"}), unit_id=paths.unit_id))
