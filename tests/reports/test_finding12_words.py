"""Walkthrough 12, finding 12, on the demo: the inbox's process filter offers a unit's clerk the
processes of the tasks they may read, not every deployed one (the bureau's own processes,
「演示：…」 ones they were never given a task of), while who may start any process sees them all;
the annual report's PDF embeds Simplified Chinese faces only (no Noto Sans CJK JP glyphs)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from demo import paths
from workflows import commands
from workflows.policy import Actor, readable_task_clause
from workflows.store import HumanTask, ProcessDefinition


def _offered(html: str) -> set[str]:
    box = re.search(r'<select name="process".*?</select>', html, re.S).group(0)
    return {v for v in re.findall(r'<option value="([^"]*)"', box) if v}


def test_a_clerk_is_offered_only_the_processes_of_tasks_they_may_read(signed_in, demo_db):
    clerk = Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=1)
    with demo_db.reading() as session:
        deployed = set(session.scalars(select(ProcessDefinition.process_id)))
        theirs = set(session.scalars(select(HumanTask.process_id).where(readable_task_clause(clerk))))
    offered = _offered(signed_in("zhang.san").get("/inbox").text)
    assert offered == theirs and offered < deployed
    assert {"annual_report", "annual_selection"} <= deployed - offered  # the bureau's own processes
    assert _offered(signed_in("zhou.perf").get("/inbox").text) == deployed


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_the_annual_report_pdf_embeds_only_simplified_chinese_fonts(signed_in, demo_db, tmp_path):
    office = Actor("zhou.perf", frozenset({"performance_office"}))
    year = paths.this_fiscal_year() - 1
    instance = commands.annual_reports.start_annual_report(demo_db, year, "evaluation", actor=office)
    response = signed_in("zhou.perf").get(f"/annual-reports/{instance}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(response.data)
    listed = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    )
    fonts = [line.split()[0].split("+")[-1] for line in listed.stdout.splitlines()[2:] if line.strip()]
    assert fonts and all(re.fullmatch(r"Noto-(Sans|Serif)-CJK-SC(-\w+)?", f) for f in fonts), fonts
