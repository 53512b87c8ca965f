"""Who is signed in: the user behind a bearer token or a session (passwords: ``commands.sign_in``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..commands.accounts import token_digest
from ..store import ApiToken, User


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.expires_at <= clock.now():
        return None
    return session.scalar(select(User).where(User.username == row.username, User.is_active.is_(True)))


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None
