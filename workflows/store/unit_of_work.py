"""A command's unit of work: one transaction, begun on the driver's connection, continued in a
Core connection and an ORM Session joined on demand.

Issue 14: a task completion runs only prepared statements (``Prepared``), yet the ORM Session's
bookkeeping around its transaction (identity map, snapshots, events) cost about 50 µs of a 1 ms
completion, a Core ``Connection``'s own begin, commit and close about 15 µs more, and the pool's
checkout and checkin with its reset about 20 µs. So a :class:`UnitOfWork` begins its transaction
on the pool's driver connection (:meth:`UnitOfWork.driver`, one shared cursor
:meth:`UnitOfWork.cursor`), and hands the connection on to the database's next unit of work when
its transaction ended cleanly (:class:`SpareConnections`).

The first Core statement (:meth:`UnitOfWork.connection`) continues that transaction in a Core
connection on the same driver connection; the first ORM call (``add``, ``get``, ``scalars`` ...)
joins a Session to it (``join_transaction_mode="control_fully"``), which from then on commits and
rolls it back, so ORM objects stay attached across a commit as before.

Either way a commit writes the audit events appended in the transaction first
(:func:`audit.write_pending`) and hands the queued mail to the mailer after
(:func:`outbox.send_after_commit`); a rollback drops the mail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from . import audit, outbox

# A unit of work is the write session a command runs in (``Database.unit_of_work``).
UNIT_OF_WORK = "jixiao_unit_of_work"


class UnitOfWork:
    """The session a command writes through: ``cursor()`` and ``info`` for prepared statements,
    ``connection()`` for Core, the ORM Session's methods for everything else (all in the same
    transaction)."""

    def __init__(
        self,
        engine: Engine,
        *,
        on_begin: Sequence[Callable[[], None]] = (),
        spare: SpareConnections | None = None,
    ) -> None:
        self.info: dict[str, Any] = {UNIT_OF_WORK: True}
        self._engine = engine
        self.dialect = engine.dialect
        self._on_begin = on_begin
        self._spare = spare
        self._driver: Any = None  # the pool's connection, while only the driver has been used
        self._driver_begun = False
        self._driver_clean = True  # its last transaction ended (committed or rolled back) without error
        self._cursor: Any = None  # the driver cursor prepared statements share
        self._connection: Connection | None = None
        self._orm: Session | None = None

    # -- the transaction ------------------------------------------------------------------------

    def driver(self) -> Any:
        """The driver connection of the unit's transaction, begun: what ``Prepared`` statements run
        on. Until a Core or ORM statement needs a SQLAlchemy ``Connection``, the unit holds only
        the pool's connection and begins and ends its transaction on it (issue 14: a
        ``Connection``'s own begin, commit and close cost about 15 µs of a completion)."""
        if self._connection is not None:
            return self.connection().connection
        driver = self._driver
        if driver is None:
            spare = self._spare.take() if self._spare is not None else None
            driver = self._driver = spare or self._engine.raw_connection()
        if not self._driver_begun:
            for hook in self._on_begin:
                hook()
            self._driver_clean = False
            if self.dialect.name == "sqlite":  # PostgreSQL's driver begins at the first statement
                self._run_on_driver(driver, "BEGIN IMMEDIATE")
            self._driver_begun = True
        return driver

    def cursor(self) -> Any:
        """A cursor of the driver connection, its transaction begun: one for every prepared
        statement of the unit (each read its rows before the next runs)."""
        driver = self.driver()
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = driver.dbapi_connection.cursor()
        return cursor

    def connection(self) -> Connection:
        """The unit's connection, its transaction begun (on SQLite with ``BEGIN IMMEDIATE``)."""
        connection = self._connection
        if connection is None:
            if self._driver is not None:  # the transaction the driver began goes on in it
                connection = self._connection = Connection(self._engine, connection=self._driver)
                self._driver = None
            else:
                connection = self._connection = self._engine.connect()
        if not connection.in_transaction():
            if not self._driver_begun:
                for hook in self._on_begin:
                    hook()
            connection.begin()  # on SQLite no second BEGIN where the driver's is open (database.py)
            self._driver_begun = False
        return connection

    def get_bind(self) -> Engine:
        return self._engine

    @property
    def bind(self) -> Engine:
        return self._engine

    def commit(self) -> None:
        audit.write_pending(self)
        if self._orm is not None and self._orm.in_transaction():
            self._orm.commit()  # flushes; the Session controls the joined transaction
        elif self._connection is not None and self._connection.in_transaction():
            self._connection.commit()
        elif self._driver_begun:
            self._driver_begun = False
            self._end_on_driver("commit")
        outbox.send_after_commit(self)

    def rollback(self) -> None:
        if self._orm is not None and self._orm.in_transaction():
            self._orm.rollback()
        elif self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
        elif self._driver_begun:
            self._driver_begun = False
            self._end_on_driver("rollback")
        outbox.drop_after_rollback(self)

    def close(self) -> None:
        """Release the connection; ORM objects read in the unit stay readable (detached)."""
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        if self._orm is not None:
            self._orm.close()
            self._orm = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._driver is not None:
            driver, self._driver = self._driver, None
            if not (self._driver_clean and self._spare is not None and self._spare.keep(driver)):
                driver.close()  # back to the pool (which resets it)

    def _end_on_driver(self, how: str) -> None:
        try:
            getattr(self._driver, how)()
        except self.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(how.upper(), exc, self.dialect) from exc
        self._driver_clean = True

    def _run_on_driver(self, driver, sql: str) -> None:
        cursor = driver.cursor()
        try:
            cursor.execute(sql)
        except self.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(sql, exc, self.dialect) from exc
        finally:
            cursor.close()

    # -- the ORM, joined on first use -----------------------------------------------------------

    @property
    def orm(self) -> Session:
        """The ORM Session, joined to the unit's transaction now (not at its first statement: a
        Session that only autobegan would commit nothing of the Core work at ``commit``)."""
        connection = self.connection()
        if self._orm is None:
            self._orm = Session(
                bind=connection,
                join_transaction_mode="control_fully",
                expire_on_commit=False,
                autoflush=False,  # commands flush explicitly (once, at the end of a save)
            )
        self._orm.connection()
        return self._orm

    def flush(self) -> None:
        if self._orm is not None:  # no ORM object was touched: nothing to flush
            self._orm.flush()

    def execute(self, *args, **kwargs):
        return self.orm.execute(*args, **kwargs)

    def scalar(self, *args, **kwargs):
        return self.orm.scalar(*args, **kwargs)

    def scalars(self, *args, **kwargs):
        return self.orm.scalars(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.orm.get(*args, **kwargs)

    def query(self, *args, **kwargs):
        return self.orm.query(*args, **kwargs)

    def add(self, instance: object) -> None:
        self.orm.add(instance)

    def add_all(self, instances) -> None:
        self.orm.add_all(instances)

    def delete(self, instance: object) -> None:
        self.orm.delete(instance)

    def expire(self, instance: object, *args) -> None:
        self.orm.expire(instance, *args)

    def refresh(self, instance: object, *args, **kwargs) -> None:
        self.orm.refresh(instance, *args, **kwargs)

    def expunge(self, instance: object) -> None:
        self.orm.expunge(instance)

    def expunge_all(self) -> None:
        if self._orm is not None:
            self._orm.expunge_all()

    def begin_nested(self) -> Savepoint:
        """A savepoint (the timer batch fires each instance under one), set on the connection now:
        the Core statements that follow run inside it."""
        return Savepoint(self)


class SpareConnections:
    """Driver connections a database's units of work hand on to the next one, not back to the
    pool (issue 14: the pool's checkout and checkin, with its reset, cost about 20 µs of a 0.7 ms
    completion). Only a connection whose transaction ended cleanly is kept, at most ``limit`` of
    them, each still counted by the pool as checked out; :meth:`close` gives them back."""

    def __init__(self, limit: int = 1) -> None:
        self._idle: list = []
        self._limit = limit
        self._lock = threading.Lock()

    def take(self) -> Any:
        try:
            return self._idle.pop()  # atomic: two threads never take the same one
        except IndexError:
            return None

    def keep(self, driver: Any) -> bool:
        with self._lock:
            if len(self._idle) >= self._limit:
                return False
            self._idle.append(driver)
            return True

    def close(self) -> None:
        while (driver := self.take()) is not None:
            driver.close()


class Savepoint:
    """Part of a unit of work that can be undone alone: rolled back, it also takes back the audit
    events appended and the mail queued since it was set (the unit's other work keeps its own)."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._unit = unit
        self._audit, self._mail = audit.mark(unit), outbox.mark(unit)
        self._transaction: SessionTransaction = unit.orm.begin_nested()
        unit.orm.connection()

    def commit(self) -> None:
        self._transaction.commit()

    def rollback(self) -> None:
        self._transaction.rollback()
        audit.rewind(self._unit, self._audit)
        outbox.rewind(self._unit, self._mail)


def _wrapped(sql: str, exc: Exception, dialect) -> DBAPIError:
    """A driver error as SQLAlchemy raises it (``OperationalError`` ...), which callers catch."""
    return DBAPIError.instance(sql, (), exc, dialect.loaded_dbapi.Error, dialect=dialect)
