"""审计日志 page (``/audit``): the audit log for the administrator (every event) and the
performance office (the events of process instances; ``policy.may_read_audit_event``), paged,
sorted and filtered by date range, actor, project code and action, each action by its Chinese name
(the history timeline's ``labels.ACTIONS``), exportable as the other lists are; and
``/audit/verify``, the chain check: the events appended since the last verification, or (the
administrator, explicitly) every chain as ``jixiao audit verify`` checks it; intact, or the
first broken row.
"""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validates_schema

from workflows import commands, policy
from workflows.queries import audit_log
from workflows.queries.exports import XLSX

from . import labels, listing
from .auth import page_user
from .current import database
from .extensions import db
from .fields import Text
from .schemas import field_errors

bp = Blueprint("audit_log", __name__)


class AuditLogQuery(Schema):
    """The filter form: what a clerk types, checked before any of it reaches SQL."""

    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    actor = Text(max_length=audit_log.MAX_ACTOR, load_default=None)
    project = Text(max_length=audit_log.MAX_CODE, load_default=None)
    action = Text(max_length=audit_log.MAX_ACTION, load_default=None)
    event = fields.Integer(strict=False, load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _checks(self, data, **_kwargs):
        errors = {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            errors["date_to"] = [_("截止日期不能早于起始日期")]
        if data.get("action") and data["action"] not in labels.ACTIONS:
            errors["action"] = [_("请从列表中选择操作类型")]
        if errors:
            raise ValidationError(errors)


def reader_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not policy.may_read_audit_log(page_user().actor):
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def names() -> dict:
    return {"action": labels.action_name, "process": labels.process_name, "person": labels.person_name}


def _filters() -> tuple[audit_log.AuditFilter, dict]:
    """The filter from the query string, or no filter and the field errors of what did not parse."""
    raw = {k: v for k, v in request.args.items() if k in AuditLogQuery().fields and v.strip()}
    try:
        AuditLogQuery().load(raw)
    except ValidationError as exc:
        return audit_log.AuditFilter(), field_errors(exc)
    return audit_log.AuditFilter.from_args(raw), {}


@bp.app_context_processor
def _nav():
    return {"may_read_audit_log": lambda: policy.may_read_audit_log(page_user().actor)}


@bp.get("/audit")
@reader_required
def index():
    user = page_user()
    filters, errors = _filters()
    listed = listing.list_args(request.args, audit_log.SORTS)
    found = (
        audit_log.page(
            db.session, user.actor, filters, listed.order, page=listed.page, per_page=listed.per_page
        )
        if not errors
        else None
    )
    actions = sorted(((str(name), key) for key, name in labels.ACTIONS.items()), key=lambda p: p[1])
    return render_template(
        "audit_log/index.html",
        found=found,
        filters=filters,
        form=request.args,
        errors=errors,
        actions=[(key, name) for name, key in actions],
        all_events=user.actor.is_admin,
    ), (400 if errors else 200)


@bp.get("/audit.xlsx")
@reader_required
def workbook():
    """审计日志 as listed (filters and order); a long list goes through /exports/audit_log."""
    filters, errors = _filters()
    if errors:
        abort(400)
    listed = listing.list_args(request.args, audit_log.SORTS)
    data = audit_log.workbook(db.session, page_user().actor, filters, listed.order, names())
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="审计日志.xlsx")


@bp.route("/audit/verify", methods=["GET", "POST"])
@reader_required
def verify():
    """The chain check: what was appended since the last verification (GET); every chain from
    its first event, as ``jixiao audit verify`` does (POST, the administrator only). Intact, or
    the first break and the rest counted."""
    actor = page_user().actor
    full = request.method == "POST"
    if full and not actor.is_admin:
        abort(403)
    check = commands.verify_audit_log(database(), actor=actor, full=full)
    first = check.breaks[0] if check.breaks else None
    return render_template(
        "audit_log/verify.html",
        check=check,
        first=first,
        may_verify_all=actor.is_admin,
        first_readable=first is not None
        and first.event_id is not None
        and policy.may_read_audit_event(actor, _instance_of(first.chain)),
    )


def _instance_of(chain: str) -> int | None:
    name, _sep, number = chain.partition(":")
    return int(number) if name == "instance" and number.isdigit() else None
