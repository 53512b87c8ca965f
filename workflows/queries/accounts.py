"""Who is signed in: the user behind a bearer token or a session (passwords: ``commands.sign_in``).

Every API request and every page asks this, so it reads three small rows with prepared
statements (issue 14: the ORM's joined and selectin loads of a user cost a millisecond a request)
and answers a :class:`Principal`, not an ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session

from .. import clock
from ..commands.accounts import token_digest
from ..policy import OFFICE_SCOPED_ROLES, Actor
from ..store import ApiToken, BudgetUnit, RoleGrant, User
from ..store.prepared import Prepared


@dataclass(frozen=True)
class Principal:
    """A signed-in user: what the web layer shows and the actor commands take."""

    id: int
    username: str
    display_name: str
    unit_id: int | None
    unit_name: str | None
    roles: frozenset[str]
    office_units: frozenset[int] | None  # R-RL-1: a finance reviewer's office's units
    must_change_password: bool

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, unit_id=self.unit_id, office_units=self.office_units)


_u, _t, _bu, _rg = User.__table__, ApiToken.__table__, BudgetUnit.__table__, RoleGrant.__table__
_USER_COLUMNS = (
    _u.c.id,
    _u.c.username,
    _u.c.display_name,
    _u.c.unit_id,
    _bu.c.name.label("unit_name"),
    _u.c.office_id,
    _u.c.must_change_password,
)
_BY_TOKEN = Prepared(
    select(*_USER_COLUMNS)
    .select_from(_u.join(_t, _t.c.username == _u.c.username).outerjoin(_bu, _bu.c.id == _u.c.unit_id))
    .where(
        _t.c.token_hash == bindparam("digest"), _t.c.expires_at > bindparam("now"), _u.c.is_active == true()
    )
)
_BY_ID = Prepared(
    select(*_USER_COLUMNS)
    .select_from(_u.outerjoin(_bu, _bu.c.id == _u.c.unit_id))
    .where(_u.c.id == bindparam("user_id"), _u.c.is_active == true())
)
_ROLES = Prepared(select(_rg.c.role).where(_rg.c.user_id == bindparam("user_id")))
_OFFICE_UNITS = Prepared(select(_bu.c.id).where(_bu.c.office_id == bindparam("office_id")))


def _principal(session: Session, rows: list) -> Principal | None:
    if not rows:
        return None
    row = rows[0]
    roles = frozenset(r.role for r in _ROLES.all(session, {"user_id": row.id}))
    office_units = None
    if roles & OFFICE_SCOPED_ROLES:  # as Actor.of: held to the office's units (none without one)
        office_units = (
            frozenset(r.id for r in _OFFICE_UNITS.all(session, {"office_id": row.office_id}))
            if row.office_id is not None
            else frozenset()
        )
    return Principal(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        roles=roles,
        office_units=office_units,
        must_change_password=bool(row.must_change_password),
    )


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The active user a live token belongs to."""
    return _principal(session, _BY_TOKEN.all(session, {"digest": token_digest(token), "now": clock.now()}))


def principal(session: Session, user_id: int) -> Principal | None:
    """The active user ``user_id`` (a page session's user)."""
    return _principal(session, _BY_ID.all(session, {"user_id": user_id}))
