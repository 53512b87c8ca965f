"""年度报告: the year's reports upward (DOMAIN R-RA-4, R-SM-1) — list, start, read, download as PDF.

The document is one Jinja template (``annual/document.html``) shown as a page and printed to
PDF by WeasyPrint with the same markup, its charts inline SVG; the figures come from
:mod:`workflows.queries.annual_reports`. Pages at ``/annual-reports``, the API at
``/api/v1/annual-reports`` with the same command and queries.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validate

from workflows import clock, commands
from workflows.commands.annual_reports import KINDS
from workflows.config import settings
from workflows.errors import FormInvalid
from workflows.policy import OVERSIGHT_ROLES
from workflows.queries import annual_reports

from . import schemas as s
from .auth import api_user, page_user, token_required
from .current import database
from .extensions import db
from .jsonbody import Blueprint as ApiBlueprint

bp = Blueprint("annual", __name__)
blp = ApiBlueprint("api_annual", __name__, url_prefix="/api/v1", description="Annual reports 年度报告")
PDF = "application/pdf"


class ReportStart(Schema):
    year = fields.Integer(required=True, strict=False, metadata={"description": "预算年度"})
    kind = fields.String(
        required=True, validate=validate.OneOf(list(KINDS)), metadata={"description": "evaluation | summary"}
    )


class ReportSchema(Schema):
    instance_id = fields.Integer()
    year = fields.Integer()
    kind = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "drafting, approving, released"})
    due_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)


def _may_write(actor) -> bool:
    return actor.is_admin or bool(actor.roles & commands.annual_reports.WRITERS)


def _pdf(report) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, which a page view never needs

    html = render_template("annual/document.html", **_document(report), standalone=True)
    return HTML(string=html, base_url=request.host_url).write_pdf()


def _document(report) -> dict:
    session = db.session
    facts = annual_reports.facts(session, report.year)
    return {
        "report": report,
        "facts": facts,
        "board": facts.board,
        "grades": annual_reports.grade_shares(facts.board),
        "text": annual_reports.narrative(session, report.instance_id),
        "generated_at": clock.now(),
        "bureau": settings().bureau_name,
    }


# --- pages ---------------------------------------------------------------------------


@bp.get("/annual-reports")
@login_required
def index(errors=None, status=200):
    actor = page_user().actor
    if not (actor.is_admin or actor.roles & OVERSIGHT_ROLES):
        abort(403)
    reports = annual_reports.listing(db.session, actor)
    year = clock.now().year
    return (
        render_template(
            "annual/index.html",
            reports=reports,
            kinds=KINDS,
            may_write=_may_write(actor),
            errors=errors or {},
            form=request.form if errors else {"year": year - 1, "kind": "evaluation"},
        ),
        status,
    )


@bp.post("/annual-reports")
@login_required
def start():
    actor = page_user().actor
    try:
        body = ReportStart().load({"year": request.form.get("year"), "kind": request.form.get("kind")})
        commands.annual_reports.start_annual_report(database(), body["year"], body["kind"], actor=actor)
    except ValidationError as exc:
        return index(errors=s.field_errors(exc), status=400)
    except FormInvalid as exc:
        return index(errors=exc.fields, status=400)
    flash(_("已开始编制，请在待办中填写报告文字部分"))
    return redirect(url_for("annual.index"))


@bp.get("/annual-reports/<int:instance_id>")
@login_required
def show(instance_id: int):
    report = annual_reports.readable(db.session, page_user().actor, instance_id)
    return render_template("annual/show.html", **_document(report), standalone=False)


@bp.get("/annual-reports/<int:instance_id>.pdf")
@login_required
def pdf(instance_id: int):
    report = annual_reports.readable(db.session, page_user().actor, instance_id)
    return send_file(
        BytesIO(_pdf(report)), mimetype=PDF, as_attachment=True, download_name=f"{report.title}.pdf"
    )


# --- API -----------------------------------------------------------------------------


@blp.get("/annual-reports")
@token_required
@blp.response(200, ReportSchema(many=True))
def api_list():
    """The year's reports upward you may read: drafts for the performance office and leadership,
    released ones for every overseer."""
    return annual_reports.listing(db.session, api_user().actor)


@blp.post("/annual-reports")
@token_required
@blp.arguments(ReportStart)
@blp.response(201, ReportSchema)
@blp.alt_response(400, schema=s.ApiErrorSchema)
@blp.alt_response(403, schema=s.ApiErrorSchema)
@blp.alt_response(409, schema=s.ApiErrorSchema)
def api_start(body):
    """Start drafting a report (the performance office): R-RA-4 evaluation report, R-SM-1 summary."""
    actor = api_user().actor
    instance_id = commands.annual_reports.start_annual_report(
        database(), body["year"], body["kind"], actor=actor
    )
    return annual_reports.readable(db.session, actor, instance_id)


@blp.get("/annual-reports/<int:instance_id>.pdf")
@token_required
@blp.response(200, description="The report as PDF", content_type=PDF)
@blp.alt_response(404, schema=s.ApiErrorSchema)
def api_pdf(instance_id):
    report = annual_reports.readable(db.session, api_user().actor, instance_id)
    return send_file(
        BytesIO(_pdf(report)), mimetype=PDF, as_attachment=True, download_name=f"{report.title}.pdf"
    )


def register(app, api) -> None:
    app.register_blueprint(bp)
    api.register_blueprint(blp)
