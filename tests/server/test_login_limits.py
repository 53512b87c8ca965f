"""Login limits (issue 9, item 8): failed sign-ins counted per account and per address, in the
database, one bucket for the login page and the API; successes never count.

Defaults: 5 failures per account and 50 per address within 15 minutes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server import create_app
from tests import factories
from workflows import clock, commands
from workflows.errors import SignInLocked
from workflows.store import AuditEvent, LoginFailure

from .conftest import PASSWORD, csrf_of

NINE_AM = clock.parse_moment("2026-03-02T09:00:00")
LOCKED_PAGE = "登录失败次数过多"


@pytest.fixture(autouse=True)
def _nine_am():
    clock.set_now(NINE_AM)


def page_login(client, username: str, password: str, address: str = "10.0.0.1"):
    env = {"REMOTE_ADDR": address}
    token = csrf_of(client.get("/login", environ_base=env).text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base=env,
    )


def api_login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def failures(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(LoginFailure))


def test_a_bureau_behind_one_address_signs_in_at_nine(app, db_of):
    """Sixty staff behind the bureau's NAT address sign in at once, a third of them mistyping
    first: 20 failures from one address is far from its limit, and nobody is locked out."""
    with db_of.unit_of_work() as uow:
        for n in range(60):
            factories.user(uow, f"staff.{n:02d}", "unit_submitter", unit_code="U001")
        uow.commit()
    answers = []
    for n in range(60):
        client = app.test_client()
        if n % 3 == 0:
            assert page_login(client, f"staff.{n:02d}", "wrong-password").status_code == 401
        login = page_login if n % 2 else api_login
        answers.append(login(client, f"staff.{n:02d}", PASSWORD).status_code)
    assert set(answers) == {201, 302}
    assert failures(db_of) == 0  # each success cleared its account's failure


def test_an_attacker_guessing_one_account_from_many_addresses_is_stopped(client, db_of):
    guesses = [api_login(client, "li.si", f"guess-{n}", address=f"203.0.113.{n}") for n in range(5)]
    assert [g.status_code for g in guesses] == [401] * 5
    sixth = api_login(client, "li.si", PASSWORD, address="198.51.100.7")  # even the right one
    assert sixth.status_code == 429 and sixth.json["error"] == "too_many_attempts"
    assert 0 < int(sixth.headers["Retry-After"]) <= 15 * 60
    # the account's owner waits out the window, then gets in
    clock.set_now(NINE_AM + timedelta(minutes=15, seconds=1))
    assert api_login(client, "li.si", PASSWORD, address="10.0.0.9").status_code == 201


def test_page_and_api_share_one_bucket(client):
    for _ in range(3):
        assert page_login(client, "zhang.san", "nope").status_code == 401
    for _ in range(2):
        assert api_login(client, "zhang.san", "nope").status_code == 401
    page = page_login(client, "zhang.san", PASSWORD)
    assert page.status_code == 429 and LOCKED_PAGE in page.text and "15 分钟后再试" in page.text
    assert page.headers["Retry-After"]
    assert api_login(client, "zhang.san", PASSWORD).status_code == 429


def test_successes_do_not_count_and_clear_the_accounts_failures(client):
    for _ in range(20):
        assert api_login(client, "zhang.san", PASSWORD).status_code == 201
    for _ in range(4):
        assert api_login(client, "zhang.san", "nope").status_code == 401
    assert page_login(client, "zhang.san", PASSWORD).status_code == 302  # clears the four
    for _ in range(5):
        assert api_login(client, "zhang.san", "nope").status_code == 401
    assert api_login(client, "zhang.san", "nope").status_code == 429


def test_an_unknown_account_answers_exactly_as_a_known_one(client):
    """No user enumeration: the same 401, then the same 429, for a name nobody has."""
    known = [api_login(client, "li.si", "nope", address="192.0.2.1") for _ in range(6)]
    unknown = [api_login(client, "no.such.user", "nope", address="192.0.2.2") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429]
    assert known[0].json == unknown[0].json and known[-1].json == unknown[-1].json


def test_one_address_trying_many_accounts_is_stopped_at_the_address_limit(app, client):
    app.config["JIXIAO_LOGIN_LIMITS"] = commands.LoginLimits(per_account=5, per_address=8)
    names = ["zhang.san", "wang.head", "li.na", "chen.head", "li.si", "he.fin", "zhou.perf", "admin"]
    assert {api_login(client, name, "nope", address="192.0.2.66").status_code for name in names} == {401}
    assert api_login(client, "designer", PASSWORD, address="192.0.2.66").status_code == 429
    assert api_login(client, "designer", PASSWORD, address="192.0.2.67").status_code == 201


def test_a_lockout_is_audited_once_and_the_failures_are_not(client, db_of):
    for _ in range(7):
        api_login(client, "he.fin", "nope", address="192.0.2.9")
    with db_of.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("login.%"))).all()
    assert [(e.action, e.data["scope"], e.data["account"], e.data["ip"]) for e in events] == [
        ("login.locked", "account", "he.fin", "192.0.2.9")
    ]


def test_the_password_change_api_counts_against_the_same_limit(client):
    for _ in range(5):
        changed = client.post(
            "/api/v1/auth/password",
            json={"username": "li.na", "password": "nope", "new_password": "Another@2026"},
        )
        assert changed.status_code == 400 and changed.json["fields"]["password"] == ["原密码不正确"]
    assert api_login(client, "li.na", PASSWORD).status_code == 429


def test_two_workers_share_the_bucket(app, client, database_url, tmp_path):
    """Another app process on the same database counts the same failures (not process memory)."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations-2"),
        }
    ).test_client()
    for worker in (client, other, client, other, client):
        assert api_login(worker, "wang.head", "nope").status_code == 401
    assert api_login(other, "wang.head", PASSWORD).status_code == 429


def test_parallel_guesses_cannot_slip_under_the_limit(db):
    """Each attempt is committed before it is counted: twelve guesses at once, at most five tried."""
    factories.user(db, "target", "unit_submitter")
    limits = commands.LoginLimits()

    def guess(n: int) -> str:
        try:
            commands.sign_in(db, "target", f"guess-{n}", address=f"203.0.113.{n}", limits=limits)
        except SignInLocked:
            return "locked"
        return "tried"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(guess, range(12)))
    assert outcomes.count("tried") <= 5
    assert failures(db) == outcomes.count("tried")


def test_a_wrong_password_says_so_on_the_page_and_the_api_and_the_page_keeps_the_name(client):
    page = page_login(client, "li.si", "wrong-password")
    assert page.status_code == 401 and "用户名或密码错误" in page.text
    assert 'name="username" autocomplete="username" required  value="li.si"' in page.text
    api = api_login(client, "li.si", "wrong-password")
    assert api.status_code == 401 and api.json["message"] == "用户名或密码错误"
