"""The bureau's view of the year (issue 12): one database per module with bpmn/ deployed and
the demo driven along it (projects at every stage, some graded and cut), and an app on it.

The demo is made through the commands, as people would; loading it once per module keeps
the dashboard and export tests cheap while they read real stages, grades and cuts.
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, text

import demo
from server import create_app
from tests.conftest import ON_POSTGRES
from tests.server.conftest import Browser
from workflows.config import settings
from workflows.engine import specs
from workflows.store import Base, Database


@pytest.fixture(scope="module")
def demo_url(_database_template, tmp_path_factory, _cheap_password_hashes) -> str:
    if ON_POSTGRES:
        engine = create_engine(_database_template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        url = _database_template
    else:
        path = tmp_path_factory.mktemp("reports") / "jixiao.db"
        shutil.copy(_database_template, path)
        url = f"sqlite:///{path}"
    db = Database(url)
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor="designer")
        session.commit()
    demo.load(db)
    db.dispose()
    return url


@pytest.fixture(scope="module")
def demo_db(demo_url):
    database = Database(demo_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def demo_app(demo_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports-app")
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": demo_url,
            "JIXIAO_ATTACHMENTS_DIR": str(folder / "attachments"),
            "JIXIAO_TRANSLATIONS_DIR": str(folder / "translations"),
        }
    )
    yield application
    application.extensions["jixiao_db"].dispose()


@pytest.fixture
def signed_in(demo_app):
    """``signed_in("li.si")`` → a test client logged in through the form as a demo user."""

    def _as(username: str) -> Browser:
        browser = Browser(demo_app.test_client())
        assert browser.login(username).status_code == 302
        return browser

    return _as
