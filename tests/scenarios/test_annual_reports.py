"""年度报告 (DOMAIN R-RA-4, R-SM-1): the year's reports upward, generated from the year's data,
written by the performance office and released only once leadership approves them."""

from __future__ import annotations

from datetime import UTC

import pytest

from tests.scenarios.conftest import YEAR, moment
from workflows import commands, policy
from workflows.errors import Conflict, Forbidden, FormInvalid
from workflows.queries import annual_reports, dashboard
from workflows.queries.project_filter import ProjectFilter

OFFICE = policy.Actor("zhou.perf", frozenset({"performance_office"}))
LEADER = policy.Actor("liu.leader", frozenset({"leadership"}))
FINANCE = policy.Actor("li.si", frozenset({"finance_reviewer"}), office_units=frozenset())
UNIT = policy.Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=1)
TEXT = {
    "ar_highlights": "全面实施预算绩效管理，事前评估、目标管理、运行监控、评价和结果应用闭环运行。",
    "ar_problems": "个别单位绩效目标不够量化，自评质量有待提高。",
    "ar_next_steps": "扩大重点评价范围，强化评价结果与预算安排挂钩。",
}


def report_task(paths, iid, spec):
    [task] = paths.tasks(iid, spec)
    return task


def test_R_RA_4_the_evaluation_report_is_due_by_30_september_of_the_next_year(paths):
    iid = commands.annual_reports.start_annual_report(paths.db, YEAR, "evaluation", actor=OFFICE)
    task = report_task(paths, iid, "ar_draft")
    assert (task.role, task.due_at) == (
        "performance_office",
        moment(f"{YEAR + 1}-09-30T23:59:59").astimezone(UTC),
    )


def test_R_SM_1_the_work_summary_is_due_by_30_november_of_the_year(paths):
    iid = commands.annual_reports.start_annual_report(paths.db, YEAR, "summary", actor=OFFICE)
    assert report_task(paths, iid, "ar_draft").due_at == moment(f"{YEAR}-11-30T23:59:59").astimezone(UTC)


def test_R_RA_4_a_report_is_released_only_after_leadership_approves_it(paths):
    iid = commands.annual_reports.start_annual_report(paths.db, YEAR, "evaluation", actor=OFFICE)
    commands.complete_task(paths.db, report_task(paths, iid, "ar_draft").id, TEXT, actor=OFFICE)
    approve = report_task(paths, iid, "ar_approve")
    assert approve.role == "leadership"
    with pytest.raises(FormInvalid) as refused:  # a return needs its reason
        commands.complete_task(paths.db, approve.id, {"ar_decision": "退回修改"}, actor=LEADER)
    assert "ar_comment" in refused.value.fields
    commands.complete_task(
        paths.db, approve.id, {"ar_decision": "退回修改", "ar_comment": "补充结果应用情况"}, actor=LEADER
    )
    with paths.db.reading() as session:
        [draft] = annual_reports.listing(session, OFFICE)
        assert draft.status == "drafting" and annual_reports.listing(session, FINANCE) == []
    commands.complete_task(paths.db, report_task(paths, iid, "ar_draft").id, TEXT, actor=OFFICE)
    commands.complete_task(
        paths.db, report_task(paths, iid, "ar_approve").id, {"ar_decision": "同意发布"}, actor=LEADER
    )
    with paths.db.reading() as session:
        [released] = annual_reports.listing(session, FINANCE)  # every overseer reads a released report
        assert released.status == "released" and released.released_at is not None
        assert annual_reports.narrative(session, iid) == TEXT
        assert annual_reports.listing(session, UNIT) == []  # not a unit's document


def test_one_report_of_a_kind_a_year_and_only_the_office_writes_it(paths):
    commands.annual_reports.start_annual_report(paths.db, YEAR, "evaluation", actor=OFFICE)
    with pytest.raises(Conflict):
        commands.annual_reports.start_annual_report(paths.db, YEAR, "evaluation", actor=OFFICE)
    with pytest.raises(Forbidden):
        commands.annual_reports.start_annual_report(paths.db, YEAR, "summary", actor=FINANCE)
    with pytest.raises(FormInvalid) as refused:
        commands.annual_reports.start_annual_report(paths.db, 1899, "memo", actor=OFFICE)
    assert set(refused.value.fields) == {"year", "kind"}


def test_the_documents_figures_are_the_bureaus_whole_year(paths):
    """The document is the same for every reader: the year's figures over every unit, the graded
    projects with their cuts (R-RA-1), equal to the dashboard's."""
    iid = paths.start()
    paths.to_evaluation(iid)
    paths.evaluate(iid, 75.0)
    with paths.db.reading() as session:
        facts = annual_reports.facts(session, YEAR)
        board = dashboard.build(session, policy.Actor.system(), ProjectFilter(year=YEAR))
        assert (facts.board.total.count, facts.board.total.amount) == (board.total.count, board.total.amount)
        [line] = facts.results
        assert (line.grade, float(line.score)) == ("中", 75.0)
        shares = annual_reports.grade_shares(facts.board)
        assert [(g, n) for g, n, _share in shares] == [("优", 0), ("良", 0), ("中", 1), ("差", 0)]


def test_R_RA_4_the_report_is_named_in_the_inbox_and_keeps_its_deadline_once_released(paths):
    """An annual report's task names its report in the inbox (no project to show), and the
    released report still says by when it was due (报送期限)."""
    from workflows.queries import inbox

    iid = commands.annual_reports.start_annual_report(paths.db, YEAR, "evaluation", actor=OFFICE)
    commands.complete_task(paths.db, report_task(paths, iid, "ar_draft").id, TEXT, actor=OFFICE)
    with paths.db.reading() as session:
        [row] = [r for r in inbox.tasks(session, LEADER, "claimable").items if r.instance_id == iid]
        assert row.report_title == f"{YEAR}年度预算绩效评价结果报告" and row.project_id is None
    commands.complete_task(
        paths.db, report_task(paths, iid, "ar_approve").id, {"ar_decision": "同意发布"}, actor=LEADER
    )
    with paths.db.reading() as session:
        [released] = annual_reports.listing(session, OFFICE)
        assert released.status == "released"
        assert released.due_at == moment(f"{YEAR + 1}-09-30T23:59:59").astimezone(UTC)
