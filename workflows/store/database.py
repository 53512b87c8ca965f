"""Database access: one engine per URL, units of work, migrations.

A command runs in :meth:`Database.unit_of_work`: one transaction, rolled back unless
the command commits. On SQLite a unit of work begins with ``BEGIN IMMEDIATE`` so two
writers queue instead of failing on a lock upgrade; reads begin deferred.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ..config import settings
from .unit_of_work import UNIT_OF_WORK, SpareConnections, UnitOfWork

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _on_sqlite_connect(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _on_sqlite_begin(conn):
    if conn.connection.dbapi_connection.in_transaction:
        return  # a unit of work began it on the driver (``UnitOfWork.driver``) and goes on in it
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    # on the driver's cursor: the statement has no parameters and no result to process
    cursor = conn.connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            "BEGIN", (), exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()


def prepare_engine(engine: Engine) -> None:
    """What every engine of ours needs, whoever created it (ours, or Flask-SQLAlchemy's)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _on_sqlite_connect):
        return
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


def engine_options(url: str) -> dict:
    """What an engine of ours is created with. On PostgreSQL the pool checks a connection before
    handing it out (a round trip): after a server restart every pooled connection is dead, and
    without the check each would fail one command or one page before the pool let it go."""
    return {} if url.startswith("sqlite") else {"pool_pre_ping": True}


def sqlite_file_ready(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


class Database:
    """An engine, session factories for reads, and units of work for commands."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, **engine_kwargs):
        if engine is None:
            self.url = url or settings().resolved_database_url()
            sqlite_file_ready(self.url)
            engine = create_engine(self.url, **{**engine_options(self.url), **engine_kwargs})
        else:  # built on an engine someone else owns (the Flask app's): one pool, not two
            self.url = engine.url.render_as_string(hide_password=False)
        prepare_engine(engine)
        self.engine = engine
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        )
        self.read_session = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL reads outside a transaction (``reading(transaction=False)``): the driver's
        # autocommit, set and reset on the client, so no BEGIN and ROLLBACK round trips
        self._statement_read_session = (
            self.read_session
            if self.is_sqlite
            else sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
            )
        )
        # what runs before any unit of work begins its transaction (the app ends a request's reads)
        self.on_begin: list[Callable[[], None]] = []
        # SQLite's connection is a file opened in this process; a PostgreSQL server's can be gone
        # (a restart, a failover), which only a checkout from the pool finds out (its pre-ping)
        self._spare = SpareConnections() if self.is_sqlite else None

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction for one command; rolled back unless ``unit.commit()`` ran.

        Commands take either a :class:`Database` (they open and commit their own unit of
        work) or the session yielded here (they join it; the owner commits), so a use case
        spanning two commands is still all or nothing.
        """
        unit = UnitOfWork(self._write_engine, on_begin=self.on_begin, spare=self._spare)
        try:
            yield unit
        finally:
            try:
                unit.rollback()
            finally:
                unit.close()

    @contextmanager
    def reading(self, *, transaction: bool = True) -> Iterator[Session]:
        """A session for reads. ``transaction=False`` (a page of several reads that needs no
        snapshot across them) runs each statement on its own on PostgreSQL: what its READ
        COMMITTED transaction gives each statement anyway, two round trips fewer. SQLite, in
        process, keeps its transaction (one snapshot for the page)."""
        session = (self.read_session if transaction else self._statement_read_session)()
        try:
            yield session
        finally:
            session.close()  # releases the transaction; loaded objects stay readable

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with Alembic (never ``create_all``)."""
        from alembic import command

        command.upgrade(alembic_config(self.url), revision)

    def dispose(self) -> None:
        if self._spare is not None:
            self._spare.close()
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_default: Database | None = None


def default_database() -> Database:
    """The process-wide database named by ``JIXIAO_DATABASE_URL`` (created on first use)."""
    global _default
    if _default is None:
        _default = Database()
    return _default


@contextmanager
def transaction(target: Database | UnitOfWork) -> Iterator[UnitOfWork]:
    """The unit of work a command runs in: its own, or the caller's.

    Given a :class:`Database`, the command opens a unit of work and commits it when it
    returns. Given an open unit of work (the session from ``Database.unit_of_work``), it
    joins it and the caller commits, so a use case spanning two commands is all or nothing.
    """
    if isinstance(target, UnitOfWork | Session):
        if not target.info.get(UNIT_OF_WORK):
            raise TypeError("a command runs in a unit of work (Database.unit_of_work()), not a read session")
        yield target
        return
    with target.unit_of_work() as session:
        yield session
        session.commit()
