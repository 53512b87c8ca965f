"""Database access: one engine per URL, units of work, migrations.

A command runs in :meth:`Database.unit_of_work`: one transaction, rolled back unless
the command commits. On SQLite a unit of work begins with ``BEGIN IMMEDIATE`` so two
writers queue instead of failing on a lock upgrade; reads begin deferred.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import audit
from .config import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An engine, a session factory for reads, and one for commands."""

    def __init__(self, url: str | None = None, **engine_kwargs):
        self.url = url or settings().resolved_database_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(self.url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _sqlite_setup(self.engine)
            write_engine = self.engine.execution_options(sqlite_immediate=True)
        else:
            write_engine = self.engine
        self.read_session = sessionmaker(self.engine, expire_on_commit=False)
        # commands flush explicitly (once, at the end of a save), so no autoflush before every query
        self.write_session = sessionmaker(write_engine, expire_on_commit=False, autoflush=False)
        event.listen(self.write_session, "before_commit", audit.write_pending)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for one command; rolled back unless ``session.commit()`` ran."""
        session = self.write_session()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self.read_session()
        try:
            yield session
        finally:
            session.close()  # releases the transaction; loaded objects stay readable

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` with Alembic (never ``create_all``)."""
        from alembic import command

        command.upgrade(alembic_config(self.url), revision)

    def dispose(self) -> None:
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
