"""年度评价对象选取 in Chromium, from an empty database.

The operator migrates, deploys ``bpmn/`` and imports the bureau's people; the two units'
submitters declare their 2026 projects (``/api/v1/projects``, their own programs); then the
performance office opens 年度选取, starts 2026, ticks projects on the workbench and watches the
quotas recomputed as it ticks: 住建局's department evaluation at 19.9% of its funds fails, at
20.1% passes (R-EV-2); nine key third-party evaluations fail, ten pass (R-EV-4); confirming
before the spot-check draw is refused with the reason (R-EV-7); the draw shows its seed;
the confirmation closes the year, and the key-monitoring project is found by the project
list's filter (R-MN-7).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZJ_PROJECTS = [  # 住建局: 1,000 万元, so 199 is 19.9% and 201 is 20.1%
    ("WZ2026-ZJ-001", "城市污水管网维护", "600.00", False, True),
    ("WZ2026-ZJ-002", "市政路灯节能改造", "199.00", False, False),
    ("WZ2026-ZJ-003", "城市公园提升改造", "201.00", True, False),
]
YJ_PROJECTS = [(f"WZ2026-YJ-{n:03d}", f"应急能力建设项目{n}", "30.00", False, False) for n in range(1, 11)]


def declare(caller, rows) -> None:
    me = caller.call("GET", "/api/v1/me")
    for code, name, amount, is_new, is_major in rows:
        caller.call(
            "POST",
            "/api/v1/projects",
            201,
            json={
                "code": code,
                "name": name,
                "unit_id": me["unit_id"],
                "fiscal_year": 2026,
                "amount": amount,
                "fund_type": "general_public",
                "is_new": is_new,
                "is_major": is_major,
            },
        )


def quota(page, key: str):
    return page.locator(f'#quota-panel [data-quota="{key}"]')


def unit_quota(page, unit: str):
    return page.locator("section.unit-block", has_text=unit).locator(".quota")


def tick(page, name: str, category: str) -> None:
    page.get_by_label(f"{name} {category}", exact=True).check()


def test_R_EV_2_the_performance_office_selects_the_year_in_chromium(year, people, browser, serve, shots):
    clock.set_now(clock.parse_moment("2026-12-01T09:00"))
    declare(people("zj.tian"), ZJ_PROJECTS)
    declare(people("yj.lin"), YJ_PROJECTS)
    clock.set_now(clock.parse_moment("2027-02-10T09:00"))  # last year's projects are evaluated now

    office = Desk(browser, serve(year.url), "perf.zhou", shots)
    office.first_sign_in(year.one_time["perf.zhou"], OWN_PASSWORD)
    page = office.page
    page.click("nav >> text=年度选取")
    page.fill("#start-selection input[name=fiscal_year]", "2026")
    page.click("#start-selection button[type=submit]")
    page.wait_for_url(re.compile(r"/selection/2026$"))
    assert "已发起 2026 年度评价对象选取" in page.locator(".flash").inner_text()
    assert page.locator("#quota-summary").get_attribute("data-passed") == "0"
    # R-EV-2's hints: the one-off project and the never-evaluated key project come first
    zj_rows = page.locator("section.unit-block", has_text="万载县住房和城乡建设局").locator("tbody tr")
    assert "城市污水管网维护" in zj_rows.nth(0).inner_text() and "优先选择" in zj_rows.nth(0).inner_text()
    assert "一次性" in zj_rows.nth(1).inner_text()
    office.look("selection-01-workbench")

    # --- R-EV-2: 19.9% of 住建局's funds fails, 20.1% passes (recomputed as the box is ticked) ----
    tick(page, "市政路灯节能改造", "部门评价")
    zj = unit_quota(page, "万载县住房和城乡建设局")
    zj.filter(has_text="19.90%").wait_for()
    assert zj.get_attribute("data-passed") == "0" and "未达标" in zj.inner_text()
    office.look("selection-02-dept-eval-19-9")
    page.get_by_label("市政路灯节能改造 部门评价", exact=True).uncheck()
    tick(page, "城市公园提升改造", "部门评价")
    zj.filter(has_text="20.10%").wait_for()
    assert zj.get_attribute("data-passed") == "1"
    for n in (1, 2):
        tick(page, f"应急能力建设项目{n}", "部门评价")
    unit_quota(page, "万载县应急管理局").filter(has_text="20.00%").wait_for()

    # --- R-EV-3 (one expert review of 13 projects) and R-MN-7 (key monitoring) ------------------
    tick(page, "城市污水管网维护", "专家评审")
    tick(page, "城市污水管网维护", "财政重点监控")

    # --- R-EV-4: nine key third-party evaluations fail, ten pass ------------------------------
    tick(page, "城市污水管网维护", "第三方重点评价")
    for n in range(1, 9):
        tick(page, f"应急能力建设项目{n}", "第三方重点评价")
    third = quota(page, "third_party:count")
    third.filter(has_text="9 个项目").wait_for()
    assert third.get_attribute("data-passed") == "0"
    office.look("selection-03-nine-key-evaluations")
    tick(page, "市政路灯节能改造", "第三方重点评价")
    third.filter(has_text="10 个项目").wait_for()
    assert third.get_attribute("data-passed") == "1"
    page.click("#save-selection")
    assert "已保存" in page.locator(".flash").inner_text()

    # --- R-EV-7: confirming before the draw is refused, with the reason -----------------------
    page.click("#confirm-selection")
    refused = page.locator("#confirm-refused")
    assert "真实性抽查样本 0 个，应抽取 3 个" in refused.inner_text()
    office.look("selection-04-confirm-refused")
    page.click("#draw-sample")
    assert "已随机抽取 3 个真实性抽查样本" in page.locator(".flash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{16}", page.locator("#spot-seed").inner_text())
    assert page.locator("#quota-summary").get_attribute("data-passed") == "1"
    office.look("selection-05-drawn")

    page.fill("#confirm-form textarea[name=note]", "经局务会研究确定")
    page.click("#confirm-selection")
    assert "2026 年度评价对象选取已确认" in page.locator(".flash").inner_text()
    assert page.locator("#selection-status").get_attribute("data-status") == "confirmed"
    office.look("selection-06-confirmed")

    # --- R-MN-7: the project list finds the key-monitoring project ------------------------------
    page.goto(f"{office.base}/projects?key_monitoring=1")
    assert page.locator("#project-total").get_attribute("data-total") == "1"
    assert "城市污水管网维护" in page.locator("#projects").inner_text()
    office.look("selection-07-key-monitoring")
    office.close()
    assert not office.problems, office.problems
