"""The demo's longer lists are paged, sorted by their headers and exported as shown (issue 12,
item 7): the third-party pool and the disclosure register, read as the performance office."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import load_workbook

from workflows.queries import disclosure


def _column(html: str, table: str, index: int) -> list[str]:
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
    return [re.sub(r"<[^>]+>", "", r[index]).strip() for r in rows if len(r) > index]


def _body(data: bytes) -> list[list]:
    return [
        list(r) for r in load_workbook(BytesIO(data)).worksheets[0].iter_rows(min_row=3, values_only=True)
    ]


def test_the_third_party_pool_sorts_by_name_pages_and_exports_as_shown(signed_in):
    office = signed_in("zhou.perf")
    whole = office.get("/third-party?sort=name&dir=desc").text
    names = _column(whole, "institutions", 0)
    assert len(names) >= 2 and names == sorted(names, reverse=True)
    one = office.get("/third-party?sort=name&dir=desc&per_page=1&page=2").text
    assert _column(one, "institutions", 0) == names[1:2]
    assert 'data-sort-key="name" aria-sort="descending"' in whole
    rows = _body(office.get("/third-party.xlsx?sort=name&dir=desc").data)
    assert [r[0] for r in rows] == names
    assert signed_in("li.si").get("/third-party.xlsx").status_code == 404


def test_the_disclosure_register_sorts_by_title_pages_and_exports_as_shown(signed_in, demo_db):
    office = signed_in("zhou.perf")
    with demo_db.reading() as session:
        year = max(
            disclosure.register_years(session), key=lambda y: len(disclosure.register(session, y).rows)
        )
        expected = sorted(r.title for r in disclosure.register(session, year).rows)
    assert len(expected) >= 2
    first = office.get(f"/disclosure?year={year}&sort=title&dir=asc&per_page=1").text
    second = office.get(f"/disclosure?year={year}&sort=title&dir=asc&per_page=1&page=2").text
    assert _column(first, "register", 1) + _column(second, "register", 1) == expected[:2]
    assert f"共 {len(expected)} 条" in first
    rows = _body(office.get(f"/disclosure.xlsx?year={year}&sort=title&dir=asc").data)
    assert [r[1] for r in rows] == expected


def test_the_register_export_writes_due_dates_as_dates_and_keeps_the_overdue_mark(signed_in, demo_db):
    from datetime import datetime

    from workflows import clock

    office = signed_in("zhou.perf")
    today = clock.now().astimezone(clock.CHINA).date()
    with demo_db.reading() as session:
        years = [y for y in disclosure.register_years(session) if disclosure.register(session, y).rows]
        registers = {y: {r.title: r for r in disclosure.register(session, y).rows} for y in years}
    dated = late = 0
    for year, shown in registers.items():
        ws = load_workbook(BytesIO(office.get(f"/disclosure.xlsx?year={year}").data)).worksheets[0]
        for cells in ws.iter_rows(min_row=3):
            row = shown[cells[1].value]
            if row.due_on is None:
                assert cells[3].value == "未定"
            else:
                dated += 1
                assert isinstance(cells[3].value, datetime) and cells[3].value.date() == row.due_on
                assert cells[3].number_format == "yyyy-mm-dd"
            overdue = row.published_at is None and row.due_on is not None and row.due_on < today
            late += overdue
            assert (cells[4].value == "未公开（已逾期）") == overdue
    assert dated and late, "the demo has items with a 公开期限, some of them past it"
