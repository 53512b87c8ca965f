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


def test_overdue_tab_holds_waiting_tasks_past_their_due_date(app, db_of, api):
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


def test_tasks_without_a_due_date_come_last_in_both_directions(app, db_of):
    """Sorting by due date (soonest first, or latest first) puts the tasks with no due date after
    the dated ones, on SQLite (NULL sorts first ascending) and PostgreSQL (first descending)."""
    from sqlalchemy import select, update

    from workflows.store import HumanTask

    actor = Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=1)
    with db_of.reading() as session:
        ids = [row.id for row in inbox.tasks(session, actor, "claimable").items]
    assert len(ids) == 3
    undated, soon, later = ids
    with db_of.unit_of_work() as session:
        session.execute(update(HumanTask).where(HumanTask.id == undated).values(due_at=None))
        session.execute(
            update(HumanTask).where(HumanTask.id == soon).values(due_at=clock.now() + timedelta(days=1))
        )
        session.execute(
            update(HumanTask).where(HumanTask.id == later).values(due_at=clock.now() + timedelta(days=9))
        )
        session.commit()
        assert session.scalar(select(HumanTask.due_at).where(HumanTask.id == undated)) is None
    with db_of.reading() as session:
        ascending = [r.id for r in inbox.tasks(session, actor, "claimable", sort="due").items]
        descending = [
            r.id for r in inbox.tasks(session, actor, "claimable", sort="due", descending=True).items
        ]
        by_priority = [r.id for r in inbox.tasks(session, actor, "claimable", sort="priority").items]
    assert ascending == [soon, later, undated]
    assert descending == [later, soon, undated]
    assert by_priority[-1] == undated  # equal priorities: by due date, the undated last
