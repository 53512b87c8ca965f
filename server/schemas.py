"""Marshmallow schemas of the REST API; the OpenAPI document is generated from them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows import inbox


class ApiErrorSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.Raw())


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)


class ProcessSchema(Schema):
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()


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
    process_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    business_key = fields.String(allow_none=True, validate=validate.Length(max=120))
    project_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    data = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)


class ProjectCreate(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    fiscal_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    amount = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e9))
    fund_type = fields.String(
        load_default="general_public",
        validate=validate.OneOf(["general_public", "government_fund", "state_capital", "social_insurance"]),
    )
    is_new = fields.Boolean(load_default=True)
    is_major = fields.Boolean(load_default=False)
    process_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=120))


class ProjectInstanceSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    status = fields.String()
    current_step = fields.String(allow_none=True)


class ProjectSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    fiscal_year = fields.Integer()
    amount = fields.Decimal(as_string=True)
    fund_type = fields.String()
    is_new = fields.Boolean()
    is_major = fields.Boolean()
    stage = fields.String()
    score = fields.Decimal(as_string=True, allow_none=True)
    grade = fields.String(allow_none=True)
    grade_cap = fields.String(allow_none=True)
    consecutive_failures = fields.Integer()
    overdue = fields.Boolean()
    instances = fields.List(fields.Nested(ProjectInstanceSchema))


class AuditEventSchema(Schema):
    seq = fields.Integer()
    actor = fields.String()
    action = fields.String()
    at = fields.DateTime()
    task_id = fields.String(allow_none=True)
    data = fields.Dict()


class TaskQuery(Schema):
    scope = fields.String(load_default="mine", validate=validate.OneOf(inbox.SCOPES))
    process = fields.String(validate=validate.Length(max=120))
    unit = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
    fund_type = fields.String(validate=validate.Length(max=40))
    overdue = fields.Boolean()
    q = fields.String(validate=validate.Length(max=100))
    sort = fields.String(load_default="due", validate=validate.OneOf(inbox.SORTS))
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


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskRowSchema))
    total = fields.Integer()
    capped = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()


class CommentCreate(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))


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


class TaskDetailSchema(TaskRowSchema):
    form = fields.String(allow_none=True)
    form_schema = fields.Dict(allow_none=True)
    data = fields.Dict()
    completed_by = fields.String(allow_none=True)
    context = fields.Nested(TaskContextSchema)


class AssignRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class CompleteRequest(Schema):
    data = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)


class CompleteResponse(Schema):
    instance = fields.Nested(InstanceSchema)
    next_tasks = fields.List(fields.Nested(TaskBriefSchema))


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
