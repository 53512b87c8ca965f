"""What the processes decided for a project, oldest first, with who, when and the values that
drove each decision (``GET /api/v1/projects/{id}``, the project page).

Read from the audit log of the project's instances, never from a workflow. Each entry is
one of these kinds:

- ``start``: a path started, with the data it started from (``instance.started``);
- ``task``: what a person decided or reported on a form (``task.completed``): a reviewer's
  score and conclusion, the targets decision, a monitoring verdict, leadership's decision;
- ``rule``: a DMN table decided (``engine.step``): the inputs it read, the rule that matched
  (its description cites the DOMAIN rule: the cap's reason) and its outputs: the ex-ante
  conclusion, the grade band, the capped grade, the budget-cut ratio and priority;
- ``script``: what a script computed (``engine.step``): the self-evaluation total, the panel
  mean, the final score, the cut amount, the count of consecutive failed reviews;
- ``notice``: a warning the process raised (``notification.sent``): an overdue report.

As the viewer may read them (:func:`workflows.policy.readable_history`): an expert scoring
independently sees neither another expert's sheet nor the engine's computations over the panel.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..engine import spec_cache
from ..policy import Actor
from ..store import AuditEvent, HumanTask, ProcessInstance
from . import returns

KINDS = ("start", "task", "rule", "script", "notice")
_ACTION_KINDS = (
    ("instance.started", "start"),
    ("task.completed", "task"),
    ("engine.step", "rule"),
    ("engine.step", "script"),
    ("notification.sent", "notice"),
)


def of_project(session: Session, viewer: Actor, project_id: int) -> list[dict]:
    """Every decision on the project (whose readability the caller has checked), oldest first."""
    instances = session.scalars(select(ProcessInstance).where(ProcessInstance.project_id == project_id))
    return of_instances(session, viewer, list(instances))


def of_instances(
    session: Session, viewer: Actor, instances: list[ProcessInstance], kinds: tuple[str, ...] = KINDS
) -> list[dict]:
    """The decisions of these instances of ``kinds``, oldest first, as the viewer may read them."""
    instances = {i.id: i for i in instances}
    actions = [action for action, kind in _ACTION_KINDS if kind in kinds]
    if not instances or not actions:
        return []
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id.in_(list(instances)), AuditEvent.action.in_(actions))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    tasks = {
        row.id: row
        for row in session.execute(
            select(HumanTask.id, HumanTask.title, HumanTask.role, HumanTask.form).where(
                HumanTask.instance_id.in_(list(instances))
            )
        )
    }
    experts = {task_id for task_id, row in tasks.items() if row.role == "expert"}
    entries = [
        _entry(event, instances[event.instance_id], tasks.get(event.task_id))
        for event in policy.readable_history(viewer, events, experts)
    ]
    if viewer.scores_independently:
        entries = [_without_hidden_from_experts(e) for e in entries]
    return [e for e in entries if e["kind"] in kinds]


HIDDEN_FROM_EXPERTS = "x-hidden-from-experts"


def hidden_from_experts(schema: dict | None) -> set[str]:
    """The fields a form marks ``"x-hidden-from-experts": true``: values an expert scoring on
    their own does not see on earlier steps (the finance review's scores, R-EA-3)."""
    return {
        name
        for name, prop in ((schema or {}).get("properties") or {}).items()
        if isinstance(prop, dict) and prop.get(HIDDEN_FROM_EXPERTS) is True
    }


def _without_hidden_from_experts(entry: dict) -> dict:
    hidden = hidden_from_experts(entry["form"]) if entry["kind"] == "task" else set()
    if not hidden:
        return entry
    return {
        **entry,
        "values": {k: v for k, v in entry["values"].items() if k not in hidden},
        "decision": [d for d in entry["decision"] if d["key"] not in hidden],
    }


def _entry(event: AuditEvent, instance: ProcessInstance, task) -> dict:
    data = event.data or {}
    entry = {
        "at": event.at,
        "instance_id": event.instance_id,
        "process_id": instance.process_id,
        "task_id": event.task_id,
        "actor": event.actor,
        "role": task.role if task is not None else None,
        "step": None,
        "title": None,
        "inputs": [],
        "values": {},
        "labels": {},
        "rules": [],
        "form": None,  # a task's: its schema, the decision it recorded, a return's reason
        "decision": [],
        "returned": False,
        "reason": "",
    }
    if event.action == "instance.started":
        entry.update(kind="start", title=instance.definition.name, values=data.get("data") or {})
    elif event.action == "task.completed":
        title = task.title if task is not None else data.get("task")
        values = data.get("data") or {}
        schema = (
            spec_cache.form_schema(instance.definition, task.form) if task is not None and task.form else None
        )
        entry.update(kind="task", step=data.get("task"), title=title, values=values, form=schema)
        entry.update(returns.step_of(schema, values))
    elif event.action == "engine.step":
        entry.update(
            kind=data.get("kind", "script"),
            process_id=data.get("process") or instance.process_id,
            step=data.get("step"),
            title=data.get("title"),
            inputs=data.get("inputs") or [],
            values=data.get("outputs") or {},
            labels=data.get("labels") or {},
            rules=data.get("rules") or [],
        )
    else:  # notification.sent
        entry.update(
            kind="notice",
            title=data.get("kind"),
            values={k: data.get(k) for k in ("kind", "message", "to")},
        )
    return entry
