"""Flask-SQLAlchemy in the web layer: one engine for pages and commands, a session per request.

Pages and API reads use ``db.session`` (closed at teardown); commands open their own unit
of work on the same engine. On SQLite a read transaction is a snapshot, so the request's
read transaction ends when one of its commands begins writing.
"""

from __future__ import annotations

from flask import jsonify

from server.current import database
from server.extensions import db
from workflows import commands
from workflows.policy import Actor
from workflows.queries import inbox
from workflows.store import Base, Project


def test_pages_and_commands_share_one_engine_and_the_plain_models(app):
    with app.app_context():
        assert database().engine is db.engine
        assert db.metadata is Base.metadata
    # Flask-SQLAlchemy builds its own base beside ours; our models stay plain
    assert db.Model is not Base and not issubclass(Project, db.Model)
    assert not hasattr(Project, "query")


def test_a_view_reads_what_its_own_command_just_wrote(app):
    actor = Actor("li.si", frozenset({"finance_reviewer"}))

    @app.get("/_probe")
    def probe():
        before = len(inbox.saved_filters(db.session, actor.username))  # the request's read begins
        commands.save_filter(database(), "我的筛选", {"scope": "mine"}, actor=actor)
        after = len(inbox.saved_filters(db.session, actor.username))
        return jsonify(before=before, after=after)

    assert app.test_client().get("/_probe").json == {"before": 0, "after": 1}


def test_requests_give_their_connections_back(app, db_of):
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/projects", headers=_bearer(client, "zhang.san")).status_code == 200
    assert db_of.engine.pool.checkedout() == 0  # read sessions closed at teardown, no transaction left open


def _bearer(client, username: str) -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "Jixiao@2026"}).json
    return {"Authorization": f"Bearer {token['token']}"}


def test_a_relative_sqlite_path_means_the_working_directory_as_for_the_cli(tmp_path, monkeypatch):
    from server.current import _database_uri

    monkeypatch.chdir(tmp_path)
    assert _database_uri("sqlite:///data/jixiao.db") == f"sqlite:///{tmp_path}/data/jixiao.db"
    assert (tmp_path / "data").is_dir()
