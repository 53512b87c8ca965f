"""Notices for people: an in-app list per user, and e-mail through the store's outbox.

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
When the instance is saved, the commands turn the list into ``notification`` rows (and
e-mails, sent only after the transaction commits) and removes ``notify`` from the
workflow, so a notice is delivered once. Identical lists raised by parallel branches in
the same step are delivered once. A malformed list is a script error: the command fails
(for a timer, an incident) instead of losing the notice.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, engine, policy
from ..errors import NotFound, ScriptError
from ..store import Database, HumanTask, Notification, Project, User, audit, transaction
from ..store.outbox import Mail, queue

NOTIFY_KEY = "notify"
RECIPIENT_KEYS = ("task", "role", "user")


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
    return list(session.scalars(policy.holders_query(role, unit_id)))


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
    """Turn the notices the workflow raised into rows (+ mails after commit)."""
    return deliver(session, instance, take_raised(workflow), actor_name)


def deliver(session: Session, instance, notices: list[dict], actor_name: str) -> list[Notification]:
    """Rows (+ mails after commit) for notices taken off a workflow; called by the runtime's save."""
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
                queue(session, Mail(to=user.email, subject=f"[绩效] {subject}", body=notice["message"]))
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


# --- marking --------------------------------------------------------------------------


def mark_read(uow: Database | Session, notification_id: int, *, actor: policy.Actor) -> None:
    """A user opened a notice."""
    with transaction(uow) as session:
        row = session.get(Notification, notification_id)
        if row is None or (row.username != actor.username and not actor.is_system):
            raise NotFound(f"no notification {notification_id}")  # another's notice: not even its existence
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
