"""What a task page shows: the form and its pre-fill, the earlier decisions, comments,
attachments, the diagram, colleagues to hand over to. Read from tables and the audit
log, never from a deserialized workflow.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..commands import form_sources
from ..commands.assignment import open_delegation
from ..engine import forms, specs
from ..errors import NotFound, TaskNotFound
from ..policy import Actor
from ..store import Attachment, AuditEvent, Comment, HumanTask, ProcessInstance, Project, User, audit
from . import returns, selection
from .decisions import of_instances
from .project_header import project_facts

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def readable_task(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """The task if the actor may read it; :class:`TaskNotFound` otherwise (ids cannot be probed)."""
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or not policy.may_read_task(actor, task):
        raise TaskNotFound(f"no task {task_id}")
    return task


def form_schema(session: Session, task: HumanTask) -> dict | None:
    if not task.form:
        return None
    instance = session.get(ProcessInstance, task.instance_id)
    return specs.form_schema(instance.definition, task.form)


def _expert_task_ids(session: Session, instance_ids: list[int]) -> set[str]:
    return set(
        session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id.in_(instance_ids), HumanTask.role == "expert")
        )
    )


def _draw_fields(schema: dict) -> set[str]:
    """How many experts to draw for a panel (R-EX-1) is asked afresh on each form, never pre-filled:
    "draw 3" from the ex-ante review came back on the evaluation review beside the panel it had
    drawn, and the form refused a pick and a draw together. The panel itself pre-fills (visible)."""
    return {
        prop["x-draw-field"]
        for prop in (schema.get("properties") or {}).values()
        if isinstance(prop, dict) and prop.get("x-widget") == "expert-pool" and prop.get("x-draw-field")
    }


def prefill(session: Session, task: HumanTask, schema: dict | None) -> dict:
    """Values to show in the form: the draft, else the latest values this instance recorded.

    Read from the audit log (start data and completed-task data), never from the workflow.
    Fields marked ``x-fresh`` are never carried over from earlier steps.
    Experts score independently: another expert's sheet never pre-fills this one. Tables the
    form declares ``x-prefill`` for are filled from the approved targets when empty, and a
    bound table that strayed from them (a draft from elsewhere, targets changed since) is
    filled again: what the page offers is what the submission is held to.
    """
    if not schema or (task.draft and not form_sources.has_prefill(schema)):
        return dict(task.draft or {})
    declared = set(schema.get("properties", {})) - _draw_fields(schema)
    expert_tasks = _expert_task_ids(session, [task.instance_id])
    recorded = form_sources.recorded(
        session,
        task.instance_id,
        left_out=lambda e: e.task_id in expert_tasks and e.actor != task.assignee,
        computed=form_sources.computed_keys(schema),
    )
    values = dict(task.draft) if task.draft else recorded
    if form_sources.has_prefill(schema):  # x-prefill: rows from the approved targets
        sources = form_sources.with_approved_targets(session, task.project_id, recorded)
        values = {**values, **forms.prefilled(schema, values, sources)}
        project = session.get(Project, task.project_id) if task.project_id else None
        values = {**values, **forms.prefilled_scalars(schema, values, sources, project_facts(project))}
    if task.draft:
        return values
    values.update(selection.presets_for(session, task.project_id))  # R-EV-3/R-EV-4: the year's choice
    # x-fresh: a decision taken anew each time the step comes round (the leader's 审定意见 of
    # December is not July's); only this task's own draft holds it
    fresh = {k for k, p in schema.get("properties", {}).items() if isinstance(p, dict) and p.get("x-fresh")}
    return {k: v for k, v in values.items() if k in declared and k not in fresh}


def bound_tables(session: Session, task: HumanTask, schema: dict | None) -> dict[str, list[str]]:
    """``{table: columns}`` of the form's tables held to the approved targets (shown read-only,
    no rows added or removed); empty when the form binds none or the targets are not known."""
    sources = form_sources.of_task(session, schema, task.instance_id, task.project_id)
    return forms.bound_tables(schema, sources) if sources is not None else {}


def bound_fields(session: Session, task: HumanTask, schema: dict | None) -> list[str]:
    """The form's plain fields held to an approved value (the self-evaluation's 年度总体目标):
    shown, not typed; empty when the form holds none or the value is not known."""
    sources = form_sources.of_task(session, schema, task.instance_id, task.project_id)
    return forms.bound_fields(schema, sources) if sources is not None else []


def decisions(session: Session, instances: list[ProcessInstance], viewer: Actor) -> list[dict]:
    """Earlier decisions and scores: completed tasks with the data they recorded, as the viewer may
    read them (the people's part of :mod:`workflows.queries.decisions`)."""
    return [
        {
            "task_id": e["task_id"],
            "title": e["title"],
            "actor": e["actor"],
            "role": e["role"],
            "at": e["at"],
            "data": e["values"],
            "form": e["form"],
            "decision": e["decision"],
            "returned": e["returned"],
            "reason": e["reason"],
        }
        for e in of_instances(session, viewer, instances, kinds=("task",))
    ]


def history(session: Session, instance_id: int, viewer: Actor) -> list[AuditEvent]:
    """An instance's audit events as the viewer may read them (no other expert's sheet)."""
    return policy.readable_history(
        viewer, audit.history(session, instance_id), _expert_task_ids(session, [instance_id])
    )


def comments_of(session: Session, project_id: int | None, instance_id: int) -> list[Comment]:
    query = select(Comment).order_by(Comment.created_at, Comment.id)
    query = (
        query.where(Comment.project_id == project_id)
        if project_id
        else query.where(Comment.instance_id == instance_id)
    )
    return list(session.scalars(query))


def attachments_of(session: Session, project_id: int | None, instance_id: int) -> list[Attachment]:
    query = select(Attachment).order_by(Attachment.uploaded_at, Attachment.id)
    query = (
        query.where(Attachment.project_id == project_id)
        if project_id
        else query.where(Attachment.instance_id == instance_id)
    )
    return list(session.scalars(query))


def context(session: Session, viewer: Actor, task: HumanTask) -> dict:
    """Everything beside the form; shared by the task page and the API's task detail."""
    instance = session.get(ProcessInstance, task.instance_id)
    project = session.get(Project, task.project_id) if task.project_id else None
    instances = [instance]
    if project is not None:
        instances = list(
            session.scalars(select(ProcessInstance).where(ProcessInstance.project_id == project.id))
        )
    earlier = decisions(session, instances, viewer)
    if task.completed_at is not None:  # a finished step's page: the steps before it, not itself or after
        earlier = [d for d in earlier if d["at"] < task.completed_at and d["task_id"] != task.id]
    # the decision that sent the work back here: a step that decided (a resubmission decides nothing)
    opener = returns.came_back_from(session, task)
    opener = opener if any(d["task_id"] == opener and d["decision"] for d in earlier) else None
    return {
        "instance": instance,
        "project": project,
        "decisions": earlier,
        "came_back_from": opener,
        "comments": comments_of(session, task.project_id, task.instance_id),
        "attachments": attachments_of(session, task.project_id, task.instance_id),
        "delegation": open_delegation(session, task.id),
        "selection_marks": selection.marks_of(session, task.project_id),  # R-MN-7 重点监控 and the rest
    }


def colleagues(session: Session, task: HumanTask, exclude: str | None = None) -> list[User]:
    """Active users the task may be handed to (:func:`workflows.policy.may_hold`); none for an
    expert's task, whose panel member only the office replaces (R-EX-1)."""
    if not task.role or task.role in policy.ASSIGNED_ONLY_ROLES:
        return []
    return [
        u
        for u in session.scalars(policy.holders_query(task.role, task.unit_id)).unique()
        if u.username != exclude
    ]


def readable_attachment(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is not None:
        if row.project_id is not None and session.scalar(
            select(Project.id).where(Project.id == row.project_id, policy.project_clause(actor))
        ):
            return row
        task = session.get(HumanTask, row.task_id) if row.task_id else None
        if task is not None and policy.may_read_task(actor, task):
            return row
    raise NotFound(f"no attachment {attachment_id}")


# --- the diagram ----------------------------------------------------------------------


def _processes_in(xml: str) -> dict[str, set[str]]:
    """{process id: ids of the elements inside it} of one BPMN file."""
    try:
        root = etree.fromstring(xml.encode())
    except etree.XMLSyntaxError:
        return {}
    found = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        found[process.get("id")] = {el.get("id") for el in process.iter() if el.get("id")}
    return found


def diagram(session: Session, instance: ProcessInstance, step: str | None = None) -> dict:
    """The deployed BPMN XML of the path the instance now stands in, and which steps are open or done.

    When every open step lives in a called process (the lifecycle waiting inside
    ``target_review``, say), that process's diagram is the one that shows where the project is.
    Asked for a ``step`` (a task page asks for its own), the process that step belongs to: a
    finished 编制事前绩效评估报告 shows the ex-ante assessment, not the target review after it.
    """
    files = {n: t for n, t in sorted(instance.definition.deployment.files.items()) if n.endswith(".bpmn")}
    rows = session.execute(
        select(HumanTask.task_spec, HumanTask.status).where(HumanTask.instance_id == instance.id)
    ).all()
    open_steps = sorted({spec for spec, status in rows if status == "open"})
    done = sorted({spec for spec, status in rows if status == "completed"} - set(open_steps))
    parsed = {name: _processes_in(text) for name, text in files.items()}
    if step:
        owners = [
            (pid, name) for name, processes in parsed.items() for pid, els in processes.items() if step in els
        ]
        if owners:  # the instance's own process first, where a called one has a step of the same id
            pid, name = min(owners, key=lambda owner: owner[0] != instance.process_id)
            return {"process_id": pid, "xml": files[name], "open": open_steps, "completed": done}
    process_id, xml = instance.process_id, ""
    for name, processes in parsed.items():
        if instance.process_id in processes:
            xml = files[name]
            if not open_steps or any(step in processes[instance.process_id] for step in open_steps):
                return {"process_id": process_id, "xml": xml, "open": open_steps, "completed": done}
    for name, processes in parsed.items():
        for pid, elements in processes.items():
            if open_steps and open_steps[0] in elements:
                return {"process_id": pid, "xml": files[name], "open": open_steps, "completed": done}
    return {"process_id": process_id, "xml": xml, "open": open_steps, "completed": done}
