"""workflows.queries.inbox: the read side of the inbox (no workflow is deserialized)."""

from __future__ import annotations

from datetime import timedelta

from workflows import clock
from workflows.policy import Actor
from workflows.queries import inbox


def test_due_state_red_amber_none():
    now = clock.now()
    assert inbox.due_state(now - timedelta(minutes=1), now) == "overdue"
    assert inbox.due_state(now + timedelta(days=2), now) == "soon"
    assert inbox.due_state(now + timedelta(days=4), now) is None
    assert inbox.due_state(None, now) is None


def test_filter_from_params_ignores_garbage():
    f = inbox.InboxFilter.from_params({"unit": "x", "year": "2026", "overdue": "on", "q": "  污水 "})
    assert f == inbox.InboxFilter(year=2026, overdue=True, q="污水")
    assert f.as_params() == {"year": 2026, "overdue": True, "q": "污水"}


def test_experts_have_nothing_claimable():
    assert str(inbox.claimable_clause(Actor("e", frozenset({"expert"})))) == "false"


def test_counts_are_capped(app, db_of, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_CAP", 2)
    actor = Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=1)
    with db_of.reading() as session:
        page = inbox.tasks(session, actor, "claimable")
        assert inbox.count(session, actor, "claimable") == 3  # cap + 1 means "more than the cap"
    assert page.total == 2 and page.capped is True and len(page.items) == 3


def test_overdue_tab_holds_claimable_tasks_past_their_due_date(app, db_of, api):
    from sqlalchemy import update

    from workflows.store import HumanTask

    with db_of.unit_of_work() as session:
        session.execute(update(HumanTask).values(due_at=clock.now() - timedelta(days=1)))
        session.commit()
    assert api("zhang.san").get("/api/v1/tasks?scope=overdue").json["total"] == 3
    assert api("li.na").get("/api/v1/tasks?scope=overdue").json["total"] == 2


def test_mine_sorted_by_due_date(app, db_of, api):
    from sqlalchemy import select, update

    from workflows.store import HumanTask

    me = api("zhang.san")
    items = me.get("/api/v1/tasks?scope=claimable").json["items"]
    for offset, item in enumerate(items):
        me.post(f"/api/v1/tasks/{item['id']}/claim")
        with db_of.unit_of_work() as session:
            session.execute(
                update(HumanTask)
                .where(HumanTask.id == item["id"])
                .values(due_at=clock.now() + timedelta(days=10 - offset))
            )
            session.commit()
    mine = me.get("/api/v1/tasks?scope=mine").json["items"]
    assert [t["id"] for t in mine] == [t["id"] for t in reversed(items)]
    with db_of.reading() as session:
        assert session.scalar(select(HumanTask.assignee).where(HumanTask.id == items[0]["id"])) == "zhang.san"
