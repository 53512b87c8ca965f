"""A process instance's history as a person reads it on the project page (issue 10): each event
with, for a completed step, the role it was done in, the form it recorded (for field titles and
choice titles), what was decided and, for a return, the reason on its own line.

Read from the audit log and the task table, never from a workflow; the page shows it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import spec_cache
from ..policy import Actor
from ..store import HumanTask, ProcessInstance
from . import returns, tasks


def of_instance(session: Session, instance: ProcessInstance, viewer: Actor) -> list[dict]:
    """The instance's events the viewer may read, oldest first, each a dict: ``action``, ``at``,
    ``actor``, ``task_id``, ``data`` as logged, and ``title``, ``role``, ``form``, ``values``,
    ``decision``, ``returned``, ``reason`` (a completed step's, else empty). Draft saves of one task
    by one person in a row are one entry, the last, with ``saves`` (their number) and ``first_at``;
    a draft kept with another action (``kept_for``: an upload, a comment, a refused submit) is none."""
    events = tasks.history(session, instance.id, viewer)
    known = {
        row.id: row
        for row in session.execute(
            select(HumanTask.id, HumanTask.title, HumanTask.role, HumanTask.form).where(
                HumanTask.instance_id == instance.id
            )
        )
    }
    steps = []
    for event in events:
        data = event.data or {}
        if event.action == "task.draft_saved" and data.get("kept_for"):
            continue  # saved with an upload, a comment or a refused submit: not a step the person took
        saved = _saved_before(steps, event)
        if saved is not None:
            # a clerk saving one form again and again: one line, the last save's, with the count
            saved.update(id=event.id, at=event.at, data=data, saves=saved["saves"] + 1)
            continue
        task = known.get(event.task_id) if event.task_id else None
        entry = {
            "id": event.id,
            "action": event.action,
            "at": event.at,
            "actor": event.actor,
            "task_id": event.task_id,
            "data": data,
            "title": task.title if task is not None else None,
            "role": task.role if task is not None else None,
            "form": None,
            "values": {},
            "decision": [],
            "returned": False,
            "reason": "",
            "saves": 1,  # a draft save: how many in a row this line stands for (from ``first_at``)
            "first_at": event.at,
        }
        if event.action == "task.completed":
            values = data.get("data") if isinstance(data.get("data"), dict) else {}
            schema = (
                spec_cache.form_schema(instance.definition, task.form)
                if task is not None and task.form
                else None
            )
            entry.update(form=schema, values=values, **returns.step_of(schema, values))
        steps.append(entry)
    return steps


def _saved_before(steps: list[dict], event) -> dict | None:
    """The entry of the draft ``event`` saves again, if the last shown entry (the page leaves the
    engine's steps out) saved it: same task, same person."""
    if event.action != "task.draft_saved":
        return None
    last = next((s for s in reversed(steps) if s["action"] != "engine.step"), None)
    if last is None or last["action"] != "task.draft_saved":
        return None
    return last if (last["task_id"], last["actor"]) == (event.task_id, event.actor) else None
