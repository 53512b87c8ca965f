"""The signed-in user as the web layer sees it, and the app's database.

Who may see or do what is decided in :mod:`workflows.policy`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from workflows.policy import Actor
from workflows.store import Database, User


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
    return current_app.extensions["jixiao_db"]
