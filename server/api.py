"""REST API ``/api/v1`` (DESIGN 6): JSON, marshmallow schemas, bearer tokens, OpenAPI.

Every view authenticates with a bearer token, then checks role **and** unit scope
(``workflows.policy``, inside the commands and queries); what a caller may not see
answers 404. Typed errors become HTTP in ``server.errors``.
"""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_babel import gettext as _

from workflows import commands
from workflows.commands import start_data
from workflows.engine import specs
from workflows.errors import Forbidden
from workflows.queries import decisions, inbox, notices, projects, tasks, workbooks
from workflows.queries.exports import XLSX
from workflows.store import ProcessInstance, Project

from . import errors as http_errors
from . import project_schemas as ps
from . import schemas as s
from .auth import api_user, checked_sign_in, token_required
from .current import database
from .extensions import db
from .jsonbody import Blueprint
from .projects import create, listing_page
from .tasks import send_attachment, store_upload

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="Jixiao 绩效 REST API")

ERRORS = {
    400: "Invalid data (per field)",
    401: "Missing or invalid bearer token",
    403: "Role or unit scope forbids it",
    404: "Not found (or not visible to you)",
    409: "Conflict: changed by someone else, already completed, or not claimed by you",
    422: "Refused by a business rule",
    429: "Too many failed sign-ins for this account or from this address; the Retry-After header says "
    "in how many seconds to try again (the same answer whether the account exists or not)",
}


def _errors(*codes):
    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=s.ApiErrorSchema, description=ERRORS[code])(view)
        return view

    return decorate


def _instance_json(session, instance: ProcessInstance) -> dict:
    open_tasks = projects.open_tasks_of_instance(session, instance.id)
    return {
        "id": instance.id,
        "process_id": instance.process_id,
        "version": instance.definition.version,
        "business_key": instance.business_key,
        "project_id": instance.project_id,
        "status": instance.status,
        "current_step": instance.current_step,
        "lock_version": instance.lock_version,
        "started_by": instance.started_by,
        "started_at": instance.started_at,
        "completed_at": instance.completed_at,
        "open_tasks": open_tasks,
    }


def _project_json(session, project: Project) -> dict:
    instances = projects.instances_of(session, project.id)
    return {
        **{c: getattr(project, c) for c in s.ProjectSchema().fields if hasattr(project, c)},
        "unit_name": project.unit.name,
        "instances": instances,
    }


@blp.post("/auth/token")
@blp.arguments(s.TokenRequest)
@blp.response(201, s.TokenResponse)
@_errors(400, 401, 429)
@blp.doc(security=[])
def token(body):
    """Exchange a username and password for a bearer token (12 hours). Failed attempts count
    against the same login limits as the sign-in page: per account and per address."""
    signed_in = checked_sign_in(body["username"], body["password"])
    if signed_in is None:  # the page's words: which of the two was wrong is not said
        return http_errors.error_response(401, "unauthorized", _("用户名或密码错误"))
    if signed_in.must_change_password:
        raise Forbidden("请先设置自己的密码（POST /api/v1/auth/password）")
    value, expires_at = commands.issue_token(database(), actor=signed_in.actor)
    return {"token": value, "expires_at": expires_at}


@blp.get("/me")
@token_required
@blp.response(200, s.MeSchema)
@_errors(401)
def me():
    user = api_user()
    return {**user.__dict__, "roles": sorted(user.roles)}


@blp.get("/processes")
@token_required
@blp.response(200, s.ProcessSchema(many=True))
@_errors(401)
def processes():
    """The deployed processes, each with the start data it reads (``start_data``; DESIGN 6)."""
    return [
        {
            "process_id": d.process_id,
            "version": d.version,
            "name": d.name,
            "start_data": start_data.described(d.process_id),
        }
        for d in specs.process_catalog(db.session)
    ]


@blp.post("/projects")
@token_required
@blp.arguments(s.ProjectCreate)
@blp.response(201, s.ProjectSchema)
@_errors(400, 401, 403, 404, 409, 422)
def create_project(body):
    """Create a project for a unit and start its review path (DOMAIN 3.1 R-EA-1, 3.2 R-TG-1)."""
    user = api_user()
    created = create(user.actor, body)
    return _project_json(db.session, projects.readable_project(db.session, user.actor, created.project_id))


@blp.get("/projects")
@token_required
@blp.arguments(s.ProjectQuery, location="query")
@blp.response(200, s.ProjectPageSchema)
@_errors(400, 401)
def list_projects(args):
    """The projects you may read, newest year first: ``q`` searches name and code; one page of
    ``per_page`` (default 50, at most 100) with the total."""
    found = listing_page(api_user().actor, args)
    return {
        "items": [_project_json(db.session, p) for p in found.items],
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
    }


@blp.get("/projects/<int:project_id>")
@token_required
@blp.response(200, ps.ProjectDetailSchema)
@_errors(401, 404)
def get_project(project_id):
    """One project: its 申报表 header, stage and figures, its processes, and ``decisions``: every
    decision its processes took, oldest first, with who, when and the values that drove it."""
    actor = api_user().actor
    project = projects.readable_project(db.session, actor, project_id)
    return {
        **_project_json(db.session, project),
        "decisions": decisions.of_project(db.session, actor, project.id),
    }


@blp.post("/instances")
@token_required
@blp.arguments(s.InstanceCreate)
@blp.response(201, s.InstanceSchema)
@_errors(400, 401, 403, 404, 422)
def start_instance(body):
    user = api_user()
    instance_id = commands.start_for_project(
        database(),
        body["process_id"],
        actor=user.actor,
        business_key=body.get("business_key"),
        data=body.get("data") or {},
        project_id=body.get("project_id"),
    )
    return _instance_json(db.session, db.get_or_404(ProcessInstance, instance_id))


@blp.get("/instances/<int:instance_id>")
@token_required
@blp.response(200, s.InstanceSchema)
@_errors(401, 404)
def get_instance(instance_id):
    return _instance_json(db.session, projects.readable_instance(db.session, api_user().actor, instance_id))


@blp.get("/instances/<int:instance_id>/audit")
@token_required
@blp.response(200, s.AuditEventSchema(many=True))
@_errors(401, 404)
def instance_audit(instance_id):
    projects.readable_instance(db.session, api_user().actor, instance_id)
    return tasks.history(db.session, instance_id, api_user().actor)


@blp.get("/tasks")
@token_required
@blp.arguments(s.TaskQuery, location="query")
@blp.response(200, s.TaskListSchema)
@_errors(400, 401)
def list_tasks(args):
    """The inbox: ``scope=mine|claimable|overdue|completed`` with filters, sorted by due date."""
    filters = inbox.InboxFilter(
        process=args.get("process"),
        unit=args.get("unit"),
        year=args.get("year"),
        fund_type=args.get("fund_type"),
        overdue=True if args.get("overdue") else None,
        q=(args.get("q") or "").strip() or None,
    )
    return inbox.tasks(
        db.session,
        api_user().actor,
        args["scope"],
        filters,
        page=args["page"],
        per_page=args["per_page"],
        sort=args["sort"],
    )


@blp.get("/tasks/<task_id>")
@token_required
@blp.response(200, s.TaskDetailSchema)
@_errors(401, 404)
def get_task(task_id):
    user = api_user()
    session = db.session
    task = tasks.readable_task(session, user.actor, task_id)
    schema = tasks.form_schema(session, task)
    context = tasks.context(session, user.actor, task)
    project = context["project"]
    unit_name = project.unit.name if project else None
    return {
        **{c: getattr(task, c) for c in s.TaskDetailSchema().fields if hasattr(task, c)},
        "project_code": project.code if project else None,
        "project_name": project.name if project else None,
        "unit_name": unit_name,
        "fiscal_year": project.fiscal_year if project else None,
        "amount": project.amount if project else None,
        "fund_type": project.fund_type if project else None,
        "form_schema": schema,
        "data": tasks.prefill(session, task, schema),
        "bound_tables": tasks.bound_tables(session, task, schema),
        "bound_fields": tasks.bound_fields(session, task, schema),
        "context": {
            **context,
            "project": _project_json(session, project) if project else None,
        },
    }


@blp.post("/tasks/<task_id>/claim")
@token_required
@blp.response(204)
@_errors(401, 403, 404, 409)
def claim(task_id):
    commands.claim(database(), task_id, actor=api_user().actor)


@blp.post("/tasks/<task_id>/unclaim")
@token_required
@blp.response(204)
@_errors(401, 403, 404, 409)
def unclaim(task_id):
    commands.unclaim(database(), task_id, actor=api_user().actor)


@blp.post("/tasks/<task_id>/assign")
@token_required
@blp.arguments(s.AssignRequest)
@blp.response(204)
@_errors(400, 401, 403, 404, 409)
def assign(body, task_id):
    commands.assign(database(), task_id, body["username"], actor=api_user().actor)


@blp.post("/tasks/<task_id>/complete")
@token_required
@blp.arguments(s.CompleteRequest)
@blp.response(200, s.CompleteResponse)
@_errors(400, 401, 403, 404, 409, 422)
def complete(body, task_id):
    """Complete a task with form data (validated against its JSON Schema; nothing saved on error)."""
    result = commands.complete_task(database(), task_id, body["data"], actor=api_user().actor)
    # the instance as the command left it: no second read
    instance = {
        "id": result.instance_id,
        **vars(result.instance),
        "status": result.status,
        "lock_version": result.lock_version,
        "open_tasks": result.next_tasks,
    }
    return {"instance": instance, "next_tasks": result.next_tasks}


@blp.post("/tasks/<task_id>/draft")
@token_required
@blp.arguments(s.CompleteRequest)
@blp.response(204)
@_errors(400, 401, 403, 404, 409)
def draft(body, task_id):
    commands.save_draft(database(), task_id, body["data"], actor=api_user().actor)


@blp.post("/tasks/<task_id>/comments")
@token_required
@blp.arguments(s.CommentCreate)
@blp.response(201, s.CommentSchema)
@_errors(400, 401, 404)
def comment(body, task_id):
    return commands.add_comment(database(), task_id, body["body"], actor=api_user().actor)


@blp.post("/tasks/<task_id>/attachments")
@token_required
@blp.arguments(s.UploadSchema, location="files")
@blp.response(201, s.AttachmentSchema)
@_errors(400, 401, 404)
def upload(files, task_id):
    file = files["file"]
    return store_upload(api_user().actor, task_id, file.filename or "", file.read())


@blp.get("/tasks/<task_id>/workbook")
@token_required
@blp.response(200, description="The form as an Excel workbook (申报表 layout)", content_type=XLSX)
@_errors(401, 404)
def workbook(task_id):
    download = workbooks.task_workbook(db.session, api_user().actor, task_id)
    return send_file(
        BytesIO(download.content), mimetype=XLSX, as_attachment=True, download_name=download.filename
    )


@blp.post("/tasks/<task_id>/workbook")
@token_required
@blp.arguments(s.WorkbookUploadSchema, location="files")
@blp.response(200, s.WorkbookImported)
@_errors(400, 401, 403, 404)
def import_workbook(files, task_id):
    """Fill the form from a workbook; 400 names every refused cell under ``fields.workbook``."""
    file = files["workbook"]
    data = commands.import_workbook(
        database(), task_id, file.read(), filename=file.filename or "", actor=api_user().actor
    )
    return {"data": data}


@blp.get("/attachments/<int:attachment_id>")
@token_required
@blp.response(200, description="The file", content_type="application/octet-stream")
@_errors(401, 404)
def download(attachment_id):
    return send_attachment(api_user().actor, attachment_id)


@blp.get("/notifications")
@token_required
@blp.arguments(s.NotificationQuery, location="query")
@blp.response(200, s.NotificationSchema(many=True))
@_errors(400, 401)
def list_notifications(args):
    """My notices, newest first (``unread=true``: only unread)."""
    with database().reading() as session:
        return notices.for_user(session, api_user().username, unread_only=args["unread"], limit=100)


@blp.post("/notifications/<int:notification_id>/read")
@token_required
@blp.response(204)
@_errors(401, 404)
def read_notification(notification_id):
    commands.mark_read(database(), notification_id, actor=api_user().actor)


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
