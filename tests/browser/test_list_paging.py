"""A long list in Chromium (issue 12, item 7): the performance office sorts the project list by
clicking a header, goes to page 2, and exports the sorted list in the background, watching the
progress reach 100% and downloading the file. Screenshots at 1440 and 390 px stay in the test's
tmp dir (``projects-1440.png``, ``projects-390.png``) for a person to look at."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.server.conftest import PASSWORD
from tests.server.test_project_list import _many_projects
from workflows.store import Project

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _codes(page) -> list[str]:
    return page.locator("#projects tbody tr td:first-child").all_inner_texts()


def test_sort_by_a_header_page_on_and_export_in_the_background(app, db, live_server, page, tmp_path):
    db_of = db
    _many_projects(db_of, 12)
    app.config["JIXIAO_EXPORT_DIRECT_ROWS"] = 10  # the 17 projects make a long list here
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "zhou.perf")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))
    page.goto(f"{live_server}/projects?per_page=5")

    page.click('#projects th[data-sort-key="name"] a')  # 名称 ascending
    page.wait_for_url(re.compile(r"sort=name&dir=asc"))
    page.click('#projects th[data-sort-key="name"] a')  # again: descending
    page.wait_for_url(re.compile(r"sort=name&dir=desc"))
    assert page.locator('#projects th[data-sort-key="name"]').get_attribute("aria-sort") == "descending"
    assert "▼" in page.locator('#projects th[data-sort-key="name"]').inner_text()
    with db_of.reading() as session:
        expected = list(session.scalars(select(Project.code).order_by(Project.name.desc(), Project.code)))
    first = _codes(page)
    page.screenshot(path=str(tmp_path / "projects-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    page.click("#pager a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=name" in page.url and "per_page=5" in page.url  # the order and size survive paging
    assert first + _codes(page) == expected[:10]
    assert "第 2 / 4 页" in page.locator("#pager").inner_text()

    page.click("#export-projects")  # a long list: written in the background
    progress = page.locator("#export-projects-form .percent")
    progress.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#export-projects-form .percent').textContent === '100%'")
    link = page.locator("#export-projects-form a.download")
    link.wait_for(state="visible")
    with page.expect_download() as download:
        link.click()
    data = open(download.value.path(), "rb").read()
    *rows, totals = list(load_workbook(BytesIO(data)).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert totals[0] == f"合计（{len(expected)} 个项目）"
    assert [r[0] for r in rows] == expected  # every row, in the order the list was sorted

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "projects-390.png"), full_page=True)
