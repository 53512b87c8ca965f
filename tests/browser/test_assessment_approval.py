"""审定考核结果 in Chromium (DOMAIN 6 R-AS-1): the leader sees the ranking beside the form, no
opinion is chosen for them, and 同意 (which publishes the 通报) asks before it is sent.
Screenshots at 1440 and 390 px stay in the test's tmp dir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.server.conftest import PASSWORD
from workflows import clock, commands
from workflows.engine import specs
from workflows.policy import Actor
from workflows.store import Database, HumanTask
from workflows.timers import fire_due_timers

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
YEAR = 2026


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_R_AS_1_approving_the_ranking_asks_before_it_publishes(app, live_server, page, tmp_path):
    db: Database = app.extensions["jixiao_db"]
    clock.set_now(clock.parse_moment(f"{YEAR}-03-02T09:00:00"))
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    office = Actor("zhou.perf", frozenset({"performance_office"}))
    instance_id = commands.start_assessment_year(db, YEAR, actor=office)
    at = clock.parse_moment(f"{YEAR}-07-01T09:00:00")
    clock.set_now(at)
    fire_due_timers(db, instance_id, now=at)
    with db.reading() as session:
        scoring = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "as_score_july"))

    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, base, "zhou.perf")
    page.goto(f"{base}/assessment/tasks/{scoring}/score")
    page.screenshot(path=str(tmp_path / "score-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # the sheet as cards: inputs in reach
    page.screenshot(path=str(tmp_path / "score-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#score-sheet input[name^=note_]").first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click("#score-sheet button[type=submit]")
    page.wait_for_url(re.compile(r"/assessment$"))
    _login(page, base, "liu.leader")
    page.goto(f"{base}/assessment")
    page.click(f"#cycle-{YEAR}-july a:text('审定')")
    task_url = page.url
    assert page.locator("#approval-ranking table#ranking tbody tr").count() >= 2
    assert page.locator("#approval-ranking td.total").first.inner_text().strip() not in ("", "—")
    assert page.locator("input[name=as_decision]:checked").count() == 0  # the leader chooses
    assert page.locator("textarea[name=as_comment]").input_value() == ""
    page.screenshot(path=str(tmp_path / "approve-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "approve-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1440, "height": 900})
    page.check("input[name=as_decision][value='同意']")
    asked: list[str] = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click("#submit")
    assert asked and "通报" in asked[0]
    assert page.url == task_url  # declined: nothing sent
    with db.reading() as session:
        assert (
            session.scalar(select(HumanTask.status).where(HumanTask.task_spec == "as_approve_july")) == "open"
        )
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit")
    page.wait_for_url(lambda url: "/inbox" in url)
    page.goto(f"{base}/assessment")
    assert page.locator(f"#cycle-{YEAR}-july").get_attribute("data-status") == "published"
