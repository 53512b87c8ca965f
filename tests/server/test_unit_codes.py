"""A budget unit reads as a bureau lists it: its code beside its name wherever units are listed
(issue 10 item 6) — the inbox, the project list and its filters, the project and task pages,
the dashboard's units table, the users page."""

from __future__ import annotations

import re

from tests.server.conftest import open_task, project_id

CODE_BESIDE_NAME = re.compile(
    r'万载县住房和城乡建设局\s*(<br>)?\s*<small class="code" translate="no">U001</small>'
)


def test_the_unit_code_stands_beside_the_unit_name_in_lists_and_on_pages(web, db_of):
    submitter, reviewer = web("zhang.san"), web("li.si")
    inbox = submitter.get("/inbox?scope=claimable").text
    assert CODE_BESIDE_NAME.search(inbox)
    assert re.search(r'<option value="\d+"\s*>U001 万载县住房和城乡建设局</option>', inbox)  # the unit filter
    listing = reviewer.get("/projects").text
    assert CODE_BESIDE_NAME.search(listing) and "U001 万载县住房和城乡建设局</option>" in listing
    project = reviewer.get(f"/projects/{project_id(db_of, 'WZ2026-001')}").text
    assert CODE_BESIDE_NAME.search(project)
    task = open_task(db_of, project_code="WZ2026-001", task_spec="submit")
    assert CODE_BESIDE_NAME.search(submitter.get(f"/tasks/{task.id}").text)
    assert (
        '<td><span class="code" translate="no">U001</span> 万载县住房和城乡建设局</td>'
        in web("admin").get("/admin/users").text
    )


def test_the_dashboard_lists_each_unit_with_its_code(web):
    board = web("zhou.perf").get("/dashboard?year=2026").text
    for code, name in (("U001", "万载县住房和城乡建设局"), ("U002", "万载县应急管理局")):
        assert re.search(rf'<td>{name}<br><small class="code" translate="no">{code}</small></td>', board), (
            code
        )
