"""Writes of a timer batch held back to its end, then sent in one go (issue 14: 10,000 timers).

Firing one instance writes its ``process_instance`` row (the saved state, ``WHERE lock_version =
:seen``) and deletes its fired ``timer`` row: two round trips to PostgreSQL per timer, a hundred
per batch. Inside :func:`deferred` a save keeps both instead, and the block's end sends all the
instance updates as one ``executemany`` (psycopg pipelines it) and the timer deletions as one
statement, before the batch's audit rows and its commit.

Safe because of what the batch holds and what it reads:

- the claim locks the batch's timer rows and instances (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, the write lock on SQLite), so nobody else writes them meanwhile; the
  ``lock_version`` check still runs, on every row, when the updates are sent: an instance
  something else moved makes the whole batch fail, and the scheduler fires it again
  carefully, one savepoint per instance, without deferring (``timers.firing``);
- nothing in a batch reads an instance row back after its save (an instance is loaded once,
  from the batch's preload) and the timer rows are read only by a save that adds a timer,
  which first sends what is held (:func:`send`);
- an error anywhere rolls the transaction back, held writes included (they were never sent).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, tuple_
from sqlalchemy.orm import Session

from ..errors import Conflict
from ..store import Timer
from ..store.prepared import Prepared

# session.info key: the held writes of the block (None outside one)
HELD = "jixiao_held_writes"

_tm = Timer.__table__
# one statement for the batch's fired timers, by (instance, task)
_DELETE_TIMERS = _tm.delete().where(
    tuple_(_tm.c.instance_id, _tm.c.task_id).in_(bindparam("b_keys", expanding=True))
)


class Held:
    """What a batch holds back: instance updates by statement, and timer rows to delete."""

    def __init__(self) -> None:
        self.updates: dict[int, tuple[Prepared, dict]] = {}  # instance id -> (statement, parameters)
        self.timer_rows: list[tuple[int, str]] = []  # (instance id, task id)

    def update(self, statement: Prepared, full: Prepared, params: dict) -> None:
        """Hold an instance update; a second save of the same instance in the block (a catch-up's
        next step) replaces the first, keeping its ``b_seen`` (the version the batch read)."""
        earlier = self.updates.get(params["b_id"])
        if earlier is not None:
            # either save changed the status or version: the full statement
            statement = full if full in (statement, earlier[0]) else statement
            params = {**params, "b_seen": earlier[1]["b_seen"]}
        self.updates[params["b_id"]] = (statement, params)


def held(session: Session) -> Held | None:
    return session.info.get(HELD)


@contextmanager
def deferred(session: Session) -> Iterator[Held]:
    """Hold instance updates and timer deletions until the block ends, then send them."""
    holding = session.info[HELD] = Held()
    try:
        yield holding
        send(session)
    finally:
        session.info.pop(HELD, None)


def send(session: Session) -> None:
    """Send what is held now (the block goes on holding what comes after)."""
    holding = held(session)
    if holding is None:
        return
    updates, rows = holding.updates, holding.timer_rows
    holding.updates, holding.timer_rows = {}, []
    by_statement: dict[int, tuple[Prepared, list]] = {}
    for statement, params in updates.values():
        by_statement.setdefault(id(statement), (statement, []))[1].append(params)
    for statement, params in by_statement.values():
        if statement.execute_many(session, params) != len(params):
            raise Conflict("该流程刚被他人更新，请刷新后重试")
    if rows:
        session.connection().execute(_DELETE_TIMERS, {"b_keys": rows})
