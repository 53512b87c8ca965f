"""部门整体支出 department-wide expenditure in Chromium, from an empty database (issue 11, item 1).

The operator migrates, deploys ``bpmn/`` and imports the bureau's people (the journeys' CSV);
then, through the pages only: the performance office opens fiscal year 2027 on the 年度 page
(first without the approval date: a field error, nothing opened) → 住建局's submitter finds the
department-wide targets in the inbox and files them → 经济建设科's reviewer (住建局's office,
R-RL-1) approves and scores them while 行政政法科 sees nothing of 住建局 → the 年度 page shows the
score → time passes to the end of June (``jixiao timers run-due``) and the monitoring report
appears in the submitter's inbox (R-MN-6).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import YJ, ZJ
from tests.journeys.desk import Desk
from tests.journeys.test_year_in_chromium import desks  # noqa: F401  (everyone's desk)
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZJ_NAME = "万载县住房和城乡建设局"
TARGETS, REVIEW, MONITORING = (
    "填报部门整体支出绩效目标",
    "财政审核部门整体支出绩效目标",
    "填报部门整体支出绩效监控报告",
)


def day(when: str) -> None:
    clock.set_now(clock.parse_moment(when))


def open_year(zhou: Desk, year: str, approved: str) -> None:
    page = zhou.page
    page.goto(zhou.base + "/inbox")
    page.click("nav >> text=年度")
    page.fill("input[name=year]", year)
    page.fill("input[name=budget_approved_on]", approved)
    with page.expect_navigation():
        page.click("#open-year button[type=submit]")


def unit_row(desk: Desk, code: str):
    return desk.page.locator(f"#department-wide tr[data-unit='{code}']")


def test_R_DW_1_a_department_wide_year_through_the_pages(year, desks, shots):  # noqa: F811
    day("2027-01-25T09:00")  # the 2027 budget was approved on January 20

    # --- 1. the performance office opens the year on the 年度 page -----------------------------
    zhou = desks("perf.zhou")
    open_year(zhou, "2027", "")
    assert zhou.field_errors() == {"budget_approved_on": "此项为必填项"}
    assert zhou.page.locator("#department-wide").count() == 0  # nothing opened
    zhou.look("01-year-without-approval-date")
    open_year(zhou, "2027", "2027-01-20")
    assert "已开启 2027 年度" in zhou.page.locator(".flash").inner_text()
    zj = unit_row(zhou, ZJ)
    assert "填报绩效目标" in zj.inner_text() and "2027年2月9日" in zj.inner_text()
    assert unit_row(zhou, YJ).count() == 1  # every unit has its cycle
    zhou.look("02-year-opened")

    # --- 2. 住建局's submitter files the department-wide targets from the inbox ---------------
    tian = desks("zj.tian")
    assert TARGETS in tian.waiting()
    tian.open_task(TARGETS, ZJ_NAME)
    tian.fill(
        {
            "dw_duties": "负责全县住房保障、城乡建设、建筑市场监管和城市基础设施建设管理。",
            "dw_annual_goal": "完成老旧小区改造3个、保障性住房分配500套，预算执行率95%以上。",
            "dw_budget_total": "2680",
            "indicators-0-level1": "产出指标",
            "indicators-0-level2": "数量指标",
            "indicators-0-name": "老旧小区改造数量",
            "indicators-0-direction": "≥",
            "indicators-0-target_value": "3",
            "indicators-0-unit": "个",
            "indicators-0-weight": "60",
            "indicators-1-level1": "满意度指标",
            "indicators-1-level2": "服务对象满意度指标",
            "indicators-1-name": "居民满意度",
            "indicators-1-direction": "≥",
            "indicators-1-target_value": "90",
            "indicators-1-unit": "%",
            "indicators-1-weight": "40",
        }
    )
    tian.look("03-department-wide-targets")
    tian.submit()
    assert TARGETS not in tian.waiting()

    # --- 3. 经济建设科 reviews 住建局's targets; 行政政法科 sees none of it (R-RL-1) ---------------
    assert desks("fin.he").waiting() == []
    li = desks("fin.li")
    assert REVIEW in li.waiting()
    li.open_task(REVIEW, ZJ_NAME)
    li.claim()
    li.fill({"dw_tr_decision": "通过", "dw_tr_score": "92", "dw_tr_comment": "职责清晰，目标量化，同意。"})
    li.look("04-finance-reviews-targets")
    li.submit()

    zhou.page.goto(zhou.base + "/years?year=2027")
    zj = unit_row(zhou, ZJ)
    assert zj.get_attribute("data-stage") == "monitoring_wait"
    assert "等待6月底监控节点" in zj.inner_text() and "92" in zj.inner_text()
    zhou.look("05-targets-scored")

    # --- 4. the end of June: the monitoring report appears (R-MN-6) ---------------------------
    year.jixiao.run_due("2027-06-29T09:00")
    assert MONITORING not in tian.waiting()
    year.jixiao.run_due("2027-06-30T18:00")
    assert MONITORING in tian.waiting()
    tian.open_task(MONITORING, ZJ_NAME)
    assert "2027" in tian.page.inner_text("main")
    tian.look("06-monitoring-report-due")
    zhou.page.goto(zhou.base + "/years?year=2027")
    assert unit_row(zhou, ZJ).get_attribute("data-stage") == "monitoring"
    # 应急局 never filed its targets: past February 9 its cycle is overdue
    assert "已逾期" in unit_row(zhou, YJ).inner_text()
    zhou.look("07-june-status")

    found = [p for d in desks.opened.values() for p in d.problems]
    assert not found, found
