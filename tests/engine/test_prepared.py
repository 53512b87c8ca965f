"""Prepared statements (issue 14): the write path's statements on the driver's cursor read and
write the same values as SQLAlchemy would, inside the caller's transaction, and report driver
errors as SQLAlchemy's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Text, bindparam, cast, insert, select, update
from sqlalchemy.exc import IntegrityError

from workflows import clock
from workflows.store import AuditChain, Timer
from workflows.store.prepared import Prepared

_ac, _tm = AuditChain.__table__, Timer.__table__
_INSERT = Prepared(insert(_ac))
_MOVE = Prepared(
    update(_ac)
    .where(_ac.c.chain == bindparam("b_chain"), _ac.c.seq == bindparam("b_seen"))
    .values(seq=bindparam("b_seq"))
)
_READ = Prepared(select(_ac.c.chain, _ac.c.seq, _ac.c.last_hash).where(_ac.c.chain == bindparam("chain")))


def test_rows_written_prepared_read_back_through_sqlalchemy_and_rowcounts_are_totals(db):
    with db.unit_of_work() as s:
        rows = [{"chain": f"test:{i}", "seq": i, "last_hash": "a" * 64} for i in range(3)]
        assert _INSERT.execute_many(s, rows) == 3
        moved = [
            {"b_chain": "test:1", "b_seen": 1, "b_seq": 5},
            {"b_chain": "test:2", "b_seen": 9, "b_seq": 5},
        ]
        assert _MOVE.execute_many(s, moved) == 1  # the second one saw a stale seq: not touched
        s.commit()
    with db.reading() as s:
        assert s.get(AuditChain, "test:1").seq == 5
        assert s.get(AuditChain, "test:2").seq == 2
        (row,) = _READ.all(s, {"chain": "test:0"})
        assert (row.chain, row.seq, row.last_hash) == ("test:0", 0, "a" * 64)


def test_a_datetime_goes_in_and_comes_back_as_the_same_aware_datetime(db, deploy, submitter):
    from workflows import commands

    deploy("approval")
    instance_id = commands.start(db, "approval", actor=submitter).instance_id
    due = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=clock.CHINA)
    insert_timer = Prepared(insert(_tm))
    with db.unit_of_work() as s:
        insert_timer.execute_many(
            s,
            [
                {
                    "instance_id": instance_id,
                    "task_id": "t-1",
                    "task_spec": "deadline",
                    "kind": "boundary",
                    "due_at": due,
                    "interrupting": True,
                    "attached_to": None,
                }
            ],
        )
        s.commit()
    read = Prepared(select(_tm.c.task_id, _tm.c.due_at).where(_tm.c.instance_id == bindparam("i")))
    with db.reading() as s:
        (row,) = [r for r in read.all(s, {"i": instance_id}) if r.task_id == "t-1"]
        assert row.due_at == due
        assert s.scalar(select(Timer.due_at).where(Timer.task_id == "t-1")) == due


def test_a_driver_error_is_sqlalchemys_and_the_transaction_keeps_nothing(db):
    with db.unit_of_work() as s:
        _INSERT.execute(s, {"chain": "test:dup", "seq": 1, "last_hash": "b" * 64})
        s.commit()
    with db.unit_of_work() as s:
        with pytest.raises(IntegrityError):
            _INSERT.execute(s, {"chain": "test:dup", "seq": 2, "last_hash": "c" * 64})
    with db.reading() as s:
        assert s.get(AuditChain, "test:dup").seq == 1


@pytest.mark.parametrize(
    "due",
    [
        datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=clock.CHINA),
        datetime(2026, 12, 3, 1, 30, 15, tzinfo=clock.CHINA),  # no microseconds
        datetime(2026, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ],
    ids=["china-time", "whole-second", "utc"],
)
def test_a_prepared_datetime_is_stored_as_sqlalchemy_stores_it_and_read_back_alike(
    db, deploy, submitter, due
):
    from workflows import commands

    deploy("approval")
    instance_id = commands.start(db, "approval", actor=submitter).instance_id
    row = {
        "instance_id": instance_id,
        "task_spec": "deadline",
        "kind": "boundary",
        "due_at": due,
        "interrupting": True,
        "attached_to": None,
    }
    with db.unit_of_work() as s:
        Prepared(insert(_tm)).execute_many(s, [{**row, "task_id": "prepared"}])
        s.connection().execute(insert(_tm).values({**row, "task_id": "sqlalchemy"}))
        s.commit()
    stored = select(_tm.c.task_id, cast(_tm.c.due_at, Text)).where(_tm.c.instance_id == instance_id)
    read = Prepared(select(_tm.c.task_id, _tm.c.due_at).where(_tm.c.instance_id == bindparam("i")))
    with db.reading() as s:
        texts = dict(s.execute(stored).all())
        assert texts["prepared"] == texts["sqlalchemy"]
        back = {r.task_id: r.due_at for r in read.all(s, {"i": instance_id})}
        assert back["prepared"] == back["sqlalchemy"] == due
        assert back["prepared"].tzinfo == UTC
