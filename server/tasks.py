"""The task page: the form rendered from its JSON Schema, context, comments, attachments, diagram."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from workflows import clock, commands, policy
from workflows.commands import attachment_fields
from workflows.commands.collab import attachment_path
from workflows.errors import FormInvalid
from workflows.queries import inbox, people, projects, selection, tasks, workbooks
from workflows.queries.exports import XLSX

from . import assessment, formrender, labels, poverty, readable, schemas, step_words
from . import errors as http_errors
from .auth import page_user
from .current import database
from .extensions import db

bp = Blueprint("tasks", __name__)


def _render(
    task_id: str,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
    comment: dict | None = None,
    assign_errors: dict | None = None,
    upload_errors: dict | None = None,
    workbook_errors: list | None = None,
    draft_kept: bool = False,
    typed_kept: bool = False,
    refused_file: str = "",
):
    """The task page; ``errors`` are the form's, ``comment`` / ``assign_errors`` /
    ``upload_errors`` a refused comment (its text and errors), hand-over or file, shown beside
    their own controls."""
    user = page_user()
    session = db.session
    task = tasks.readable_task(session, user.actor, task_id)
    schema = tasks.form_schema(session, task) or {"properties": {}}
    data = values if values is not None else tasks.prefill(session, task, schema)
    context = tasks.context(session, user.actor, task)
    colleagues = tasks.colleagues(session, task, exclude=user.username)
    choices = {}
    if any(p.get("x-widget") == "expert-pool" for p in schema["properties"].values()):
        choices["expert-pool"] = people.panel_choices(session, task.unit_id)  # R-EX-1
    # 评估报告附件 (x-widget file): the files uploaded to this instance, by name
    choices["file"] = formrender.file_choices(context["attachments"], task.instance_id)
    can_act = task.status == "open" and policy.may_complete(user.actor, task)
    return (
        render_template(
            "tasks/task.html",
            task=task,
            schema=schema,
            fields=formrender.mark_invalid(
                formrender.fields_of(
                    schema,
                    data,
                    choices,
                    tasks.bound_tables(session, task, schema),
                    fixed=tasks.bound_fields(session, task, schema),
                ),
                schema,
                errors or {},
            ),
            errors=errors or {},
            can_act=can_act,
            colleagues=colleagues,
            # a finished task is not late: its due date reads plain
            due_state=inbox.due_state(task.due_at) if task.status == "open" else None,
            comment=comment or {},
            assign_errors=assign_errors or {},
            upload_errors=upload_errors or {},
            workbook_errors=workbook_errors or [],
            draft_kept=draft_kept,
            typed_kept=typed_kept,
            refused_file=refused_file,
            approval_ranking=assessment.approval_ranking(task),  # R-AS-1: what the leader approves
            max_upload_mb=current_app.config["JIXIAO_MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
            **context,
        ),
        status,
    )


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    if sheet := assessment.scoring_page(task_id):  # R-AS-1: the pre-filled scoring sheet
        return redirect(sheet)
    if sheet := poverty.task_page(task_id):  # R-AS-2: the review sheet, a unit's rectification
        return redirect(sheet)
    task = tasks.readable_task(db.session, page_user().actor, task_id)
    year = selection.year_of_instance(db.session, task.instance_id)  # 年度评价对象选取: its workbench
    if year is not None:
        return redirect(url_for("selection.workbench", year=year))
    return _render(task_id)


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str):
    user = page_user()
    task = tasks.readable_task(db.session, user.actor, task_id)
    schema = tasks.form_schema(db.session, task) or {"properties": {}}
    data = formrender.parse_form(schema, request.form)
    drafting = request.form.get("action") == "draft"
    try:
        if drafting:
            commands.save_draft(database(), task_id, data, actor=user.actor)
            flash(_("草稿已保存"))
            return redirect(url_for("tasks.show", task_id=task_id))
        result = commands.complete_task(database(), task_id, data, actor=user.actor)
    except FormInvalid as exc:
        kept = not drafting and _keep_refused(task_id, data, user.actor)
        return _render(task_id, values=data, errors=exc.fields, status=400, draft_kept=kept)
    flash(step_words.after_submit(task, data, result, schema))
    return redirect(url_for("inbox.index"))


def _keep_refused(task_id: str, data: dict, actor) -> bool:
    """A submit refused with field errors keeps what was typed as the task's draft (the same
    save as 保存草稿), so leaving the page and coming back finds it again. False when even a
    draft cannot hold it (a value too long): the page still shows it with its errors."""
    try:
        commands.save_draft(database(), task_id, data, actor=actor, kept_for="submit")
    except FormInvalid:
        return False
    return True


@bp.post("/tasks/<task_id>/computed")
@login_required
def computed_values(task_id: str):
    """The form's computed fields (``x-computed``) for what is typed now, so the page shows its
    totals as they change; nothing is saved (the engine computes them again on save and submit)."""
    task = tasks.readable_task(db.session, page_user().actor, task_id)
    schema = tasks.form_schema(db.session, task) or {"properties": {}}
    return jsonify(formrender.computed_values(schema, request.form))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    commands.claim(database(), task_id, actor=page_user().actor)
    flash(_("已认领"))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    commands.unclaim(database(), task_id, actor=page_user().actor)
    flash(_("已退回待认领"))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    actor = page_user().actor
    try:
        body = schemas.AssignRequest().load(schemas.from_form(schemas.AssignRequest, request.form))
    except ValidationError as exc:
        return _render(task_id, assign_errors=schemas.field_errors(exc), status=400)
    username = body["username"]
    if request.form.get("mode") == "delegate":
        commands.delegate(database(), task_id, username, actor=actor)
        flash(_("已委托给 %(name)s", name=labels.person_name(username)))
    else:
        commands.assign(database(), task_id, username, actor=actor)
        flash(_("已转交给 %(name)s", name=labels.person_name(username)))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/hand-back")
@login_required
def hand_back(task_id: str):
    commands.hand_back(database(), task_id, actor=page_user().actor)
    flash(_("已交回委托人"))
    return redirect(url_for("inbox.index"))


def _keep_typed(task_id: str) -> dict | None:
    """Upload and comment post the task form with them (``form="task-form"`` in the page):
    what was typed is kept as the task's draft first, so the page shows it again and the
    final submit carries it (issue 10: nothing typed is lost). None when there is nothing
    to keep: not from the task page, or not the user's form to fill."""
    if request.form.get("action") not in ("upload", "comment"):
        return None
    user = page_user()
    task = tasks.readable_task(db.session, user.actor, task_id)
    if task.status != "open" or not policy.may_complete(user.actor, task):
        return None
    schema = tasks.form_schema(db.session, task) or {"properties": {}}
    if not schema.get("properties"):
        return None
    data = formrender.parse_form(schema, request.form)
    commands.save_draft(database(), task_id, data, actor=user.actor, kept_for=request.form["action"])
    return data


@bp.post("/tasks/<task_id>/comments")
@login_required
def comment(task_id: str):
    typed = _keep_typed(task_id)
    try:
        body = schemas.CommentCreate().load(schemas.from_form(schemas.CommentCreate, request.form))
        commands.add_comment(database(), task_id, body["body"], actor=page_user().actor)
    except (ValidationError, FormInvalid) as exc:
        errors = schemas.field_errors(exc) if isinstance(exc, ValidationError) else exc.fields
        comment = {"body": request.form.get("body", ""), "errors": errors}
        return _render(task_id, values=typed, comment=comment, status=400)
    flash(_("已发表意见") + ("，" + _("表单内容已存为草稿") if typed is not None else ""))
    return redirect(url_for("tasks.show", task_id=task_id) + "#comments")


@bp.post("/tasks/<task_id>/attachments")
@login_required
def upload(task_id: str):
    typed = _keep_typed(task_id)
    file = request.files.get("file")
    try:
        row = store_upload(
            page_user().actor, task_id, file.filename if file else "", file.read() if file else b""
        )
    except FormInvalid as exc:  # a refused type or size: the reason beside the upload, typed values kept
        return _render(
            task_id,
            values=typed,
            upload_errors=exc.fields,
            status=400,
            typed_kept=typed is not None,
            refused_file=(file.filename or "")[:100] if file else "",
        )
    _choose_uploaded(task_id, typed, row.filename)
    message = _("已上传：%(name)s", name=row.filename)
    flash(message + ("，" + _("表单内容已存为草稿") if typed is not None else ""))
    return redirect(url_for("tasks.show", task_id=task_id) + "#attachments")


def _choose_uploaded(task_id: str, typed: dict | None, filename: str) -> None:
    """The just-uploaded file chosen in the form's one empty file field (评估报告附件), kept as the draft."""
    if typed is None:
        return
    task = tasks.readable_task(db.session, page_user().actor, task_id)
    chosen = attachment_fields.chosen_after_upload(tasks.form_schema(db.session, task), typed, filename)
    if chosen is not None:
        commands.save_draft(database(), task_id, chosen, actor=page_user().actor, kept_for="upload")


@bp.get("/tasks/<task_id>/workbook.xlsx")
@login_required
def workbook(task_id: str):
    """The form as the workbook a unit fills offline (申报表 in Excel), with what it holds now."""
    download = workbooks.task_workbook(db.session, page_user().actor, task_id)
    return send_file(
        BytesIO(download.content), mimetype=XLSX, as_attachment=True, download_name=download.filename
    )


@bp.post("/tasks/<task_id>/workbook")
@login_required
def import_workbook(task_id: str):
    """Fill the form from an uploaded workbook: every refused cell named, else all of it as the draft."""
    file = request.files.get("workbook")
    content = file.read() if file else b""
    try:
        if not content:
            raise FormInvalid({"workbook": [_("请选择要导入的 Excel 文件")]})
        commands.import_workbook(
            database(), task_id, content, filename=file.filename or "", actor=page_user().actor
        )
    except FormInvalid as exc:
        return _render(task_id, workbook_errors=exc.fields.get("workbook", []), status=400)
    flash(_("已从 Excel 导入，请核对后提交（已存为草稿）"))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A file over the request limit never reaches the view: say so on the task page."""
    if request.endpoint == "tasks.upload" and request.view_args:
        limit = current_app.config["JIXIAO_MAX_ATTACHMENT_BYTES"] // (1024 * 1024)
        message = _("文件过大：不能超过 %(mb)s MB", mb=limit)
        return _render(request.view_args["task_id"], upload_errors={"file": [message]}, status=413)
    return http_errors.too_large()  # any other page post over the body limit


def attachments_dir() -> Path:
    return Path(current_app.config["JIXIAO_ATTACHMENTS_DIR"])


def store_upload(actor, task_id: str, filename: str, content: bytes):
    """One upload, page or API: the app's attachment folder and size limit."""
    return commands.store_attachment(
        database(),
        task_id,
        filename,
        content,
        actor=actor,
        directory=attachments_dir(),
        max_bytes=current_app.config["JIXIAO_MAX_ATTACHMENT_BYTES"],
    )


def send_attachment(actor, attachment_id: int):
    row = tasks.readable_attachment(db.session, actor, attachment_id)
    return send_file(
        attachment_path(row, attachments_dir()),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.filename,
    )


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    return send_attachment(page_user().actor, attachment_id)


@bp.get("/instances/<int:instance_id>/diagram.json")
@login_required
def diagram(instance_id: int):
    instance = projects.readable_instance(db.session, page_user().actor, instance_id)
    info = tasks.diagram(db.session, instance, step=request.args.get("step") or None)
    return jsonify({**info, "xml": readable.localized_bpmn(info["xml"])})  # English names in en


@bp.app_context_processor
def _now():
    return {"now": clock.now()}
