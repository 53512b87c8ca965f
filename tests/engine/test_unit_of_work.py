"""The unit of work (issue 14): one transaction, begun on the driver's connection for prepared
statements, continued in a Core connection when Core needs one, an ORM Session joined to it on first
use. Whatever mix of driver, Core and ORM a command uses, it commits or rolls back as one, writes
its audit events with the commit, and sends its mail only after it."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from workflows.store import AuditChain, AuditEvent, BudgetUnit, audit, outbox
from workflows.store.prepared import Prepared
from workflows.store.unit_of_work import UnitOfWork

_ac = AuditChain.__table__
_INSERT_HEAD = Prepared(insert(_ac))
_HEADS_LIKE = Prepared(select(_ac.c.chain).where(_ac.c.chain.like(bindparam("pattern"))))


def _head(chain: str) -> dict:
    return {"chain": chain, "seq": 1, "last_hash": "a" * 64}


def _stored(db, model, *where) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not committed"])
def test_core_and_orm_writes_of_one_unit_are_kept_or_dropped_together(db, committed):
    with db.unit_of_work() as unit:
        assert isinstance(unit, UnitOfWork)
        unit.connection().execute(insert(_ac).values(_head("test:both")))
        unit.add(BudgetUnit(code="U-UOW-1", name="测试单位"))
        unit.flush()
        if committed:
            unit.commit()
    assert _stored(db, AuditChain, AuditChain.chain == "test:both") == int(committed)
    assert _stored(db, BudgetUnit, BudgetUnit.code == "U-UOW-1") == int(committed)


def test_core_only_work_never_opens_an_orm_session(db):
    with db.unit_of_work() as unit:
        unit.connection().execute(insert(_ac).values(_head("test:lean")))
        unit.flush()  # nothing of the ORM's to flush
        assert unit._orm is None
        unit.commit()
        assert unit._orm is None
    assert _stored(db, AuditChain, AuditChain.chain == "test:lean") == 1


def test_orm_objects_stay_attached_across_a_commit_and_the_next_commit_writes_them(db):
    with db.unit_of_work() as unit:
        row = BudgetUnit(code="U-UOW-3", name="第一个名字")
        unit.add(row)
        unit.commit()
        row.name = "第二个名字"
        unit.connection().execute(insert(_ac).values(_head("test:second")))  # Core after the commit
        unit.commit()
    with db.reading() as s:
        assert s.scalar(select(BudgetUnit.name).where(BudgetUnit.code == "U-UOW-3")) == "第二个名字"
    assert _stored(db, AuditChain, AuditChain.chain == "test:second") == 1


def test_audit_events_are_written_with_the_commit_and_only_with_it(db):
    with db.unit_of_work() as unit:
        audit.append(unit, action="test.kept", actor="tester")
        unit.commit()
    with db.unit_of_work() as unit:
        audit.append(unit, action="test.dropped", actor="tester")
    assert _stored(db, AuditEvent, AuditEvent.action == "test.kept") == 1
    assert _stored(db, AuditEvent, AuditEvent.action == "test.dropped") == 0


def test_mail_leaves_after_the_commit_and_never_after_a_rollback(db, mails):
    with db.unit_of_work() as unit:
        outbox.queue(unit, outbox.Mail("a@example.cn", "主题", "正文"))
        assert mails.sent == []
        unit.commit()
    assert [m.to for m in mails.sent] == ["a@example.cn"]
    with db.unit_of_work() as unit:
        unit.connection()
        outbox.queue(unit, outbox.Mail("b@example.cn", "主题", "正文"))
    assert [m.to for m in mails.sent] == ["a@example.cn"]


def test_begin_hooks_run_once_per_transaction_before_it_begins(db):
    calls = []
    db.on_begin.append(lambda: calls.append("begin"))
    try:
        with db.unit_of_work() as unit:
            assert calls == []  # a unit that does nothing begins nothing
            unit.connection()
            unit.connection()
            unit.scalar(select(func.count()).select_from(AuditChain))
            assert calls == ["begin"]
            unit.commit()
            unit.connection()
            assert calls == ["begin", "begin"]
    finally:
        db.on_begin.clear()


def test_a_savepoint_rolls_back_its_own_part_only(db):
    with db.unit_of_work() as unit:
        unit.connection().execute(insert(_ac).values(_head("test:outer")))
        savepoint = unit.begin_nested()
        unit.connection().execute(insert(_ac).values(_head("test:inner")))
        savepoint.rollback()
        unit.commit()
    assert _stored(db, AuditChain, AuditChain.chain == "test:outer") == 1
    assert _stored(db, AuditChain, AuditChain.chain == "test:inner") == 0


def test_core_work_commits_after_an_orm_call_that_ran_no_statement(db):
    with db.unit_of_work() as unit:
        row = BudgetUnit(code="U-UOW-4", name="不写入")
        unit.add(row)
        unit.expunge(row)  # the ORM was used, yet sent nothing to the database
        unit.connection().execute(insert(_ac).values(_head("test:after-orm")))
        unit.commit()
    assert _stored(db, AuditChain, AuditChain.chain == "test:after-orm") == 1
    assert _stored(db, BudgetUnit, BudgetUnit.code == "U-UOW-4") == 0


def test_a_rolled_back_savepoint_takes_back_its_audit_events_and_mail_only(db, mails):
    with db.unit_of_work() as unit:
        audit.append(unit, action="test.before", actor="tester")
        outbox.queue(unit, outbox.Mail("before@example.cn", "主题", "正文"))
        savepoint = unit.begin_nested()
        audit.append(unit, action="test.inside", actor="tester")
        outbox.queue(unit, outbox.Mail("inside@example.cn", "主题", "正文"))
        savepoint.rollback()
        audit.append(unit, action="test.after", actor="tester")
        unit.commit()
    assert [m.to for m in mails.sent] == ["before@example.cn"]
    with db.reading() as s:
        actions = s.scalars(
            select(AuditEvent.action).where(AuditEvent.chain == "system").order_by(AuditEvent.seq)
        )
        assert [a for a in actions if a.startswith("test.")] == ["test.before", "test.after"]
        assert audit.verify(s) == []  # the chain has no gap where the taken-back event was


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not committed"])
def test_prepared_statements_run_on_the_driver_alone_and_commit_or_roll_back(db, committed):
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:driver"))
        assert unit._connection is None and unit._orm is None  # no Core connection was built
        assert [r.chain for r in _HEADS_LIKE.all(unit, {"pattern": "test:driver"})] == ["test:driver"]
        if committed:
            unit.commit()
    assert _stored(db, AuditChain, AuditChain.chain == "test:driver") == int(committed)


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not committed"])
def test_driver_core_and_orm_work_of_one_unit_are_one_transaction(db, committed):
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:driver-first"))
        # Core goes on in the transaction the driver began: it sees the driver's row
        seen = unit.connection().execute(select(_ac.c.chain).where(_ac.c.chain == "test:driver-first"))
        assert seen.scalars().all() == ["test:driver-first"]
        unit.add(BudgetUnit(code="U-UOW-5", name="驱动之后"))
        unit.flush()
        _INSERT_HEAD.execute(unit, _head("test:driver-after"))  # and the driver again, after both
        if committed:
            unit.commit()
    for chain in ("test:driver-first", "test:driver-after"):
        assert _stored(db, AuditChain, AuditChain.chain == chain) == int(committed)
    assert _stored(db, BudgetUnit, BudgetUnit.code == "U-UOW-5") == int(committed)


def test_a_unit_begins_again_on_the_driver_after_its_commit(db):
    calls = []
    db.on_begin.append(lambda: calls.append("begin"))
    try:
        with db.unit_of_work() as unit:
            _INSERT_HEAD.execute(unit, _head("test:first-transaction"))
            unit.commit()
            _INSERT_HEAD.execute(unit, _head("test:second-transaction"))
            assert calls == ["begin", "begin"]
        # the second transaction was never committed: only the first row stays
    finally:
        db.on_begin.clear()
    assert _stored(db, AuditChain, AuditChain.chain == "test:first-transaction") == 1
    assert _stored(db, AuditChain, AuditChain.chain == "test:second-transaction") == 0


def test_a_driver_error_comes_back_as_sqlalchemys_and_the_unit_keeps_nothing(db):
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:twice"))
        with pytest.raises(IntegrityError):
            _INSERT_HEAD.execute(unit, _head("test:twice"))  # the chain is the primary key
    assert _stored(db, AuditChain, AuditChain.chain == "test:twice") == 0


def _driver_connection(unit):
    return unit.driver().dbapi_connection


@pytest.mark.sqlite_only
def test_a_units_connection_goes_to_the_next_unit_when_its_transaction_ended(db):
    pool = db.engine.pool
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:spare-1"))
        first = _driver_connection(unit)
        unit.commit()
    assert pool.checkedout() == 1  # kept for the next unit, not given back
    with db.unit_of_work() as unit:
        assert _driver_connection(unit) is first
        assert [r.chain for r in _HEADS_LIKE.all(unit, {"pattern": "test:spare-%"})] == ["test:spare-1"]
    assert pool.checkedout() == 1  # still one: a kept connection is reused, not added to
    db.dispose()
    assert pool.checkedout() == 0  # disposing gives the kept one back


@pytest.mark.postgres
def test_a_postgresql_units_connection_goes_back_to_the_pool_which_checks_it_before_the_next(db):
    """A server's connection can be gone while the app holds it (a restart): no unit hands its
    connection on past the pool, whose pre-ping finds a dead one out before a command uses it."""
    pool = db.engine.pool
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:pooled"))
        unit.commit()
    assert pool.checkedout() == 0
    assert pool._pre_ping


def test_a_connection_whose_transaction_is_still_open_is_never_handed_on(db):
    unit = UnitOfWork(db._write_engine, spare=db._spare)
    _INSERT_HEAD.execute(unit, _head("test:left-open"))
    unit.close()  # neither committed nor rolled back: back to the pool, which rolls it back
    with db.unit_of_work() as unit:  # whichever connection it gets, the row is not there
        assert _HEADS_LIKE.all(unit, {"pattern": "test:left-open"}) == []
    assert _stored(db, AuditChain, AuditChain.chain == "test:left-open") == 0


def _drop_every_other_connection(db) -> int:
    """What a PostgreSQL restart does to a client: every connection it holds is gone."""
    from sqlalchemy import create_engine, text

    admin = create_engine(db.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_the_first_command_after_the_database_dropped_its_connections_succeeds(db):
    """A PostgreSQL restart (or a failover) ends every connection the app holds: its pool's and
    the one a unit of work hands on to the next (``SpareConnections``). The next command and the
    next read go through on a new connection instead of failing once for each dead one."""
    for n in range(3):  # connections to lose: the spare, and pooled ones
        with db.unit_of_work() as unit:
            _INSERT_HEAD.execute(unit, _head(f"test:before-{n}"))
            unit.commit()
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditChain)) == 3
    assert _drop_every_other_connection(db) >= 1
    with db.unit_of_work() as unit:
        _INSERT_HEAD.execute(unit, _head("test:after"))
        unit.commit()
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditChain)) == 4
    assert _drop_every_other_connection(db) >= 1
    with db.reading() as session:  # a page's reads, first after the loss
        assert session.scalar(select(func.count()).select_from(AuditChain)) == 4
