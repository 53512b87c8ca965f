"""Every long list is paged, sorted by its headers and exportable (issue 12, item 7): one
mechanism (queries/paging.py, server/listing.py, templates/_list.html) on each list page."""

from __future__ import annotations

import re
import time
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests.server.test_project_list import _many_projects
from workflows import clock
from workflows.store import ExportJob, Notification, Project, User


def _column(html: str, table: str, index: int) -> list[str]:
    """The text of column ``index`` of each body row of table ``#table`` (a tag beside it, 重大, left out)."""
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    untagged = [
        [re.sub(r'<span class="tag[^"]*"[^>]*>.*?</span>', "", cell) for cell in row] for row in cells
    ]
    return [re.sub(r"<[^>]+>", "", c[index]).strip() for c in untagged if len(c) > index]


def _body(data: bytes) -> list[list]:
    ws = load_workbook(BytesIO(data)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    return [r for r in rows if not str(r[0] or "").startswith("合计（")]  # the 项目清单's totals row


def test_project_list_sorts_by_a_header_and_pages_in_that_order(web, db_of):
    _many_projects(db_of, 12)  # amounts all 1: the tie-break (code) keeps the order total
    me = web("zhou.perf")  # the performance office reads every project
    first = me.get("/projects?sort=amount&dir=desc&per_page=5").text
    second = me.get("/projects?sort=amount&dir=desc&per_page=5&page=2").text
    with db_of.reading() as session:
        expected = (
            session.execute(select(Project.code).order_by(Project.amount.desc(), Project.code))
            .scalars()
            .all()
        )
    assert _column(first, "projects", 0) + _column(second, "projects", 0) == expected[:10]
    # the header shows the order with an arrow and links to the flipped order, first page
    assert re.search(
        r'data-sort-key="amount" aria-sort="descending"><a href="[^"]*sort=amount&amp;dir=asc', first
    )
    assert "▼" in first
    assert 'rel="next"' in first and "per_page=5" in re.search(r'<a href="([^"]*)" rel="next"', first).group(
        1
    )


def test_an_unknown_sort_key_is_the_default_order(web, db_of):
    me = web("li.si")
    odd = me.get("/projects?sort=drop%20table&dir=desc").text
    plain = me.get("/projects").text
    assert _column(odd, "projects", 0) == _column(plain, "projects", 0)


def test_project_export_follows_the_order_shown(web, db_of):
    me = web("li.si")
    html = me.get("/projects?sort=name&dir=asc").text
    data = me.get("/projects/export.xlsx?sort=name&dir=asc").data
    assert [row[1] for row in _body(data)] == _column(html, "projects", 1)


def test_users_list_is_paged_and_sorted_and_exported_as_shown(web, db_of):
    me = web("admin")
    pages = [me.get(f"/admin/users?sort=username&dir=desc&per_page=4&page={n}").text for n in (1, 2)]
    shown = _column(pages[0], "users", 0) + _column(pages[1], "users", 0)
    with db_of.reading() as session:
        names = sorted(session.scalars(select(User.username)), reverse=True)
    assert shown == names[:8]
    data = me.get("/admin/users.xlsx?sort=username&dir=desc").data
    assert [row[0] for row in _body(data)] == names
    assert me.get("/admin/users.xlsx").status_code == 200
    assert web("li.si").get("/admin/users.xlsx").status_code == 403


def test_notices_are_paged_oldest_first_when_asked(web, db_of):
    with db_of.unit_of_work() as session:
        for n in range(5):
            session.add(
                Notification(
                    username="li.si", kind="notice", subject=f"通知{n}", message="…",
                    created_at=clock.now().replace(microsecond=n),
                )
            )  # fmt: skip
        session.commit()
    me = web("li.si")
    html = me.get("/notices?sort=time&dir=asc&per_page=3&page=2").text
    subjects = re.findall(r"<strong>(通知\d)</strong>", html)
    assert subjects == ["通知3", "通知4"]
    assert "第 2 / 2 页" in html


def test_dashboard_units_table_sorts_by_its_headers(web, db_of):
    me = web("zhou.perf")
    html = me.get("/dashboard?units_sort=code&units_dir=desc").text
    codes = _column(html, "units", 0)
    assert codes == sorted(codes, reverse=True) and len(codes) == 2
    assert 'data-sort-key="code" aria-sort="descending"' in html


def _wait(me, url: str) -> dict:
    for _ in range(600):  # the worker thread writes the file; poll as the page does
        job = me.get(url).json
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"export job never finished: {job}")


def test_a_long_export_runs_in_the_background_with_progress_and_a_download(web, app, db_of):
    app.config["JIXIAO_EXPORT_DIRECT_ROWS"] = 2  # the office's three projects count as a long list
    me = web("li.si")
    page = me.get("/projects?sort=code&dir=desc").text
    assert 'class="export-job"' in page and 'data-rows="3"' in page
    started = me.post("/exports/projects", data={"args": "sort=code&dir=desc"})
    assert started.status_code == 202
    job = _wait(me, started.json["status_url"])
    assert (job["status"], job["percent"], job["done"], job["total"]) == ("done", 100, 3, 3)
    data = me.get(job["download_url"]).data
    assert [row[0] for row in _body(data)] == _column(page, "projects", 0)
    # the job is its owner's: another user sees nothing
    other = web("he.fin")
    assert other.get(job["status_url"]).status_code == 404
    assert other.get(job["download_url"]).status_code == 404
    with db_of.reading() as session:
        assert session.scalar(select(ExportJob.owner).where(ExportJob.id == job["id"])) == "li.si"


def test_an_export_kind_the_user_may_not_read_is_not_found(web):
    assert web("li.si").post("/exports/users", data={"args": ""}).status_code == 404
    assert web("li.si").post("/exports/nonsense", data={"args": ""}).status_code == 404


def test_operations_instances_are_paged_and_sorted_by_their_headers(web, db_of):
    from workflows.store import ProcessInstance

    me = web("admin")
    html = me.get("/ops/?sort=id&dir=desc&per_page=2&page=2").text
    with db_of.reading() as session:
        ids = sorted(session.scalars(select(ProcessInstance.id)), reverse=True)
    assert _column(html, "instances", 0) == [str(i) for i in ids[2:4]]
    assert 'data-sort-key="id" aria-sort="descending"' in html


def test_inbox_headers_sort_and_the_pager_keeps_the_order(web):
    me = web("zhang.san")
    html = me.get("/inbox?sort=created&dir=asc&per_page=1").text
    assert 'data-sort-key="created" aria-sort="ascending"' in html
    flipped = re.search(r'data-sort-key="created"[^>]*><a href="([^"]*)"', html).group(1)
    assert "sort=created" in flipped and "dir=desc" in flipped
    next_page = re.search(r'<a href="([^"]*page=2[^"]*)"', html).group(1)
    assert "sort=created" in next_page and "dir=asc" in next_page
    first, second = (me.get(f"/inbox?sort=created&dir=asc&per_page=1&page={n}").text for n in (1, 2))
    both = me.get("/inbox?sort=created&dir=asc&per_page=2").text
    assert _column(first, "inbox", 0) + _column(second, "inbox", 0) == _column(both, "inbox", 0)


def test_units_and_expert_pool_tables_are_sorted_by_their_headers(web, db_of):
    me = web("admin")
    units = me.get("/admin/units?sort=code&dir=desc").text
    assert _column(units, "units", 0) == ["U002", "U001"]
    experts = me.get("/admin/experts?sort=username&dir=asc&per_page=2&page=2").text
    assert _column(experts, "experts", 0) == ["zhao.expert"]  # sun, wang | zhao
