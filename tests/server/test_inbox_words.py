"""The inbox in a clerk's words (walkthrough 12, finding 12): the process filter offers a unit's
clerk the processes of their own tasks, not every deployed one (「演示：…」 included); the
priority column reads 高 / 普通 / 低, not a bare 「50」."""

from __future__ import annotations

import re

from sqlalchemy import select

from workflows.store import HumanTask


def test_priority_reads_as_a_word(web, db_of):
    page = web("zhang.san").get("/inbox").text
    cells = re.findall(r'data-priority="(\d+)">([^<]*)</td>', page)
    assert cells and {word for _p, word in cells} <= {"高", "普通", "低"}
    assert ("50", "普通") in cells
    from server.labels import priority_name

    assert [priority_name(p) for p in (100, 75, 74, 50, 26, 25, 0, None)] == [
        "高",
        "高",
        "普通",
        "普通",
        "普通",
        "低",
        "低",
        "普通",
    ]
    with db_of.reading() as session:
        assert session.scalar(select(HumanTask.priority).limit(1)) == 50
