"""Fixtures for the web layer: an app on the per-test database, demo users, a logged-in client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

import demo
from server import create_app
from server.extensions import limiter
from workflows.engine import specs
from workflows.store import HumanTask, Project

REVIEW_BUNDLE = Path(__file__).parent / "fixtures" / "review"
PASSWORD = demo.DEMO_PASSWORD
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db, database_url, tmp_path):
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(REVIEW_BUNDLE), actor="designer")
        session.commit()
    demo.load(db, drive_review_paths=False)  # the tests' own review bundle, not bpmn/
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations"),
            "JIXIAO_LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    limiter.reset()
    yield application
    application.extensions["jixiao_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """A test client that logs in through the form and posts with the page's CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )
        if response.status_code == 302:
            self.token = csrf_of(self.client.get("/inbox").text)
        return response

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


@pytest.fixture
def web(app):
    def _as(username: str) -> Browser:
        b = Browser(app.test_client())
        assert b.login(username).status_code == 302
        return b

    return _as


@pytest.fixture
def api(app):
    """``api("li.si")`` → a client whose calls carry that user's bearer token."""

    class Api:
        def __init__(self, username):
            self.client = app.test_client()
            response = self.client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
            self.headers = {"Authorization": f"Bearer {response.json['token']}"}

        def get(self, url, **kw):
            return self.client.get(url, headers=self.headers, **kw)

        def post(self, url, **kw):
            return self.client.post(url, headers=self.headers, **kw)

    return Api


@pytest.fixture
def db_of(app):
    return app.extensions["jixiao_db"]


def open_task(db, *, project_code: str, task_spec: str) -> HumanTask:
    with db.reading() as session:
        return session.scalar(
            select(HumanTask)
            .join(Project, Project.id == HumanTask.project_id)
            .where(Project.code == project_code, HumanTask.task_spec == task_spec, HumanTask.status == "open")
        )


def project_id(db, code: str) -> int:
    with db.reading() as session:
        return session.scalar(select(Project.id).where(Project.code == code))
