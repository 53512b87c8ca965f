"""Fixtures for the web layer: an app on the per-test database, its people and projects, a logged-in client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from server import create_app
from tests import factories
from workflows import commands
from workflows.engine import specs
from workflows.store import HumanTask, Project

REVIEW_BUNDLE = Path(__file__).parent / "fixtures" / "review"
PASSWORD = factories.PASSWORD  # the browser tests type it too

UNITS = [("U001", "万载县住房和城乡建设局"), ("U002", "万载县应急管理局")]
# (username, display name, roles, unit code): one account per role, two units' own staff
PEOPLE = [
    ("zhang.san", "张三（住建局填报）", ("unit_submitter",), "U001"),
    ("wang.head", "王局长（住建局负责人）", ("unit_head",), "U001"),
    ("li.na", "李娜（应急局填报）", ("unit_submitter",), "U002"),
    ("chen.head", "陈局长（应急局负责人）", ("unit_head",), "U002"),
    ("li.si", "李四（经济建设科）", ("finance_reviewer",), None),
    ("he.fin", "何芳（行政政法科）", ("finance_reviewer",), None),
    ("zhou.perf", "周敏（绩效科）", ("performance_office",), None),
    ("wang.expert", "王教授（专家）", ("expert",), None),
    ("zhao.expert", "赵高工（专家）", ("expert",), None),
    ("sun.expert", "孙会计师（专家）", ("expert",), None),
    ("tp.audit", "华信评估公司（第三方机构）", ("third_party",), None),
    ("liu.leader", "刘副县长（分管领导）", ("leadership",), None),
    ("designer", "流程设计员", ("designer",), None),
    ("admin", "系统管理员", ("admin",), None),
]
# DOMAIN R-RL-1: finance offices, the units each reviews, its reviewers (as the demo has them)
OFFICES = [("经济建设科", ("U001",), ("li.si",)), ("行政政法科", ("U002",), ("he.fin",))]
# DOMAIN R-EX-1: the expert pool (username, fields, organisation, unit they belong to)
EXPERTS = [
    ("wang.expert", ("给排水", "环境工程"), "南昌大学", None),
    ("zhao.expert", ("安全工程", "应急管理"), "万载县应急管理局", "U002"),
    ("sun.expert", ("财务会计", "工程造价"), "宜春市注册会计师协会", None),
]
# (code, name, amount in 万元, new?, major?, submitter): each created by its unit's submitter
PROJECTS = [
    ("WZ2026-001", "城市污水处理厂提标改造", "1261.22", False, True, "zhang.san"),
    ("WZ2026-002", "农村人居环境整治", "362.00", False, False, "zhang.san"),
    ("WZ2026-003", "红色文化展陈", "118.40", True, False, "zhang.san"),
    ("WZ2026-004", "智慧消防建设", "189.12", True, True, "li.na"),
    ("WZ2026-005", "应急物资储备库", "540.00", False, False, "li.na"),
]


def seed(db) -> None:
    """Two units, their people and five projects, each waiting at the review's first task (填报)."""
    with db.unit_of_work() as uow:
        specs.deploy(uow, specs.load_bundle(REVIEW_BUNDLE), actor="designer")
        unit_ids = {code: factories.unit(uow, code, name) for code, name in UNITS}
        actors = {
            username: factories.user(uow, username, *roles, unit_code=unit, display_name=display)
            for username, display, roles, unit in PEOPLE
        }
        for office, codes, reviewers in OFFICES:
            commands.save_office(uow, office, [unit_ids[c] for c in codes], actor=factories.ADMIN)
            for username in reviewers:
                commands.join_office(uow, username, office, actor=factories.ADMIN)
        names = {username: display for username, display, _roles, _unit in PEOPLE}
        for username, fields, organisation, unit_code in EXPERTS:
            expert = commands.NewExpert(username, names[username], fields, organisation, unit_code)
            commands.add_expert(uow, expert, actor=factories.ADMIN)
        for code, name, amount, is_new, is_major, submitter in PROJECTS:
            factories.project(
                uow,
                code,
                actor=actors[submitter],
                name=name,
                amount=amount,
                is_new=is_new,
                is_major=is_major,
                process_id="review",
            )
        uow.commit()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db, database_url, tmp_path):
    seed(db)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations"),
        }
    )
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
