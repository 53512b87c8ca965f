"""The signed-in user as the web layer sees it, and the app's database (one engine, two uses).

Who may see or do what is decided in :mod:`workflows.policy`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy.engine import make_url

from workflows.config import settings
from workflows.policy import Actor
from workflows.queries.accounts import Principal
from workflows.store import Database, User
from workflows.store.database import engine_options, prepare_engine, sqlite_file_ready

from .extensions import db


@dataclass(frozen=True)
class CurrentUser:
    """Flask-Login's user object: who is signed in, with the actor commands and queries take."""

    id: int
    username: str
    display_name: str
    unit_id: int | None
    unit_name: str | None
    roles: frozenset[str]
    office_units: frozenset[int] | None = None  # R-RL-1: a finance reviewer's office's units
    must_change_password: bool = False

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, unit_id=self.unit_id, office_units=self.office_units)

    @classmethod
    def of_principal(cls, principal: Principal) -> CurrentUser:
        return cls(
            id=principal.id,
            username=principal.username,
            display_name=principal.display_name,
            unit_id=principal.unit_id,
            unit_name=principal.unit_name,
            roles=principal.roles,
            office_units=principal.office_units,
            must_change_password=principal.must_change_password,
        )

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        actor = Actor.of(user)
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            unit_id=user.unit_id,
            unit_name=user.unit.name if user.unit else None,
            roles=user.roles,
            office_units=actor.office_units,
            must_change_password=bool(user.must_change_password),
        )


def database() -> Database:
    """The app's :class:`Database`, for commands (each opens its own unit of work)."""
    return current_app.extensions["jixiao_db"]


def init_database(app: Flask) -> Database:
    """Flask-SQLAlchemy on ``JIXIAO_DATABASE_URL``, and the commands' :class:`Database` on its
    engine: one engine, one pool for request reads (``db.session``) and units of work alike."""
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app.config.get("JIXIAO_DATABASE_URL"))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    prepare_engine(engine)  # our SQLite hooks (WAL, foreign keys, BEGIN), before anything connects
    database_ = Database(engine=engine)
    database_.on_begin.append(_end_request_reads)
    app.extensions["jixiao_db"] = database_
    return database_


def _database_uri(configured: str | None) -> str:
    """The app's URL, else the settings'. A relative SQLite path is made absolute here:
    Flask-SQLAlchemy would resolve it against the app's instance folder, while the CLI
    (``jixiao db upgrade``) resolves it against the working directory: one file for both."""
    url = make_url(configured or settings().resolved_database_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not url.database.startswith("file:") and not Path(url.database).is_absolute():
            url = url.set(database=str(Path(url.database).resolve()))
    uri = url.render_as_string(hide_password=False)
    sqlite_file_ready(uri)
    return uri


def _end_request_reads() -> None:
    """A command of this request begins writing: end the request's read transaction first.

    On SQLite a read transaction is a snapshot: kept open, the view would not see the
    command's own write when it reads again afterwards (``POST /api/v1/projects`` answers
    with the project it just created). Ending it here also means a request never holds a
    read snapshot while it writes. The session stays usable: the next read begins anew.
    """
    if has_app_context() and db.session.registry.has():
        db.session.rollback()
