"""预算年度 page and ``/api/v1/fiscal-years``: open a year, see each unit's department-wide cycle.

One schema for page and API (bad input → the same field errors, nothing stored); a finance
reviewer sees their office's units only (R-RL-1); units find their targets in their inbox.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from demo import department_wide as dw_forms
from workflows import clock, commands
from workflows.engine import specs
from workflows.policy import Actor
from workflows.store import BudgetUnit, FiscalYear, HumanTask, ProcessInstance
from workflows.timers import fire_due_timers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deployed(db_of):
    clock.set_now(clock.parse_moment("2027-01-25T09:00:00"))
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    return db_of


def counts(db):
    with db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(FiscalYear)),
            session.scalar(
                select(func.count())
                .select_from(ProcessInstance)
                .where(ProcessInstance.process_id == "department_wide")
            ),
        )


def test_the_performance_office_opens_a_year_on_the_page(web, deployed):
    office = web("zhou.perf")
    page = office.get("/years")
    assert page.status_code == 200 and "开启预算年度" in page.text
    done = office.post("/years", {"year": "2027", "budget_approved_on": "2027-01-20"})
    assert done.status_code == 302
    shown = office.get(done.headers["Location"]).text
    assert "万载县住房和城乡建设局" in shown and "万载县应急管理局" in shown
    assert "填报绩效目标" in shown and "2027年2月9日" in shown
    assert counts(deployed) == (1, 2)


BAD = {
    "no approval date": ({"year": 2027}, {"budget_approved_on"}),
    "date outside the year": ({"year": 2027, "budget_approved_on": "2026-12-30"}, {"budget_approved_on"}),
    "not a date": ({"year": 2027, "budget_approved_on": "明年一月"}, {"budget_approved_on"}),
    "no year": ({"budget_approved_on": "2027-01-20"}, {"year"}),
    "year out of range": ({"year": 1800, "budget_approved_on": "1800-01-20"}, {"year"}),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gets_the_same_field_errors_on_page_and_api(web, api, deployed, case):
    body, fields = BAD[case]
    page = web("zhou.perf").post("/years", {k: str(v) for k, v in body.items()})
    assert page.status_code == 400
    for field in fields:
        assert f'data-field="{field}"' in page.text
    answer = api("zhou.perf").post("/api/v1/fiscal-years", json=body)
    assert answer.status_code == 400, answer.text
    assert set(answer.json["fields"]) == fields
    assert counts(deployed) == (0, 0)


def test_the_api_opens_a_year_once_and_reports_its_status_by_office(api, deployed):
    office = api("zhou.perf")
    first = office.post("/api/v1/fiscal-years", json={"year": 2027, "budget_approved_on": "2027-01-20"})
    assert first.status_code == 201, first.text
    assert len(first.json["started"]["department_wide"]) == 2
    again = office.post("/api/v1/fiscal-years", json={"year": 2027, "budget_approved_on": "2027-01-20"})
    assert again.json["started"] == {"department_wide": []}
    everyone = office.get("/api/v1/fiscal-years/2027").json
    assert [u["unit_code"] for u in everyone["units"]] == ["U001", "U002"]
    # R-RL-1: 经济建设科 reviews U001 only
    mine = api("li.si").get("/api/v1/fiscal-years/2027").json
    assert [u["unit_code"] for u in mine["units"]] == ["U001"]
    assert mine["units"][0]["stage"] == "targets" and mine["units"][0]["due_at"].startswith("2027-02-09")


def test_only_the_performance_office_may_open_a_year(api, web, deployed):
    assert (
        api("li.si")
        .post("/api/v1/fiscal-years", json={"year": 2027, "budget_approved_on": "2027-01-20"})
        .status_code
        == 403
    )
    assert 'id="open-year"' not in web("li.si").get("/years").text
    assert web("zhang.san").get("/years").status_code == 404
    assert counts(deployed) == (0, 0)


def test_a_unit_finds_its_department_wide_targets_in_its_inbox(api, web, deployed):
    api("zhou.perf").post("/api/v1/fiscal-years", json={"year": 2027, "budget_approved_on": "2027-01-20"})
    inbox = web("zhang.san").get("/inbox").text
    assert "填报部门整体支出绩效目标" in inbox
    assert inbox.count("填报部门整体支出绩效目标") == 1  # its own unit's, not the other unit's


def test_the_year_page_reads_in_english_too(api, web, deployed):
    api("zhou.perf").post("/api/v1/fiscal-years", json={"year": 2027, "budget_approved_on": "2027-01-20"})
    office = web("zhou.perf")
    office.get("/lang/en")
    page = office.get("/years?year=2027").text
    assert "Open a fiscal year" in page and "Setting targets" in page and "Targets score" in page


_DW_OVERDUE = re.compile(r'id="dw-overdue" data-count="(\d+)"')


def shown_overdue(browser, year: int) -> tuple[int, int]:
    """(the year page's count, the dashboard's count) of the year's overdue department-wide work."""
    years = browser.get(f"/years?year={year}")
    board = browser.get(f"/dashboard?year={year}")
    assert years.status_code == board.status_code == 200
    return int(_DW_OVERDUE.search(years.text).group(1)), int(_DW_OVERDUE.search(board.text).group(1))


def test_the_year_page_and_the_dashboard_count_the_same_overdue_work(web, deployed):
    """One definition (queries.overdue): an open task past its due time. A cycle the deadline
    timer marked late no longer counts once the unit has handed its targets in, on either page."""
    office = web("zhou.perf")
    assert office.post("/years", {"year": "2027", "budget_approved_on": "2027-01-20"}).status_code == 302
    assert shown_overdue(office, 2027) == (0, 0)  # targets due February 9

    clock.set_now(clock.parse_moment("2027-02-12T09:00:00"))  # no timer has run yet
    assert shown_overdue(office, 2027) == (2, 2)
    assert shown_overdue(web("li.si"), 2027) == (1, 1)  # R-RL-1: 经济建设科 reviews U001 only
    assert "逾期待办 2 件" in office.get("/years?year=2027").text

    with deployed.reading() as session:
        task = session.scalar(
            select(HumanTask)
            .where(HumanTask.task_spec == "dw_targets", HumanTask.unit_id.is_not(None))
            .join(BudgetUnit, BudgetUnit.id == HumanTask.unit_id)
            .where(BudgetUnit.code == "U001")
        )
        session.expunge(task)
    fire_due_timers(deployed, task.instance_id, now=clock.now())  # the deadline marks the cycle late
    submitter = Actor("zhang.san", frozenset({task.role}), unit_id=task.unit_id)
    commands.complete_task(deployed, task.id, dw_forms.targets("万载县住房和城乡建设局"), actor=submitter)

    assert shown_overdue(office, 2027) == (1, 1)  # U002's targets are still owed
    assert shown_overdue(web("li.si"), 2027) == (0, 0)
    row = re.search(r'<tr data-unit="U001".*?</tr>', office.get("/years?year=2027").text, re.S).group(0)
    assert "已逾期" not in row and 'data-overdue="0"' in row
