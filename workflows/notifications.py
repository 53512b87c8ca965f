"""Notices for people: an in-app list per user, and e-mail through an adapter (issue 5).

How a BPMN process raises a notice — the ``notify`` convention
-------------------------------------------------------------
A script task (typically on the path of a reminder or deadline timer) sets the data key
``notify`` to a list of notices::

    notify = [
        {"task": "submit", "kind": "reminder", "message": "填报将于3天后截止"},
        {"role": "unit_head", "kind": "escalation", "message": "填报已逾期"},
        {"user": "zhang.san", "message": "..."},
    ]

Each notice names its recipients with exactly one of

- ``task``: the owner of this instance's open user task with that BPMN id — its assignee,
  or, while unclaimed, every active user who may see it (role and, for unit roles, the
  project's unit);
- ``role``: every active holder of the role; for unit-scoped roles (unit_submitter,
  unit_head) only those in the project's budget unit;
- ``user``: one username.

``message`` is required; ``kind`` (default ``notice``) and ``subject`` are optional.
When the instance is saved, the runtime turns the list into ``notification`` rows (and
e-mails, sent only after the transaction commits) and removes ``notify`` from the
workflow, so a notice is delivered once. Identical lists raised by parallel branches in
the same step are delivered once. A malformed list is a script error: the command fails
(for a timer, an incident) instead of losing the notice.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import ForeignKey, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit, clock, engine
from .config import settings
from .errors import Conflict, Forbidden, ScriptError
from .store import Base, HumanTask, Project, RoleGrant, User

NOTIFY_KEY = "notify"
RECIPIENT_KEYS = ("task", "role", "user")


class Notification(Base):
    """One notice for one user (in-app list); ``read_at`` is set when they open it."""

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


# --- e-mail adapters ------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


class LogMailer:
    """The embedded mode's mailer: one JSON line per mail in a log file (instance/mail.log)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else settings().instance_dir / "mail.log"
        self._lock = threading.Lock()

    def send(self, mail: Mail) -> None:
        line = json.dumps(
            {"at": clock.now().isoformat(), "to": mail.to, "subject": mail.subject, "body": mail.body},
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line + "\n")


class MemoryMailer:
    """Keeps mails in a list (tests)."""

    def __init__(self):
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


_mailer: Mailer | None = None


def mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        _mailer = LogMailer()
    return _mailer


def set_mailer(new: Mailer | None) -> None:
    """Replace the mail adapter (``None``: back to the log file)."""
    global _mailer
    _mailer = new


_OUTBOX = "jixiao_outbox"


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    # mails leave only once the notices they announce are committed
    for mail in session.info.pop(_OUTBOX, []):
        try:
            mailer().send(mail)
        except Exception:  # a mail server down must not undo a committed command
            import logging

            logging.getLogger(__name__).exception("sending mail to %s failed", mail.to)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(_OUTBOX, None)


# --- turning raised notices into rows -------------------------------------------------


def _validate(notices, where: str) -> list[dict]:
    if isinstance(notices, dict):
        notices = [notices]
    if not isinstance(notices, list):
        raise ScriptError(f"{where}: notify must be a list of notices, got {type(notices).__name__}")
    for notice in notices:
        if not isinstance(notice, dict):
            raise ScriptError(f"{where}: each notice must be a dict, got {notice!r}")
        named = [k for k in RECIPIENT_KEYS if notice.get(k)]
        if len(named) != 1:
            raise ScriptError(f"{where}: a notice names exactly one of task/role/user: {notice!r}")
        if not isinstance(notice.get("message"), str) or not notice["message"].strip():
            raise ScriptError(f"{where}: a notice needs a message: {notice!r}")
    return notices


def take_raised(workflow) -> list[dict]:
    """Remove every ``notify`` list from the workflow and return the distinct notices."""
    seen: set[str] = set()
    notices: list[dict] = []
    holders = [t.data for t in engine.all_tasks(workflow)] + [w.data for w in engine.all_workflows(workflow)]
    for data in holders:
        if NOTIFY_KEY not in data:
            continue
        raised = data.pop(NOTIFY_KEY)
        if raised is None:
            continue
        key = json.dumps(raised, ensure_ascii=False, sort_keys=True, default=str)
        if key in seen:  # the same list copied into following tasks
            continue
        seen.add(key)
        notices.extend(_validate(raised, "notify"))
    return notices


def _active_users(session: Session, role: str, unit_id: int | None) -> list[User]:
    from .runtime import UNIT_SCOPED_ROLES

    query = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == role, User.is_active.is_(True))
        .order_by(User.username)
    )
    if role in UNIT_SCOPED_ROLES and unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.scalars(query))


def recipients(session: Session, instance, notice: dict) -> list[User]:
    """The users a notice goes to (see the module docstring)."""
    unit_id = None
    if instance.project_id is not None:
        unit_id = session.scalar(select(Project.unit_id).where(Project.id == instance.project_id))
    if notice.get("user"):
        user = session.scalar(select(User).where(User.username == notice["user"], User.is_active.is_(True)))
        return [user] if user is not None else []
    if notice.get("role"):
        return _active_users(session, notice["role"], unit_id)
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.task_spec == notice["task"],
            HumanTask.status == "open",
        )
    ).all()
    users: dict[str, User] = {}
    for row in rows:
        if row.assignee:
            user = session.scalar(select(User).where(User.username == row.assignee))
            if user is not None:
                users[user.username] = user
        elif row.role:
            for user in _active_users(session, row.role, row.unit_id if row.unit_id is not None else unit_id):
                users[user.username] = user
    return list(users.values())


def _task_of(session: Session, instance_id: int, notice: dict) -> str | None:
    if not notice.get("task"):
        return None
    return session.scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance_id,
            HumanTask.task_spec == notice["task"],
            HumanTask.status == "open",
        )
    )


def deliver_raised(session: Session, instance, workflow, actor_name: str) -> list[Notification]:
    """Turn the notices the workflow raised into rows (+ mails after commit); called by the runtime's save."""
    notices = take_raised(workflow)
    created: list[Notification] = []
    now = clock.now()
    for notice in notices:
        kind = str(notice.get("kind") or "notice")[:30]
        subject = str(notice.get("subject") or notice["message"])[:200]
        task_id = _task_of(session, instance.id, notice)
        users = recipients(session, instance, notice)
        for user in users:
            row = Notification(
                username=user.username,
                kind=kind,
                subject=subject,
                message=notice["message"],
                instance_id=instance.id,
                task_id=task_id,
                project_id=instance.project_id,
                created_at=now,
            )
            session.add(row)
            created.append(row)
            if user.email:
                session.info.setdefault(_OUTBOX, []).append(
                    Mail(to=user.email, subject=f"[绩效] {subject}", body=notice["message"])
                )
        audit.append(
            session,
            action="notification.sent",
            actor=actor_name,
            instance_id=instance.id,
            task_id=task_id,
            data={
                "kind": kind,
                "message": notice["message"],
                "to": {k: notice[k] for k in RECIPIENT_KEYS if notice.get(k)},
                "recipients": [u.username for u in users],
            },
        )
    return created


# --- reading and marking ----------------------------------------------------------------


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


def mark_read(db, notification_id: int, *, actor) -> None:
    """A user opened a notice."""
    with db.unit_of_work() as session:
        row = session.get(Notification, notification_id)
        if row is None:
            raise Conflict(f"no notification {notification_id}")
        if row.username != actor.username and not actor.is_system:
            raise Forbidden(f"notification {notification_id} is not for {actor.username}")
        if row.read_at is not None:
            return
        row.read_at = clock.now()
        audit.append(
            session,
            action="notification.read",
            actor=actor.username,
            instance_id=row.instance_id,
            data={"notification": notification_id},
        )
        session.commit()
