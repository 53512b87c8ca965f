"""Commands on process instances: start, complete a task, keep a draft, deliver a message, cancel.

Each runs in one unit of work (its own, or the caller's: see
:func:`workflows.store.transaction`): load the instance, act, run engine steps until the
workflow waits, save with the read tables and audit events. Anything raised before the
commit rolls everything back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .. import clock, engine
from ..engine import decision_checks, form_workbook, forms, specs, steps
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotClaimedByYou
from ..policy import Actor, may_complete
from ..store import Database, ProcessInstance, audit, transaction
from . import _persist, attachment_fields, form_sources, panels, return_notices, score_records
from ._persist import CommandResult, open_task, open_task_and_siblings, result_of, write_conflict

Unit = Database | Session  # a command's unit of work: its own (a Database) or the caller's


def start(
    uow: Unit,
    process_id: str,
    *,
    actor: Actor,
    data: dict | None = None,
    business_key: str | None = None,
    project_id: int | None = None,
    unit_id: int | None = None,
    latest=None,
) -> CommandResult:
    """Start the latest deployed version of ``process_id`` (``unit_id``: the budget unit of an
    instance without a project, whose unit-scoped tasks go to that unit; ``latest``: that
    version's definition when the caller has just read it in the same unit of work)."""
    if data:
        forms.check_values(data)  # start data enters task data as form data does
    with transaction(uow) as session:
        definition = latest if latest is not None else specs.latest_definition(session, process_id)
        workflow = engine.new_workflow(specs.ensure_loaded(definition))
        if data:
            steps.put_start_data(workflow, data)
        steps.run(workflow)
        instance = _persist.insert_instance(
            session,
            definition,
            business_key=business_key,
            project_id=project_id,
            unit_id=unit_id,
            started_by=actor.username,
            started_at=clock.now(),
        )
        audit.append(
            session,
            action="instance.started",
            actor=actor.username,
            instance_id=instance.id,
            data={
                "process_id": process_id,
                "version": definition.version,
                "business_key": business_key,
                "data": data or {},
            },
        )
        return result_of(instance, _persist.save(session, instance, workflow, actor, open_rows=[]))


# Tasks whose completion is a use case of its own, with checks the form cannot hold: they are
# completed only through their command (``dedicated=True``), never through the generic doors.
DEDICATED_TASKS = {
    "sel_choose": "年度评价对象选取须在选取工作台确认（确认时核算配额）",  # commands.confirm_selection
    "pr_review": "扶贫资金月度评价表须在评价表页面审核（事实数据不可改动）",  # commands.review_month
    "pr_rectify": "扶贫资金项目问题须在整改页面逐项报送整改措施",  # commands.rectify
    "as_score_july": "考核评分须在考核评分表页面填写（事实数据不可改动）",  # commands.score_cycle
    "as_score_december": "考核评分须在考核评分表页面填写（事实数据不可改动）",  # commands.score_cycle
}


def complete_task(
    uow: Unit, task_id: str, data: dict | None, *, actor: Actor, dedicated: bool = False
) -> CommandResult:
    """Complete a user task with form data; the next owners see their tasks on commit."""
    data = dict(data or {})
    try:
        with transaction(uow) as session:
            row, open_rows = open_task_and_siblings(session, task_id, actor)
            if row.task_spec in DEDICATED_TASKS and not dedicated:
                raise BusinessRuleRefused(DEDICATED_TASKS[row.task_spec])
            if not may_complete(actor, row):
                if row.assignee is not None:
                    raise NotClaimedByYou(f"task {task_id} is claimed by {row.assignee}")
                raise Forbidden(f"{actor.username} may not complete task {task_id}")
            instance, workflow = _persist.load_instance(session, row.instance_id)
            schema = instance.form_schema(session, row.form) if row.form else None
            # R-EX-1: a panel picked from the pool is checked, a requested draw made
            data, draws = panels.resolve(session, schema, data, task=row)
            # x-prefill "bound": monitoring and self-evaluation rows are the approved targets
            sources = form_sources.of_task(session, schema, instance.id, instance.project_id)
            # a ``decision`` check asks the instance's own DMN tables (R-EA-4: 支持 needs the table's yes)
            context = decision_checks.context_of(
                session,
                instance.deployment_id,
                instance.content_hash,
                decision_checks.task_data(workflow, task_id),
            )
            # 评估报告附件: a file field names a file uploaded to this instance, beside the form's own errors
            unknown = attachment_fields.check(session, schema, data, task=row)
            try:
                clean, dropped = forms.accept(schema, data, sources, context)
            except FormInvalid as exc:
                raise FormInvalid({**unknown, **exc.fields}) from None
            if unknown:
                raise FormInvalid(unknown)
            panels.record_draws(session, draws, task=row, actor=actor)
            facts = score_records.facts(session, instance)  # R-EV-7: the spot check's verdict
            steps.complete_user_task(workflow, task_id, {**clean, **facts})
            audit.append(
                session,
                action="task.completed",
                actor=actor.username,
                instance_id=instance.id,
                task_id=task_id,
                data={
                    "task": row.task_spec,
                    "data": clean,
                    "dropped_keys": dropped,
                    **({"facts": facts} if facts else {}),
                },
            )
            # the save marks the row completed (assignee: the completer if unclaimed; draft cleared)
            views = _persist.save(
                session, instance, workflow, actor, completed_task_id=task_id, open_rows=open_rows
            )
            # R-RC-1: whom the work went back to hears of it (a step this completion opened; a
            # sibling still open, another expert's sheet, was not sent back)
            next_ids = [v.id for v in views if v.opened]
            return_notices.notify_returned(
                session, instance, row.task_spec, clean, schema, next_ids, actor.username
            )
            return result_of(instance, views)
    except OperationalError as exc:
        raise write_conflict(exc) from exc


# what a draft was kept for when the person pressed something else: the typed form saved with
# an upload or a comment, or with a submit refused for its field errors (nothing typed is lost)
KEPT_FOR = ("upload", "comment", "submit")


def save_draft(uow: Unit, task_id: str, data: dict, *, actor: Actor, kept_for: str | None = None) -> None:
    """Keep unfinished form data on the task without completing it (not validated).

    ``kept_for``: the action (:data:`KEPT_FOR`) the draft was saved with, when the person did not
    press 保存草稿; the audit event says so, and the project's history leaves it out."""
    if kept_for is not None and kept_for not in KEPT_FOR:
        raise ValueError(f"unknown kept_for {kept_for!r}")
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        if not may_complete(actor, row):
            raise Forbidden(f"{actor.username} may not edit task {task_id}")
        instance = session.get(ProcessInstance, row.instance_id)
        schema = specs.form_schema(instance.definition, row.form) if row.form else None
        row.draft = forms.accept_draft(schema, data)
        audit.append(
            session,
            action="task.draft_saved",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"kept_for": kept_for} if kept_for else None,
        )


def import_workbook(uow: Unit, task_id: str, content: bytes, *, filename: str, actor: Actor) -> dict:
    """Fill the task's form from a workbook (:mod:`workflows.engine.form_workbook`): all or nothing.

    Every refused cell is named (sheet, row, column) in one :class:`FormInvalid` under
    ``workbook``; otherwise the whole form becomes the task's draft, for the person to check
    on the page and submit. Returns the imported data.
    """
    with transaction(uow) as session:
        row = open_task(session, task_id, actor)
        if not may_complete(actor, row):
            raise Forbidden(f"{actor.username} may not edit task {task_id}")
        instance = session.get(ProcessInstance, row.instance_id)
        schema = specs.form_schema(instance.definition, row.form) if row.form else None
        if not schema or not schema.get("properties"):
            raise FormInvalid({"workbook": ["这个环节没有可用 Excel 填写的表单"]})
        sources = form_sources.of_task(session, schema, row.instance_id, row.project_id)
        try:
            data = form_workbook.read(schema, content, sources=sources)
        except form_workbook.WorkbookInvalid as exc:
            raise FormInvalid({"workbook": [str(e) for e in exc.errors]}) from None
        row.draft = forms.accept_draft(schema, data)
        audit.append(
            session,
            action="task.workbook_imported",
            actor=actor.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"file": filename[:200], "fields": sorted(data)},
        )
        return data


def correlate_message(
    db: Database, name: str, *, business_key: str, payload: Any = None, actor: Actor
) -> list[int]:
    """Deliver a message to every running instance with ``business_key`` that waits for it.

    One unit of work per instance: one instance refusing does not undo another's delivery.
    """
    with db.reading() as session:
        ids = list(
            session.scalars(
                select(ProcessInstance.id).where(
                    ProcessInstance.business_key == business_key, ProcessInstance.status == "running"
                )
            )
        )
    delivered = []
    for instance_id in ids:
        with transaction(db) as session:
            instance, workflow = _persist.load_instance(session, instance_id)
            if not steps.deliver_message(workflow, name, payload):
                continue  # this instance is not waiting for the message
            audit.append(
                session,
                action="message.correlated",
                actor=actor.username,
                instance_id=instance_id,
                data={"message": name, "payload": payload},
            )
            _persist.save(session, instance, workflow, actor)
            delivered.append(instance_id)
    return delivered


def cancel(uow: Unit, instance_id: int, *, actor: Actor, reason: str = "") -> None:
    with transaction(uow) as session:
        instance, workflow = _persist.load_instance(session, instance_id)
        if instance.status != "running":
            raise Conflict(f"instance {instance_id} is {instance.status}")
        steps.cancel(workflow)
        instance.status = "cancelled"
        instance.completed_at = clock.now()
        _persist.save(session, instance, workflow, actor)
        audit.append(
            session,
            action="instance.cancelled",
            actor=actor.username,
            instance_id=instance_id,
            data={"reason": reason},
        )
