"""Which decisions send work back (DOMAIN 3.2 R-TG-2 退回调整, 3.3 R-MN-3, rectification).

A decision returns the work when one of its recorded values is a return verdict of the
forms' vocabulary. The task page shows the last one as a banner; the inbox marks the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..engine import spec_cache
from ..store import AuditEvent, BudgetUnit, HumanTask, ProcessDefinition, ProcessInstance

RETURN_VALUES = frozenset({"退回", "退回调整", "退回修改", "退回整改", "退回重评", "不通过"})


# a form's decision is a choice (``enum``/``oneOf``) under one of these names: 审核结论 (tg_decision),
# 核实结论 (rect_verdict), 审核意见 (ea_head_opinion), 下一步 (ea_next_step) …
DECISION_NAMES = ("decision", "conclusion", "verdict", "result", "opinion", "next_step")
# the words given with it: 审核意见 (tg_comment), 专家意见 (expert_opinion), 逾期原因 …
REASON_NAMES = ("comment", "opinion", "reason")


def verdicts(data: dict | None) -> list[str]:
    """The return verdicts among a decision's values (empty when it did not return the work)."""
    return [v for v in (data or {}).values() if isinstance(v, str) and v in RETURN_VALUES]


def return_note(schema: dict | None, data: dict | None) -> str:
    """What a form says a decision that sends the work back amounts to (``x-returned-as`` of its
    choice: a first 不予安排 is a return for adjustment, R-TG-2); empty when it says nothing."""
    data = data or {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        notes = prop.get("x-returned-as") if isinstance(prop, dict) else None
        if isinstance(notes, dict) and isinstance(data.get(key), str) and notes.get(data[key]):
            return str(notes[data[key]])
    return ""


def _is_choice(prop) -> bool:
    return isinstance(prop, dict) and ("enum" in prop or "oneOf" in prop) and prop.get("type") != "array"


def decision_of(schema: dict | None, data: dict | None) -> list[dict]:
    """What a person decided on a form: ``[{"key", "value"}]`` of its choices named as a
    decision (or holding a return verdict), in the form's order; a form with no decision
    (a report, a score sheet's rows) gives none. The page shows each under its title."""
    data = data or {}
    props = (schema or {}).get("properties") or {}
    keys = [k for k in props if k in data] + sorted(k for k in data if k not in props)
    return [
        {"key": key, "value": data[key]}
        for key in keys
        if isinstance(data[key], str)
        and data[key]
        and (
            data[key] in RETURN_VALUES
            or (key.endswith(DECISION_NAMES) and _is_choice(props.get(key)))
            or (key not in props and key.endswith(DECISION_NAMES) and not key.endswith(REASON_NAMES))
        )
    ]


def reason_of(data: dict | None, schema: dict | None = None) -> str:
    """The words that came with a decision (审核意见, 核实意见 …), joined; never a choice."""
    props = (schema or {}).get("properties") or {}
    return "；".join(
        v.strip()
        for k, v in (data or {}).items()
        if isinstance(v, str)
        and v.strip()
        and v not in RETURN_VALUES
        and k.endswith(REASON_NAMES)
        and not _is_choice(props.get(k))
    )


def step_of(schema: dict | None, data: dict | None) -> dict:
    """A completed form as a history step: the decision, whether it returned the work, and for a
    return its reason (shown on its own line, not left inside the form's values)."""
    returned = bool(verdicts(data))
    return {
        "decision": decision_of(schema, data),
        "returned": returned,
        "reason": reason_of(data, schema) if returned else "",
    }


def returned_tasks(session: Session, tasks: list) -> set[str]:
    """Of these open tasks (rows with ``id``, ``instance_id``, ``task_spec``, ``created_at``), those
    that came back to their owner: the latest decision on the task's project (or, without a project,
    its instance) returned the work, by a return verdict (退回修改) or by reopening this step, handed
    in before (:func:`came_back_from`: a first 不予安排, R-TG-2), as the task page's banner has it.
    A windowed query over the audit log and a few batched reads, whatever the number of rows; no
    workflow loaded."""
    tasks = [t for t in tasks if getattr(t, "status", "open") == "open"]
    if not tasks:
        return set()
    latest = _latest_decisions(session, sorted({t.instance_id for t in tasks}))
    returned, undecided = set(), []
    for task in tasks:
        last = latest.get(task.instance_id)
        if last is None:
            continue
        if verdicts(last.data):
            returned.add(task.id)
        elif last.task_id:
            undecided.append(task)  # returned only if that decision reopened this very step
    openers = came_back_from_each(session, undecided)
    decided = _decided(session, {latest[t.instance_id].task_id for t in undecided if openers.get(t.id)})
    returned.update(
        t.id
        for t in undecided
        if openers.get(t.id) == latest[t.instance_id].task_id and latest[t.instance_id].task_id in decided
    )
    return returned


@dataclass(frozen=True)
class _Latest:
    task_id: str | None
    data: dict


def _latest_decisions(session: Session, instance_ids: list[int]) -> dict[int, _Latest]:
    """``{instance: its project's (or, without a project, its own) latest completed task}``: one
    windowed query over the audit log."""
    projects = dict(
        session.execute(
            select(ProcessInstance.id, ProcessInstance.project_id).where(ProcessInstance.id.in_(instance_ids))
        ).all()
    )
    project_ids = {p for p in projects.values() if p is not None}
    scope = [i for i, p in projects.items() if p is None]
    if project_ids:
        scope += list(
            session.scalars(select(ProcessInstance.id).where(ProcessInstance.project_id.in_(project_ids)))
        )
    group = func.coalesce(ProcessInstance.project_id, -AuditEvent.instance_id)
    ranked = (
        select(
            group.label("grp"),
            AuditEvent.task_id,
            AuditEvent.data,
            func.row_number()
            .over(partition_by=group, order_by=(AuditEvent.at.desc(), AuditEvent.id.desc()))
            .label("n"),
        )
        .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(AuditEvent.instance_id.in_(scope), AuditEvent.action == "task.completed")
        .subquery()
    )
    by_group = {
        grp: _Latest(task_id, (data or {}).get("data") or {})
        for grp, task_id, data in session.execute(
            select(ranked.c.grp, ranked.c.task_id, ranked.c.data).where(ranked.c.n == 1)
        ).all()
    }
    answer = {}
    for instance_id in instance_ids:
        grp = projects.get(instance_id) if projects.get(instance_id) is not None else -instance_id
        if grp in by_group:
            answer[instance_id] = by_group[grp]
    return answer


def _decided(session: Session, task_ids: set[str]) -> set[str]:
    """Of these completed tasks, those whose form recorded a decision (:func:`decision_of`): a
    resubmission reopens the review step but decides nothing, and is no return."""
    if not task_ids:
        return set()
    rows = session.execute(
        select(HumanTask.id, HumanTask.form, ProcessDefinition.deployment_id, AuditEvent.data)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .join(AuditEvent, and_(AuditEvent.task_id == HumanTask.id, AuditEvent.action == "task.completed"))
        .where(HumanTask.id.in_(task_ids))
    ).all()
    return {
        task_id
        for task_id, form, deployment_id, data in rows
        if decision_of(
            spec_cache.form_schema_of(session, deployment_id, None, form) if form else None,
            (data or {}).get("data"),
        )
    }


@dataclass(frozen=True)
class ReturnedTo:
    """Where a returned piece of work went: the step, the unit whose work it is, who holds it
    (``assignee``) or, while the unit's group holds it, who handed that step in last time."""

    title: str
    role: str | None
    unit_name: str | None
    assignee: str | None
    last_handler: str | None
    again: bool = False  # the step was handed in before: the work came back to it


def returned_to(session: Session, task_ids: list[str]) -> list[ReturnedTo]:
    """The open tasks a return opened (``task_ids``, the command's next tasks), each with the
    unit and the person it went back to; two reads of indexed tables, no workflow loaded."""
    if not task_ids:
        return []
    rows = session.execute(
        select(HumanTask, BudgetUnit.name)
        .outerjoin(BudgetUnit, BudgetUnit.id == HumanTask.unit_id)
        .where(HumanTask.id.in_(task_ids))
    ).all()
    by_id = {task.id: (task, unit_name) for task, unit_name in rows}
    answer = []
    for task_id in task_ids:
        if task_id not in by_id:
            continue
        task, unit_name = by_id[task_id]
        last = session.scalar(
            select(HumanTask.completed_by)
            .where(
                HumanTask.instance_id == task.instance_id,
                HumanTask.task_spec == task.task_spec,
                HumanTask.status == "completed",
            )
            .order_by(HumanTask.completed_at.desc())
            .limit(1)
        )
        answer.append(ReturnedTo(task.title, task.role, unit_name, task.assignee, last, last is not None))
    return answer


def came_back_from(session: Session, task: HumanTask) -> str | None:
    """The decision that sent the work back to ``task``: the step completed in the command that
    opened it (its ``completed_at`` is the task's ``created_at``), when ``task``'s step was handed
    in before in this instance. Whatever the decision is called: a first 不予安排 returns the
    targets as surely as a 退回调整 does (R-TG-2). None for a first round, or a round a timer opened."""
    return came_back_from_each(session, [task]).get(task.id)


def came_back_from_each(session: Session, tasks: list) -> dict[str, str]:
    """:func:`came_back_from` of many open tasks at once (``{task id: the decision's task id}``, the
    tasks that came back only): two reads of the task table, however many tasks (the inbox)."""
    tasks = [t for t in tasks if getattr(t, "status", "open") == "open"]
    if not tasks:
        return {}
    instances = sorted({t.instance_id for t in tasks})
    first_done = {
        (instance_id, spec): at
        for instance_id, spec, at in session.execute(
            select(HumanTask.instance_id, HumanTask.task_spec, func.min(HumanTask.completed_at))
            .where(HumanTask.instance_id.in_(instances), HumanTask.status == "completed")
            .group_by(HumanTask.instance_id, HumanTask.task_spec)
        ).all()
    }
    again = [
        t
        for t in tasks
        if first_done.get((t.instance_id, t.task_spec)) is not None
        and first_done[(t.instance_id, t.task_spec)] < t.created_at
    ]
    if not again:
        return {}
    completed = session.execute(
        select(HumanTask.id, HumanTask.instance_id, HumanTask.task_spec, HumanTask.completed_at)
        .where(
            HumanTask.instance_id.in_(sorted({t.instance_id for t in again})),
            HumanTask.status == "completed",
            HumanTask.completed_at.in_(sorted({t.created_at for t in again})),
        )
        .order_by(HumanTask.id)
    ).all()
    answer = {}
    for task in again:
        opener = next(
            (
                task_id
                for task_id, instance_id, spec, at in completed
                if instance_id == task.instance_id and at == task.created_at and spec != task.task_spec
            ),
            None,
        )
        if opener is not None:
            answer[task.id] = opener
    return answer
