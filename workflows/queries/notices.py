"""A user's notices (the in-app notice list), newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store import Notification
from .paging import Order, Page, Sorts, page_of


def for_user(
    session: Session, username: str, *, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    """A user's notices, newest first (the in-app notice list)."""
    query = select(Notification).where(Notification.username == username)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    )


def unread_count(session: Session, username: str, cap: int = 99) -> int:
    """Unread notices for the bell, capped (the index ix_notification_user_unread answers it)."""
    inner = (
        select(Notification.id)
        .where(Notification.username == username, Notification.read_at.is_(None))
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(inner)) or 0


# the notice list's orders (issue 12, item 7): newest first by default
SORTS = Sorts(
    {"time": Notification.created_at, "subject": Notification.subject, "read": Notification.read_at},
    default=Order("time", descending=True),
    tiebreak=(Notification.id,),
)


def page(session: Session, username: str, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    """One page of a user's notices in ``order``."""
    query = select(Notification).where(Notification.username == username)
    return page_of(session, query, SORTS, order, page=page, per_page=per_page)
