"""Marshmallow schemas: one input schema per use case, used by the page and the API alike,
so both accept and refuse exactly the same things. The OpenAPI document is generated from them.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from workflows.commands import start_data
from workflows.queries import inbox

from .fields import Text
from .project_schemas import (  # noqa: F401 (s.ProjectSchema, s.ProjectCreate)
    ProcessSchema,
    ProjectCreate,
    ProjectPageSchema,
    ProjectSchema,
)

# marshmallow's messages, as a bureau clerk reads them (page and API answer the same)
_ZH = [
    (re.compile(r"^Missing data for required field\.$"), "此项为必填项"),
    (re.compile(r"^Field may not be null\.$"), "此项为必填项"),
    (re.compile(r"^Not a valid (integer|number)\.$"), "类型不正确，应为数字"),
    (re.compile(r"^Not a valid boolean\.$"), "类型不正确，应为是或否"),
    (re.compile(r"^Not a valid string\.$"), "类型不正确，应为文本"),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"), "不是有效的数字"),
    (re.compile(r"^Must be one of: .*\.$"), "不是可选的值"),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        r"应在 \1 到 \2 之间",
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"不能小于 \1"),
    (re.compile(r"^Must be greater than (\S+)\.$"), r"应大于 \1"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度应在 \1 到 \2 个字符之间"),
    (re.compile(r"^Shorter than minimum length 1\.$"), "此项为必填项"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"不能超过 \1 个字符"),
    (re.compile(r"^Unknown field\.$"), "不认识的字段"),
]


def zh_message(message: str) -> str:
    for pattern, text in _ZH:
        if pattern.match(message):
            # limits read as a clerk writes them: 1000000000, not 1000000000.0
            return re.sub(r"(\d)\.0\b", r"\1", pattern.sub(text, message))
    return message


def _messages(value) -> list[str]:
    if isinstance(value, dict):  # a list's items ({0: [...]}), a nested schema's fields
        return [m for inner in value.values() for m in _messages(inner)]
    return [zh_message(str(m)) for m in (value if isinstance(value, list) else [value])]


def flat_errors(messages: dict) -> dict[str, list[str]]:
    """``{field: [messages]}`` in Chinese from marshmallow's errors; an item's error (``{"roles":
    {0: [...]}}``) is its field's, where the page shows it."""
    return {str(name): list(dict.fromkeys(_messages(value))) for name, value in messages.items()}


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """``{field: [messages]}`` in Chinese from a marshmallow error."""
    return flat_errors(exc.messages if isinstance(exc.messages, dict) else {"_request": exc.messages})


def from_form(schema_cls: type[Schema], form) -> dict:
    """A browser form as the JSON body the API takes: numbers as numbers, ticks as booleans,
    empty inputs left out; the schema then decides exactly as it does for the API."""
    body: dict = {}
    for attribute, field in schema_cls().fields.items():
        name = field.data_key or attribute
        raw = form.get(name)
        if isinstance(field, fields.List):  # a multi-select, or one text of items separated by ；,、
            values = [
                v.strip() for raw_value in form.getlist(name) for v in re.split(r"[;；,，、\n]", raw_value)
            ]
            values = [v for v in values if v]
            if isinstance(field.inner, fields.Integer):
                values = [int(v) if re.fullmatch(r"\d{1,12}", v) else v for v in values]
            if values or name in form:
                body[name] = values
            continue
        if isinstance(field, fields.Boolean):
            body[name] = raw not in (None, "", "0", "false", "off")
            continue
        if raw is None or str(raw).strip() == "":
            continue
        raw = str(raw).strip()
        if isinstance(field, fields.Integer):
            body[name] = int(raw) if re.fullmatch(r"[+-]?\d{1,12}", raw) else raw
        elif isinstance(field, fields.Float | fields.Decimal):
            try:
                body[name] = float(raw)
            except ValueError:
                body[name] = raw
        else:
            body[name] = raw
    return body


class ApiErrorSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.Raw())


class TokenRequest(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=80))
    password = Text(required=True, validate=validate.Length(min=1, max=200), load_only=True, strip=False)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)


class TaskBriefSchema(Schema):
    id = fields.String()
    title = fields.String()
    task_spec = fields.String()
    role = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class InstanceSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    business_key = fields.String(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    status = fields.String()
    current_step = fields.String(allow_none=True)
    lock_version = fields.Integer()
    started_by = fields.String()
    started_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskBriefSchema))


class InstanceCreate(Schema):
    process_id = Text(required=True, validate=validate.Length(min=1, max=120))
    business_key = Text(allow_none=True, validate=validate.Length(max=120))
    project_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    data = fields.Dict(
        keys=Text(strip=False),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        metadata={
            "description": "start data; what each process reads is listed by GET /processes (start_data)",
            "properties": start_data.openapi_properties(),
        },
    )


PROJECTS_PER_PAGE = 50
MAX_PROJECTS_PER_PAGE = 100


class ProjectQuery(Schema):
    """``GET /projects`` (page) and ``GET /api/v1/projects``: search and one page of the list."""

    q = Text(validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(
        load_default=PROJECTS_PER_PAGE, validate=validate.Range(min=1, max=MAX_PROJECTS_PER_PAGE)
    )


class AuditEventSchema(Schema):
    seq = fields.Integer()
    actor = fields.String()
    action = fields.String()
    at = fields.DateTime()
    task_id = fields.String(allow_none=True)
    data = fields.Dict()


class TaskQuery(Schema):
    scope = Text(load_default="mine", validate=validate.OneOf(inbox.SCOPES))
    process = Text(validate=validate.Length(max=120))
    unit = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
    fund_type = Text(validate=validate.Length(max=40))
    overdue = fields.Boolean()
    q = Text(validate=validate.Length(max=100))
    sort = Text(load_default="due", validate=validate.OneOf(inbox.SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=inbox.MAX_PER_PAGE))


class TaskRowSchema(Schema):
    id = fields.String()
    title = fields.String()
    task_spec = fields.String()
    process_id = fields.String()
    instance_id = fields.Integer()
    role = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    priority = fields.Integer()
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    status = fields.String()
    project_id = fields.Integer(allow_none=True)
    project_code = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    fiscal_year = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True, allow_none=True)
    fund_type = fields.String(allow_none=True)
    poverty_year = fields.Integer(
        allow_none=True, metadata={"description": "the year of the poverty-fund month this task evaluates"}
    )
    poverty_month = fields.Integer(
        allow_none=True, metadata={"description": "the poverty-fund month (1–12) this task evaluates"}
    )
    returned = fields.Boolean(
        metadata={"description": "the latest decision on the project sent the work back (退回)"}
    )


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskRowSchema))
    total = fields.Integer()
    capped = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()


class CommentCreate(Schema):
    """A comment on a task, from the task page or ``POST /api/v1/tasks/{id}/comments``."""

    body = Text(required=True, validate=validate.Length(min=1, max=4000))


class CommentSchema(Schema):
    id = fields.Integer()
    author = fields.String()
    body = fields.String()
    task_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    task_id = fields.String(allow_none=True)


class DecisionSchema(Schema):
    task_id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    actor = fields.String()
    at = fields.DateTime()
    data = fields.Dict()


class TaskContextSchema(Schema):
    project = fields.Nested(ProjectSchema, allow_none=True)
    decisions = fields.List(fields.Nested(DecisionSchema))
    comments = fields.List(fields.Nested(CommentSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    came_back_from = fields.String(
        allow_none=True,
        metadata={"description": "the earlier decision's task id when it sent the work back to this step"},
    )


class TaskDetailSchema(TaskRowSchema):
    form = fields.String(allow_none=True)
    form_schema = fields.Dict(allow_none=True)
    data = fields.Dict()
    bound_tables = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "tables whose rows are the approved targets: {table: columns held to them}"},
    )
    bound_fields = fields.List(
        fields.String(), metadata={"description": "plain fields held to an approved value"}
    )
    completed_by = fields.String(allow_none=True)
    context = fields.Nested(TaskContextSchema)


class AssignRequest(Schema):
    """Whom to hand a task to: the task page (assign or delegate) and ``POST /api/v1/tasks/{id}/assign``."""

    username = Text(required=True, validate=validate.Length(min=1, max=80))


class CompleteRequest(Schema):
    data = fields.Dict(keys=Text(strip=False), values=fields.Raw(allow_none=True), load_default=dict)


class CompleteResponse(Schema):
    instance = fields.Nested(InstanceSchema)
    next_tasks = fields.List(fields.Nested(TaskBriefSchema))


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class WorkbookUploadSchema(Schema):
    workbook = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class WorkbookImported(Schema):
    data = fields.Dict(metadata={"description": "the form data read from the workbook, now the task's draft"})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "reminder, escalation or notice"})
    subject = fields.String()
    message = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationQuery(Schema):
    unread = fields.Boolean(load_default=False)


class DraftFileSave(Schema):
    """A designer saves one file of their draft (the workbench's autosave)."""

    text = Text(required=True, validate=validate.Length(max=2 * 1024 * 1024), strip=False)
    lock_version = fields.Integer(load_default=None, allow_none=True)


class DraftDeploy(Schema):
    """Deploy the draft: the change note (why) is required."""

    note = Text(required=True, validate=validate.Length(min=1, max=1000))


class MigrateRequest(Schema):
    """Move running instances of a process to one of its newer versions."""

    instance_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=500))
    version = fields.Integer(load_default=None, allow_none=True)
