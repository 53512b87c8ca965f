"""``make run``'s demo, built as ``make run`` builds it (``jixiao db upgrade``, ``jixiao deploy bpmn/``,
``jixiao demo load``): the demo's 住建局 submitter creates a project on the new-project page and
finds its ex-ante report in their inbox (issue 9: creating a project once failed whenever
``project_lifecycle`` was deployed, the demo's default)."""

from __future__ import annotations

import re

import pytest

import demo
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import BPMN, Jixiao
from tests.journeys.desk import Desk

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_site(empty_database, serve):
    jixiao = Jixiao(empty_database)
    jixiao("deploy", str(BPMN))
    jixiao("demo", "load")
    return serve(empty_database)


def test_the_demo_submitter_creates_a_project_and_reaches_its_ex_ante_report(browser, demo_site, shots):
    desk = Desk(browser, demo_site, "zhang.san", shots)
    desk.sign_in(demo.DEMO_PASSWORD)
    page = desk.page
    before = desk.waiting()

    page.click("nav >> text=项目")
    page.click("text=新建项目")
    page.fill("input[name=code]", "WZ2026-101")
    page.fill("input[name=name]", "城市公共停车场建设")
    # 项目期 defaults to the budget year: its placeholders show the year offered, then the year typed
    offered = page.input_value("input[name=fiscal_year]")
    assert page.get_attribute("input[name=period_start]", "placeholder") == offered
    page.fill("input[name=fiscal_year]", "2026")
    assert [
        page.get_attribute(f"input[name={n}]", "placeholder") for n in ("period_start", "period_end")
    ] == [
        "2026",
        "2026",
    ]
    page.fill("input[name=amount]", "286.5")
    # the unit as the bureau lists it: its code (万载县 360922) and its name
    assert (
        page.locator("select[name=unit_id] option:checked").inner_text()
        == "360922-001 万载县住房和城乡建设局"
    )
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    assert "项目已创建" in page.locator(".flash").inner_text()
    assert page.locator("dd[data-stage]").inner_text() == "事前绩效评估"
    assert "万载县住房和城乡建设局 360922-001" in page.locator("main dl").first.inner_text()
    assert "编制事前绩效评估报告" in page.locator("#current-steps").inner_text()
    desk.look("demo-project-created")

    # the report waits in the submitter's inbox, beside what the demo had already put there
    after = desk.waiting()
    assert after.count("编制事前绩效评估报告") == before.count("编制事前绩效评估报告") + 1
    desk.open_task("编制事前绩效评估报告", "城市公共停车场建设")
    assert "286.50 万元" in page.locator("#earlier-steps, main").first.inner_text()
    # 申请金额 starts as the project's amount (the unit may change it)
    assert page.input_value("input[name=ea_requested_amount_wan]") == "286.5"
    desk.look("demo-ex-ante-report")
    assert desk.problems == []
    desk.close()
