"""Who is signing in: password check, bearer tokens, the user behind a session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .. import clock
from ..commands.accounts import token_digest
from ..store import ApiToken, User


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        return None
    _ = user.grants, user.unit  # loaded while the session is open
    return user


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.expires_at <= clock.now():
        return None
    return session.scalar(select(User).where(User.username == row.username, User.is_active.is_(True)))


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None
