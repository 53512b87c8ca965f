"""At 390 px (walkthrough 12, finding 6): no page scrolls sideways, and the key columns of the
lists a phone reader opens (总分, 评价等级, 金额) are on screen, the rows stacked as cards the way
the inbox shows them; the annual report's grade bars shrink into their card."""

from __future__ import annotations

import pytest

from demo import paths
from tests.browser.pages import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}


def _fits(page, selector: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cells = page.locator(selector)
    assert cells.count() > 0, selector
    for i in range(min(cells.count(), 6)):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector


def test_key_columns_stay_on_a_phone_screen(own_demo_server, page, tmp_path):
    base, last_year = own_demo_server, paths.this_fiscal_year() - 1
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/public/{last_year}")  # no login: the public page
    _fits(page, "#public-results-table td[data-label]")
    page.goto(f"{base}/public/{last_year + 1}")  # this year's July 通报
    _fits(page, "#ranking td.total")
    page.screenshot(path=str(tmp_path / "public-390.png"), full_page=True)
    login(page, base, "zhou.perf")
    page.goto(f"{base}/projects?year={last_year}")
    _fits(page, "#projects td.num")  # 金额
    page.goto(f"{base}/annual-reports")
    page.fill("input[name=year]", str(last_year))
    page.select_option("select[name=kind]", "evaluation")
    page.click("form[action$='/annual-reports'] button[type=submit]")
    page.click("tr[data-report] a")
    page.wait_for_selector("#document")
    _fits(page, "#document svg.chart")
    _fits(page, "#annual-results td[data-label]")
    page.screenshot(path=str(tmp_path / "annual-390.png"), full_page=True)
