"""The third-party pool and a target change in Chromium, from an empty database (issue 11,
items 5 and 6; DOMAIN R-TP-1..3, R-EV-4, R-TG-3, R-TG-6).

The operator migrates, deploys ``bpmn/`` and imports the bureau's people. 住建局's submitter
creates a continuing project and its targets are approved. The performance office admits a firm
(a wrong credit code first comes back beside its field), engages it for the project through
procurement, and runs the year's rating: it grades the firm on the pre-filled table, leadership
approves, and the firm's page shows the published rating with its fee coefficient. Then the unit
asks to change the approved targets and the budget from the project page; its head agrees;
finance sees the old and new targets side by side and approves; the project page shows version 2
with the new amount, flagged for re-publication, which the office then records.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD, ZJ
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT, CODE = "城市污水处理厂提标改造", "WZ2027-ZJ-101"
FIRM, CREDIT_CODE = "江西华信资产评估有限公司", "91360900MA35HX0017"


@pytest.fixture
def desks(browser, year, serve, shots):
    base = serve(year.url)
    opened: dict[str, Desk] = {}

    def desk(username: str) -> Desk:
        if username not in opened:
            opened[username] = Desk(browser, base, username, shots)
            opened[username].first_sign_in(year.one_time[username], OWN_PASSWORD)
        return opened[username]

    desk.base = base
    yield desk
    for each in opened.values():
        each.close()


def open_titled(desk: Desk, title: str) -> None:
    """Open a task without a project (the year's rating) from the inbox."""
    for scope in ("mine", "claimable"):
        desk.page.goto(f"{desk.base}/inbox?scope={scope}")
        link = desk.page.locator("#inbox tbody tr[data-task] td.task-cell a", has_text=title)
        if link.count():
            link.first.click()
            desk.page.wait_for_selector("form.task-form")
            return
    raise AssertionError(f"{desk.username} has no task {title!r}: {desk.waiting()}")


def test_the_office_rates_a_firm_and_finance_approves_a_target_change(year, desks, shots):
    clock.set_now(clock.parse_moment("2026-12-01T09:00"))

    # --- a continuing project whose targets finance approves ---------------------------------
    tian = desks("zj.tian")
    page = tian.page
    page.goto(f"{desks.base}/projects/new")
    page.fill("input[name=code]", CODE)
    page.fill("input[name=name]", PROJECT)
    page.select_option("select[name=unit_id]", label=f"{ZJ} 万载县住房和城乡建设局")  # code and name
    page.fill("input[name=fiscal_year]", "2027")
    page.fill("input[name=amount]", "1261.22")
    page.check("input[name=is_new][value='0']")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{desks.base}/projects/*")
    project_url = page.url
    tian.open_task("填报绩效目标", PROJECT)
    tian.fill(
        {
            "tg_midterm_funds": "1261.22",
            "tg_midterm_goal": "污水处理厂提标改造完成后长期稳定达标运行，改善锦江水质。",
            "tg_overall_goal": "污水处理厂出水达到一级A标准，日处理能力4万吨，周边群众满意度90%以上。",
            "tg_spending_basis": "按设计概算测算：提标工艺改造980万元，在线监测181.22万元，配套管网100万元。",
            "indicators-0-level1": "产出指标",
            "indicators-0-level2": "数量指标",
            "indicators-0-name": "日处理污水能力",
            "indicators-0-direction": "≥",
            "indicators-0-target_value": "4",
            "indicators-0-unit": "万吨",
            "indicators-0-weight": "70",
            "indicators-1-level1": "满意度指标",
            "indicators-1-level2": "服务对象满意度指标",
            "indicators-1-name": "周边群众满意度",
            "indicators-1-direction": "≥",
            "indicators-1-target_value": "90",
            "indicators-1-unit": "%",
            "indicators-1-weight": "30",
        }
    )
    tian.submit()
    li = desks("fin.li")
    li.open_task("财政审核绩效目标", PROJECT)
    li.claim()
    li.fill({"tg_decision": "通过", "tg_comment": "指标完整，目标值合理，同意批复。"})
    li.submit()

    # --- R-TP-1: the performance office admits a firm ------------------------------------------
    zhou = desks("perf.zhou")
    page = zhou.page
    page.click("nav >> text=第三方机构")
    page.fill("#admit input[name=name]", FIRM)
    page.fill("#admit input[name=credit_code]", "12345")
    page.fill("#admit input[name=contact]", "黄文斌 0795-8881201")
    page.click("#admit button[type=submit]")
    assert "18位" in zhou.field_errors()["credit_code"]
    zhou.look("01-admit-refused")
    page.fill("#admit input[name=credit_code]", CREDIT_CODE)
    page.click("#admit button[type=submit]")
    page.wait_for_selector("#engage")
    assert "已入库" in page.locator(".flash").inner_text()
    firm_url = page.url

    # --- R-EV-4: engaged for the project through procurement ------------------------------------
    page.fill("#engage input[name=project_code]", CODE)
    page.select_option("#engage select[name=procurement_method]", label="公开招标")
    page.fill("#engage input[name=contract_number]", "WZCG-2026-031")
    page.fill("#engage input[name=fee]", "0")
    page.click("#engage button[type=submit]")
    assert "委托费用" in zhou.field_errors()["fee"]
    page.fill("#engage input[name=fee]", "38.5")
    page.click("#engage button[type=submit]")
    page.wait_for_selector(".flash")
    assert PROJECT in page.locator("#engagements").inner_text()

    # --- R-TP-1, R-TP-3: the year's rating, approved and published -----------------------------
    page.click("nav >> text=第三方机构")
    page.fill("#start-rating input[name=year]", "2026")
    page.click("#start-rating button[type=submit]")
    page.wait_for_url(f"{desks.base}/inbox*")
    open_titled(zhou, "评定第三方机构工作质量")
    assert zhou.page.input_value("#ratings-0-institution") == FIRM
    assert zhou.page.input_value("#ratings-0-engagements") == "1"
    zhou.fill(
        {"ratings-0-grade": "优秀", "ratings-0-score": "93", "ratings-0-remarks": "报告质量高，按期完成"}
    )
    zhou.look("02-rating-table")
    assert "审定评级结果" in zhou.submit()
    liu = desks("lead.liu")
    open_titled(liu, "审定评级结果")
    liu.fill({"tp_decision": "同意", "tp_comment": "同意公开评级结果。"})
    liu.submit()
    zhou.page.goto(firm_url)
    ratings = zhou.page.locator("#ratings tbody tr[data-year='2026']").inner_text()
    assert "优秀" in ratings and "1.10" in ratings and "已公开" in ratings
    zhou.look("03-firm-page")

    # --- R-TG-3, R-TG-6: the unit asks to change its approved targets and budget -----------------
    page = tian.page
    page.goto(project_url)
    page.click("#request-target-change button")
    page.wait_for_selector("form.task-form")
    assert page.input_value("#indicators-0-name") == "日处理污水能力"  # the approved targets, pre-filled
    tian.fill(
        {
            "tc_reason": "省里提高排放标准，需增加深度处理单元，日处理能力提至5万吨。",
            "indicators-0-target_value": "5",
            "tc_new_amount": "1450",
        }
    )
    tian.look("04-change-request")
    assert "单位负责人审核" in tian.submit()
    head = desks("zj.head")
    head.open_task("单位负责人审核", PROJECT)
    head.fill({"tc_head_decision": "同意", "tc_head_comment": "同意报送。"})
    head.submit()
    li.open_task("财政审核目标调整", PROJECT)
    compare = li.page.locator("#target-change-compare").inner_text()
    assert "≥4万吨" in compare and "≥5万吨" in compare and "1,450" in compare.replace("１", "1")
    li.look("05-finance-compares")
    li.claim()
    li.fill({"tc_decision": "同意调整", "tc_comment": "调整理由充分，同意。"})
    li.submit()

    page.goto(project_url)
    versions = page.locator("#target-versions").inner_text()
    assert "第 2 版" in versions and "待重新公开" in versions
    assert "1,450" in page.locator("dl.facts").inner_text()
    tian.look("06-project-version-2")
    zhou.page.goto(project_url)
    zhou.page.click("#target-versions button")
    assert "已重新公开" in zhou.page.locator("#target-versions").inner_text()
    problems = [p for d in (tian, zhou, li, liu, head) for p in d.problems]
    assert not problems, problems
