"""Who is signed in: the user behind a bearer token or a session (passwords: ``commands.sign_in``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..commands.accounts import token_digest
from ..store import ApiToken, User


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live token belongs to: one query (with the user's unit and office)."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.username == User.username)
        .where(
            ApiToken.token_hash == token_digest(token),
            ApiToken.expires_at > clock.now(),
            User.is_active.is_(True),
        )
    )


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None
