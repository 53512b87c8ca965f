"""The dashboard in Chromium (issue 12): li.si opens it, clicks a bar of the stage chart and a
figure of the units table, and lands on the project list filtered to the rows behind them.
A 1440 px screenshot stays in the test's tmp dir (``dashboard-1440.png``) for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.server.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))


def test_a_stage_bar_and_a_unit_figure_open_the_filtered_project_list(demo_server, page, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, demo_server, "li.si")
    page.click("nav >> text=统计分析")
    page.wait_for_url(re.compile(r"/dashboard"))
    page.select_option("select[name=year]", label="2025年度")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(re.compile(r"year=2025"))
    page.wait_for_selector("#stage-chart svg")
    page.screenshot(path=str(tmp_path / "dashboard-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    # the bar of 结果已应用 in the stage chart: find its pixel through the chart and click there,
    # in the middle of the bar and once the bar has grown there (ECharts animates bars in)
    legend = page.locator('#stage-figures a[data-stage="results_applied"]')
    expected = legend.get_attribute("data-count")
    for attempt in range(3):  # a layout shift after the chart drew can move the bar: measure again
        point = page.evaluate(
            """() => {
                const el = document.getElementById('stage-chart');
                const chart = echarts.getInstanceByDom(el);
                chart.resize();
                const data = JSON.parse(document.getElementById('dashboard-data').textContent).stages;
                const i = data.findIndex(s => s.url.includes('stage=results_applied'));
                const [x, y] = chart.convertToPixel({seriesIndex: 0}, [data[i].value / 2, i]);
                const box = el.getBoundingClientRect();
                return {x: box.left + x, y: box.top + y};
            }"""
        )
        page.wait_for_function(
            """([x, y]) => {
                const hit = document.elementFromPoint(x, y);
                return hit && hit.tagName === 'path' && document.getElementById('stage-chart').contains(hit);
            }""",
            arg=[point["x"], point["y"]],
        )
        page.mouse.click(point["x"], point["y"])
        try:
            page.wait_for_url(re.compile(r"/projects\?.*stage=results_applied"), timeout=5000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.wait_for_url(re.compile(r"/projects\?.*stage=results_applied"))
    assert "year=2025" in page.url
    assert page.locator("#project-total").get_attribute("data-total") == expected
    stages = page.locator("#projects tbody tr td:nth-child(6)").all_inner_texts()
    assert stages and set(stages) == {"结果已应用"}

    # a unit's 中 figure in the units table opens that unit's 中 projects
    page.go_back()
    figure = page.locator("#units tbody tr").first.locator("td:nth-child(7) a")
    count = figure.inner_text()
    figure.click()
    page.wait_for_url(re.compile(r"grade="))
    assert page.locator("#project-total").get_attribute("data-total") == count
    assert set(page.locator("#projects tbody tr td:nth-child(8)").all_inner_texts()) <= {"中"}


def test_the_office_filter_and_an_offices_overdue_figure_open_its_list(demo_server, page, tmp_path):
    """周敏 narrows the year to one 业务科室 (R-RL-1), then opens the office's projects from the
    overdue-by-office table; at 390 px the page does not scroll sideways."""
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, demo_server, "zhou.perf")
    page.goto(f"{demo_server}/dashboard?year=2026")
    office = page.locator("#offices tbody tr").first
    name = office.locator("td").first.inner_text()
    page.select_option("select[name=office]", label=name)
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(re.compile(r"office=\d+"))
    assert name in page.locator("h1").inner_text()
    assert page.locator("#offices tbody tr").count() == 1
    page.screenshot(path=str(tmp_path / "dashboard-office-1440.png"), full_page=True)
    projects = page.locator("#offices tbody tr td:nth-child(3) a")
    expected = projects.get_attribute("data-count")
    projects.click()
    page.wait_for_url(re.compile(r"/projects\?.*office=\d+"))
    assert page.locator("#project-total").get_attribute("data-total") == expected
    assert page.locator("select[name=office] option:checked").inner_text() == name

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_server}/dashboard?year=2026")
    page.wait_for_selector("#stage-chart svg")
    page.screenshot(path=str(tmp_path / "dashboard-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
