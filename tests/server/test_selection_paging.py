"""The selection workbench's candidates a page at a time (issue 12, item 7; R-EV-2's order): paged
and sorted in SQL within each unit, the default order the rule's priority (key projects never
evaluated first, then one-off projects, then larger amounts); a save changes only the ticks of
the page it was made on."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.server.test_selection_pages import selection_bundle  # noqa: F401 (fixture)
from workflows.queries import selection
from workflows.store import Project, SelectionItem

ROW = re.compile(r'<tr data-project="(\d+)">')


def listed(page) -> list[int]:
    return [int(i) for i in ROW.findall(page.text)]


def pages(office, query: str) -> list[int]:
    found, number = [], 1
    while True:
        page = office.get(f"/selection/2026?per_page=2&page={number}{query}")
        assert page.status_code == 200
        found += listed(page)
        if 'rel="next"' not in page.text:
            return found
        number += 1


def test_the_candidates_page_in_the_rules_priority_order_unit_by_unit(web, db_of, selection_bundle):  # noqa: F811
    office = web("zhou.perf")
    office.post("/selection", {"fiscal_year": "2026"})
    with db_of.reading() as session:
        expected = [r.project_id for r in selection.workbench(session, 2026).rows]  # sorted in Python
    first = office.get("/selection/2026?per_page=2")
    assert (
        len(listed(first)) == 2 and 'id="candidates-pager"' in first.text and 'id="page-note"' in first.text
    )
    assert pages(office, "") == expected


def test_a_column_sorts_within_each_unit(web, db_of, selection_bundle):  # noqa: F811
    office = web("zhou.perf")
    office.post("/selection", {"fiscal_year": "2026"})
    order = pages(office, "&sort=amount&dir=desc")
    with db_of.reading() as session:
        facts = {
            p.id: (p.unit.name, p.amount)
            for p in session.scalars(select(Project).where(Project.fiscal_year == 2026))
        }
    expected = sorted(facts, key=lambda pid: (facts[pid][0], -facts[pid][1]))
    assert order == expected
    assert set(pages(office, "&sort=bogus")) == set(expected)  # an unknown key: the default order


def test_saving_a_page_changes_only_that_pages_ticks(web, db_of, selection_bundle):  # noqa: F811
    office = web("zhou.perf")
    office.post("/selection", {"fiscal_year": "2026"})
    first = listed(office.get("/selection/2026?per_page=2"))
    second = listed(office.get("/selection/2026?per_page=2&page=2"))
    body = {"lock_version": "1", "shown": [str(i) for i in second], "dept_eval": str(second[0])}
    saved = office.post("/selection/2026?per_page=2&page=2", body)
    assert saved.status_code == 302 and "page=2" in saved.headers["Location"]
    off_page = office.post(
        "/selection/2026?per_page=2",
        {"lock_version": "2", "shown": [str(i) for i in first], "dept_eval": str(second[1])},
    )
    assert off_page.status_code == 400  # a project not on the page cannot be ticked from it
    cleared = office.post(
        "/selection/2026?per_page=2", {"lock_version": "2", "shown": [str(i) for i in first]}
    )
    assert cleared.status_code == 302
    with db_of.reading() as session:
        ticked = set(
            session.scalars(select(SelectionItem.project_id).where(SelectionItem.category == "dept_eval"))
        )
    assert ticked == {second[0]}  # page 2's tick survived page 1's save
    live = office.post(
        "/selection/2026/check", {"shown": [str(i) for i in first], "dept_eval": str(first[0])}
    )
    assert live.status_code == 200 and "checks" in live.json
