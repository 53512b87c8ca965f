"""Notices reach a person in the browser and the API: the bell, the list, marking read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.server.conftest import project_id
from workflows import clock, commands, policy, timers
from workflows.engine import specs

KINDS = Path(__file__).resolve().parents[1] / "timers" / "fixtures" / "kinds"
T0 = datetime.fromisoformat("2026-05-01T09:00:00+08:00")


@pytest.fixture
def escalated(db_of):
    """A deadline path on U001's first project run past its deadline: zhang.san was reminded,
    the unit head wang.head and the reviewer li.si were told it is overdue."""
    db = db_of
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(KINDS), actor="designer")
        session.commit()
    with clock.frozen(T0):
        commands.start(
            db, "deadline", actor=policy.Actor.system("test"), project_id=project_id(db, "WZ2026-001")
        )
    timers.run_due(db, T0 + timedelta(days=11))
    return db


def test_the_bell_counts_unread_notices_and_the_list_shows_them(web, escalated):
    head = web("wang.head")
    page = head.get("/inbox")
    assert 'data-unread="1"' in page.text
    listing = head.get("/notices")
    assert listing.status_code == 200 and "填报已逾期" in listing.text


def test_marking_read_clears_the_bell(web, escalated):
    head = web("wang.head")
    notice_id = int(head.get("/notices").text.split('data-notice="')[1].split('"')[0])
    assert head.post(f"/notices/{notice_id}/read").status_code == 302
    assert "data-unread" not in head.get("/inbox").text


def test_another_users_notice_is_not_found(web, api, escalated):
    head = web("wang.head")
    notice_id = int(head.get("/notices").text.split('data-notice="')[1].split('"')[0])
    assert web("li.na").post(f"/notices/{notice_id}/read").status_code == 404
    assert api("li.si").post(f"/api/v1/notifications/{notice_id}/read").status_code == 404


def test_the_api_lists_and_marks_my_notices(api, escalated):
    reviewer = api("li.si")
    unread = reviewer.get("/api/v1/notifications?unread=true")
    assert unread.status_code == 200 and [n["kind"] for n in unread.json] == ["escalation"]
    assert reviewer.post(f"/api/v1/notifications/{unread.json[0]['id']}/read").status_code == 204
    assert reviewer.get("/api/v1/notifications?unread=true").json == []
    assert len(reviewer.get("/api/v1/notifications").json) == 1
