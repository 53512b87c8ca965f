"""The project list, page and API alike: every project the user may read, a page at a time.

Both read ``workflows.queries.projects.listing`` through ``db.paginate`` and take the same
query arguments (``schemas.ProjectQuery``): ``q``, ``page``, ``per_page`` (default 50, at most 100).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from workflows import clock
from workflows.store import BudgetUnit, Project


def _many_projects(db, count: int, unit_code: str = "U001") -> None:
    with db.unit_of_work() as session:
        unit = session.scalar(select(BudgetUnit).where(BudgetUnit.code == unit_code))
        for n in range(count):
            session.add(
                Project(
                    code=f"BULK-{n:03d}",
                    name=f"批量项目{n}",
                    unit=unit,
                    fiscal_year=2026,
                    amount=1,
                    created_at=clock.now(),
                )
            )
        session.commit()


def test_project_list_is_paginated_with_its_total(api, db_of):
    _many_projects(db_of, 55)  # + 3 demo projects of U001
    me = api("zhang.san")
    first = me.get("/api/v1/projects").json
    assert (len(first["items"]), first["total"], first["page"], first["per_page"]) == (50, 58, 1, 50)
    last = me.get("/api/v1/projects?page=3&per_page=25").json
    assert (len(last["items"]), last["total"], last["page"], last["per_page"]) == (8, 58, 3, 25)
    seen = {
        p["code"]
        for page in (1, 2, 3)
        for p in me.get(f"/api/v1/projects?page={page}&per_page=25").json["items"]
    }
    assert len(seen) == 58
    assert me.get("/api/v1/projects?page=9").json["items"] == []
    assert [p["code"] for p in me.get("/api/v1/projects?q=BULK-054").json["items"]] == ["BULK-054"]


def test_project_list_refuses_bad_paging_per_field(api):
    me = api("zhang.san")
    for query, field in (
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=abc", "page"),
        ("page=0", "page"),
    ):
        response = me.get(f"/api/v1/projects?{query}")
        assert response.status_code == 400 and set(response.json["fields"]) == {field}, query


def _rows(html: str) -> list[str]:
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', html)


def test_project_page_lists_every_project_a_page_at_a_time(web, db_of):
    _many_projects(db_of, 55)
    me = web("zhang.san")
    first = me.get("/projects").text
    assert len(_rows(first)) == 50 and "共 58 条" in first and 'href="/projects?page=2"' in first
    second = me.get("/projects?page=2").text
    assert len(_rows(second)) == 8 and 'href="/projects?page=1"' in second and "page=3" not in second
    assert len(set(_rows(first)) | set(_rows(second))) == 58


def test_project_page_search_keeps_its_query_across_pages(web, db_of):
    _many_projects(db_of, 30)
    page = web("zhang.san").get("/projects?q=批量&per_page=20").text
    assert len(_rows(page)) == 20 and "共 30 条" in page
    assert "page=2" in page and "per_page=20" in page and "q=%E6%89%B9%E9%87%8F" in page


def test_project_page_refuses_bad_paging_like_the_api(web):
    response = web("zhang.san").get("/projects?per_page=1000")
    assert response.status_code == 400 and "per_page" in response.text
