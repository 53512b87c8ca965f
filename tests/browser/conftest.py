"""Browser tests: Flask served on 127.0.0.1 (port 0) in a thread, Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from tests.conftest import ON_POSTGRES, PG_URL
from tests.server.conftest import app  # noqa: F401  (the same app fixture as the test-client tests)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_server(app):  # noqa: F811
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def demo_server(_database_template, tmp_path_factory, worker_id):
    """The app with bpmn/ deployed and the demo driven along it, as `make run` shows it; built
    once per test session (per xdist worker) and shared by the tests that only read it."""
    yield from _serve_demo(_database_template, tmp_path_factory, worker_id)


@pytest.fixture(scope="module")
def own_demo_server(_database_template, tmp_path_factory, worker_id):
    """The demo as :func:`demo_server` serves it, for one test module that changes it (claims,
    refused submits kept as drafts): the shared one stays as `make run` shows it."""
    yield from _serve_demo(_database_template, tmp_path_factory, worker_id)


def _serve_demo(_database_template, tmp_path_factory, worker_id):
    import demo
    from server import create_app
    from workflows.config import settings
    from workflows.engine import specs
    from workflows.store import Database

    folder = tmp_path_factory.mktemp("demo")
    if ON_POSTGRES:
        name = f"jixiao_demo_{worker_id}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        Database(url).migrate()
    else:
        shutil.copy(_database_template, folder / "demo.db")
        url = f"sqlite:///{folder / 'demo.db'}"
    db = Database(url)
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor="designer")
        session.commit()
    demo.load(db)
    db.dispose()
    demo_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": url,
            "JIXIAO_ATTACHMENTS_DIR": str(folder / "attachments"),
            "JIXIAO_TRANSLATIONS_DIR": str(folder / "translations"),
        }
    )
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    demo_app.extensions["jixiao_db"].dispose()
    if ON_POSTGRES:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
