"""The task page: the form rendered from its JSON Schema, context, comments, attachments, diagram."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from workflows import clock, inbox, runtime
from workflows.collab import Attachment
from workflows.errors import FormInvalid
from workflows.store import HumanTask, ProcessInstance, Project

from . import formrender, services
from .access import can_view_project, can_view_task, colleagues_for, database, visible_instance, visible_task
from .auth import page_user

bp = Blueprint("tasks", __name__)


def task_context(session, user, task: HumanTask) -> dict:
    """Everything beside the form; shared with the API's task detail."""
    instance = session.get(ProcessInstance, task.instance_id)
    project = session.get(Project, task.project_id) if task.project_id else None
    instance_ids = [instance.id]
    if project is not None:
        instance_ids = list(
            session.scalars(select(ProcessInstance.id).where(ProcessInstance.project_id == project.id))
        )
    return {
        "instance": instance,
        "project": project,
        "decisions": services.decisions(session, instance_ids, viewer=user),
        "comments": services.comments_of(session, task.project_id, task.instance_id),
        "attachments": services.attachments_of(session, task.project_id, task.instance_id),
        "delegation": services.open_delegation(session, task.id),
    }


def _render(task_id: str, *, values: dict | None = None, errors: dict | None = None, status: int = 200):
    user = page_user()
    with database().reading() as session:
        task = visible_task(session, user, task_id)
        schema = services.form_schema_of(session, task) or {"properties": {}}
        data = values if values is not None else services.prefill(session, task, schema)
        context = task_context(session, user, task)
        colleagues = colleagues_for(session, task, exclude=user.username)
    can_act = task.status == "open" and runtime.may_complete(user.actor, task)
    return (
        render_template(
            "tasks/task.html",
            task=task,
            schema=schema,
            fields=formrender.fields_of(schema, data),
            errors=errors or {},
            can_act=can_act,
            colleagues=colleagues,
            due_state=inbox.due_state(task.due_at),
            **context,
        ),
        status,
    )


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    return _render(task_id)


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str):
    user = page_user()
    with database().reading() as session:
        task = visible_task(session, user, task_id)
        schema = services.form_schema_of(session, task) or {"properties": {}}
    data = formrender.parse_form(schema, request.form)
    if request.form.get("action") == "draft":
        runtime.save_draft(database(), task_id, data, actor=user.actor)
        flash(_("草稿已保存"))
        return redirect(url_for("tasks.show", task_id=task_id))
    try:
        result = runtime.complete_task(database(), task_id, data, actor=user.actor)
    except FormInvalid as exc:
        return _render(task_id, values=data, errors=exc.fields, status=400)
    where = "、".join(t.title for t in result.next_tasks) or _("流程已结束")
    flash(_("已提交。项目当前环节：%(where)s", where=where))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    user = page_user()
    with database().reading() as session:
        visible_task(session, user, task_id)
    runtime.claim(database(), task_id, actor=user.actor)
    flash(_("已认领"))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    user = page_user()
    with database().reading() as session:
        visible_task(session, user, task_id)
    runtime.unclaim(database(), task_id, actor=user.actor)
    flash(_("已退回待认领"))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    user = page_user()
    with database().reading() as session:
        visible_task(session, user, task_id)
    username = request.form.get("username", "")
    if request.form.get("mode") == "delegate":
        services.delegate(user, task_id, username)
        flash(_("已委托给 %(name)s", name=username))
    else:
        runtime.assign(database(), task_id, username, actor=user.actor)
        flash(_("已转交给 %(name)s", name=username))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/hand-back")
@login_required
def hand_back(task_id: str):
    user = page_user()
    with database().reading() as session:
        visible_task(session, user, task_id)
    services.hand_back(user, task_id)
    flash(_("已交回委托人"))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/comments")
@login_required
def comment(task_id: str):
    user = page_user()
    with database().reading() as session:
        task = visible_task(session, user, task_id)
    services.add_comment(user, task, request.form.get("body", ""))
    return redirect(url_for("tasks.show", task_id=task_id) + "#comments")


@bp.post("/tasks/<task_id>/attachments")
@login_required
def upload(task_id: str):
    user = page_user()
    with database().reading() as session:
        task = visible_task(session, user, task_id)
    file = request.files.get("file")
    services.store_attachment(user, task, file.filename if file else "", file.read() if file else b"")
    return redirect(url_for("tasks.show", task_id=task_id) + "#attachments")


def visible_attachment(session, user, attachment_id: int) -> Attachment:
    from flask import abort

    row = session.get(Attachment, attachment_id)
    if row is None:
        abort(404)
    if row.project_id is not None and can_view_project(session, user, row.project_id):
        return row
    task = session.get(HumanTask, row.task_id) if row.task_id else None
    if task is not None and can_view_task(user, task):
        return row
    abort(404)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    with database().reading() as session:
        row = visible_attachment(session, page_user(), attachment_id)
    return send_file(
        services.attachment_path(row),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.filename,
    )


@bp.get("/instances/<int:instance_id>/diagram.json")
@login_required
def diagram(instance_id: int):
    with database().reading() as session:
        instance = visible_instance(session, page_user(), instance_id)
        return jsonify(services.diagram(session, instance))


@bp.app_context_processor
def _now():
    return {"now": clock.now()}
