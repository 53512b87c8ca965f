"""Fixtures shared by every test: a migrated database per test, a settable clock, cheap
password hashes (tests/factories.py makes accounts through the commands).

SQLite (default): the schema is migrated once per session into a template file that
each test copies. PostgreSQL (``JIXIAO_DATABASE_URL=postgresql+psycopg://...``): each
xdist worker gets its own database, migrated once; tables are emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import CHEAP_PASSWORD_METHOD
from workflows import clock
from workflows.commands import accounts
from workflows.engine import specs
from workflows.policy import Actor
from workflows.store import Base, Database, outbox

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("JIXIAO_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run via make test-postgres")
    skip_sqlite = pytest.mark.skip(reason="SQLite-only behaviour")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "sqlite_only" in item.keywords and ON_POSTGRES:
            item.add_marker(skip_sqlite)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """scrypt costs ~50 ms an account; the tests check who may sign in, not the hash's strength."""
    production = accounts.password_method
    accounts.password_method = CHEAP_PASSWORD_METHOD
    yield
    accounts.password_method = production


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory, worker_id):
    if ON_POSTGRES:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"jixiao_test_{worker_id}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        Database(url).migrate()
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        db = Database(f"sqlite:///{path}")
        db.migrate()
        db.dispose()
        yield path


@pytest.fixture
def database_url(_database_template, tmp_path) -> str:
    """A URL to an empty, migrated database for this test alone."""
    if ON_POSTGRES:
        engine = create_engine(_database_template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _database_template
    path = tmp_path / "jixiao.db"
    shutil.copy(_database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.set_now(None)


@pytest.fixture
def mails():
    """The mail the code under test sends, kept in a list (``mails.sent``)."""
    box = outbox.MemoryMailer()
    outbox.set_mailer(box)
    yield box
    outbox.set_mailer(None)


@pytest.fixture
def deploy(db):
    """Deploy a fixture bundle (a folder under tests/fixtures, or any folder)."""

    def _deploy(folder: str | Path, actor: str = "designer"):
        path = Path(folder)
        if not path.is_absolute():
            path = FIXTURES / path
        with db.unit_of_work() as session:
            result = specs.deploy(session, specs.load_bundle(path), actor=actor)
            session.commit()
        return result

    return _deploy


@pytest.fixture
def submitter():
    return Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=None)


@pytest.fixture
def reviewer():
    return Actor("li.si", frozenset({"finance_reviewer"}))
