"""Write statements of the hot path, compiled once per dialect and run on the driver's cursor.

Issue 14: a Core ``execute`` costs about 60 µs of SQLAlchemy bookkeeping around a 4 µs SQLite
statement, and a task completion writes five to eight rows. A :class:`Prepared` statement keeps
what SQLAlchemy would compute on every call — the SQL text for this dialect, the order of its
parameters and each parameter's bind processor (datetimes to SQLite text, JSON to text) — and
hands the driver the finished parameters. It runs inside the session's transaction, on the same
connection (a unit of work's one shared cursor, ``UnitOfWork.cursor``); driver errors come back as
SQLAlchemy's (``OperationalError``, ``IntegrityError``), so callers catch what they caught before.

Only fixed-shape statements belong here (no expanding ``IN`` lists); a SELECT's rows are read with
:meth:`Prepared.all`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from .column_types import UTCDateTime


class _Compiled:
    __slots__ = ("sql", "positional", "row_type", "readers", "_defaults", "_processed")

    def __init__(self, statement: Executable, dialect, column_keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
        self.sql = str(compiled)
        self.positional = compiled.positional
        names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
        # per parameter: its name and the statement's own value for it (``status="completed"``);
        # then the bind processors by position, for the parameters that have one
        self._defaults = [(name, compiled.binds[name].value) for name in names]
        processors = [_bind_processor(compiled.binds[name].type, dialect) for name in names]
        self._processed = [(i, processor) for i, processor in enumerate(processors) if processor is not None]
        self.row_type, self.readers = None, ()
        if getattr(statement, "is_select", False):
            columns = list(statement.selected_columns)
            self.row_type = namedtuple("Row", [c.key for c in columns], rename=True)
            self.readers = tuple(_result_reader(c.type, dialect) for c in columns)

    def parameters(self, values: dict) -> Any:
        get = values.get
        out = [get(name, default) for name, default in self._defaults]
        for i, processor in self._processed:
            out[i] = processor(out[i])  # None too: JSON's None is the text null
        if self.positional:
            return tuple(out)
        return {name: value for (name, _default), value in zip(self._defaults, out, strict=True)}

    def rows(self, fetched: list) -> list:
        readers, make = self.readers, self.row_type._make
        if not any(readers):
            return [make(row) for row in fetched]
        return [
            make(
                [
                    value if read is None or value is None else read(value)
                    for read, value in zip(readers, row, strict=True)
                ]
            )
            for row in fetched
        ]


def _bind_processor(type_, dialect):
    """SQLAlchemy's bind processor for the type; for ``UTCDateTime`` on SQLite the same text in
    one step (its ``process_bind_param`` and SQLite's DATETIME format, a quarter of the time)."""
    if isinstance(type_, UTCDateTime) and dialect.name == "sqlite":
        return _utc_to_sqlite_text
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _utc_to_sqlite_text(value):
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
    # SQLAlchemy's SQLite DATETIME storage format, "2026-12-05 03:37:15.000123" (microseconds always)
    text = value.replace(tzinfo=None).isoformat(" ")
    return text if value.microsecond else text + ".000000"


def _result_reader(type_, dialect):
    """SQLAlchemy's result processor for the type; for ``UTCDateTime`` on SQLite the stored text
    read in one step (the C ``fromisoformat``, not SQLAlchemy's regular expression)."""
    if isinstance(type_, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_text_to_utc
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _sqlite_text_to_utc(value):
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class Prepared:
    """One statement: INSERT or UPDATE run with :meth:`execute` (one row) or :meth:`execute_many`,
    SELECT with :meth:`all`."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple, _Compiled] = {}

    def _for(self, dialect, keys: Sequence[str] | None) -> _Compiled:
        key = (dialect.name, dialect.driver, tuple(keys) if keys else None)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.statement, dialect, keys)
        return compiled

    def execute(self, session: Session, values: dict, *, column_keys: Sequence[str] | None = None) -> int:
        """Run with one row of ``values``; the number of rows it touched."""
        cursor, dialect, owned = _cursor(session)
        compiled = self._for(dialect, column_keys)
        parameters = compiled.parameters(values)
        try:
            cursor.execute(compiled.sql, parameters)
            return cursor.rowcount
        except dialect.loaded_dbapi.Error as exc:
            raise _wrapped(compiled.sql, parameters, exc, dialect) from exc
        finally:
            if owned:
                cursor.close()

    def all(self, session: Session, values: dict) -> list:
        """Run a SELECT; its rows as named tuples (columns by their keys), values converted as
        SQLAlchemy would (SQLite's text datetimes to ``datetime``)."""
        cursor, dialect, owned = _cursor(session)
        compiled = self._for(dialect, None)
        parameters = compiled.parameters(values)
        try:
            cursor.execute(compiled.sql, parameters)
            return compiled.rows(cursor.fetchall())
        except dialect.loaded_dbapi.Error as exc:
            raise _wrapped(compiled.sql, parameters, exc, dialect) from exc
        finally:
            if owned:
                cursor.close()

    def execute_many(self, session: Session, rows: list[dict]) -> int:
        """Run once per row of ``rows`` (all with the same keys) in one driver call; the number
        of rows touched in all."""
        if not rows:
            return 0
        cursor, dialect, owned = _cursor(session)
        compiled = self._for(dialect, list(rows[0]))
        parameters = [compiled.parameters(row) for row in rows]
        try:
            if len(parameters) == 1:
                cursor.execute(compiled.sql, parameters[0])
            else:
                cursor.executemany(compiled.sql, parameters)
            return cursor.rowcount
        except dialect.loaded_dbapi.Error as exc:
            raise _wrapped(compiled.sql, parameters, exc, dialect) from exc
        finally:
            if owned:
                cursor.close()


def _cursor(session) -> tuple[Any, Any, bool]:
    """A driver cursor in the session's transaction, its dialect, and whether the statement owns
    it (closes it after): a unit of work lends its own, one for all its statements
    (``UnitOfWork.cursor``); a read session's connection gives a new one."""
    lend = getattr(session, "cursor", None)  # a UnitOfWork (not imported: it imports this module's users)
    if lend is not None:
        return lend(), session.dialect, False
    connection = session.connection()
    return connection.connection.cursor(), connection.dialect, True


def _wrapped(sql: str, parameters, exc: Exception, dialect) -> DBAPIError:
    return DBAPIError.instance(sql, parameters, exc, dialect.loaded_dbapi.Error, dialect=dialect)
