"""Collaboration tables: comments, attachments, saved filters, API tokens, delegations
(migration 0002_server) and notices (0002_timers). Plain models on :class:`Base`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, HumanTask

# "Claimable" = open, unassigned, of my role, sorted by due date. A unit's staff are served by
# the core ix_human_task_open_role (role, unit_id, due_at); this one lets a reviewer who
# sees every unit read page 1 in due order without visiting the rest of the backlog (bench/inbox.py).
# Both hold the open tasks only (0018_open_role_indexes): the query says ``status = 'open'``.
Index(
    "ix_human_task_claimable",
    HumanTask.role,
    HumanTask.due_at,
    HumanTask.id,  # the tie-break of the inbox order, so the index alone gives page 1
    HumanTask.assignee,  # after the order: PostgreSQL does not treat "IS NULL" as fixing a column
    postgresql_where=HumanTask.status == "open",
    sqlite_where=HumanTask.status == "open",
)


class Comment(Base):
    """评论 a comment on a project, optionally made on one task."""

    __tablename__ = "comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Attachment(Base):
    """附件 a file stored by SHA-256 under instance/attachments, outside the web root."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime]


class SavedFilter(Base):
    """常用筛选 a user's named inbox filter (scope + query parameters)."""

    __tablename__ = "saved_filter"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict]
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Delegation(Base):
    """委托 a task handed to a colleague that goes back to its holder when they finish or return it."""

    __tablename__ = "delegation"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    delegator: Mapped[str] = mapped_column(String(80))
    delegate: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    returned_at: Mapped[datetime | None]


class Notification(Base):
    """通知 one notice for one user (in-app list); ``read_at`` is set when they open it."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "username", "read_at", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))  # reminder, escalation, notice
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
