"""Projects: the list a user may see, a new project with its review path, one project's page."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_sqlalchemy.pagination import Pagination
from marshmallow import ValidationError

from workflows import clock, commands, policy
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, ScriptError
from workflows.policy import OVERSIGHT_ROLES, PROJECT_CREATORS, Actor, may_create_project_for
from workflows.queries import dashboard, paging, projects, spot_checks
from workflows.queries.project_filter import ProjectFilter

from . import listing, schemas
from .auth import page_user
from .current import database
from .errors import error_response, status_of
from .extensions import db

bp = Blueprint("projects", __name__)


def listing_page(actor: Actor, args: dict) -> Pagination:
    """One page of the projects the actor may read; ``args`` loaded by ``schemas.ProjectQuery``."""
    return db.paginate(
        projects.listing(actor, args.get("q")),
        page=args["page"],
        per_page=args["per_page"],
        max_per_page=schemas.MAX_PROJECTS_PER_PAGE,
        error_out=False,  # a page past the end is an empty page, not a 404
    )


@bp.get("/projects")
@login_required
def index():
    user = page_user()
    try:
        args = schemas.ProjectQuery().load(
            schemas.from_form(
                schemas.ProjectQuery, {k: request.args.get(k) for k in ("q", "page", "per_page")}
            )
        )
    except ValidationError as exc:
        return error_response(400, "invalid_request", _("请求数据无效"), schemas.field_errors(exc))
    filters = ProjectFilter.from_args(request.args)  # what a dashboard figure links to
    listed = listing.list_args(request.args, projects.SORTS, per_page=args["per_page"])
    query = projects.listing(user.actor, filters=filters)
    found = paging.page_of(
        db.session, query, projects.SORTS, listed.order, page=args["page"], per_page=listed.per_page
    )
    return render_template(
        "projects/index.html",
        total=found.total,
        projects=found.items,
        found=found,
        q=filters.q or "",
        filters=filters,
        units=projects.units(db.session, user.actor),
        offices=dashboard.office_choices(db.session, user.actor) if user.roles & OVERSIGHT_ROLES else [],
        can_create=bool(user.roles & PROJECT_CREATORS),
    )


def create(actor, body: dict) -> commands.Created:
    """One use case for page and API: a body the shared schema accepted → project + its process."""
    return commands.create_project(database(), commands.NewProject(**body), actor=actor)


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new():
    user = page_user()
    errors: dict = {}
    status = 200
    # a new project is budgeted for next year (预算编制 runs the year before)
    next_year = clock.now().year + 1
    values = dict(request.form) if request.method == "POST" else {"fiscal_year": next_year}
    if request.method == "POST":
        try:
            body = schemas.ProjectCreate().load(schemas.from_form(schemas.ProjectCreate, request.form))
            created = create(user.actor, body)
            flash(_("项目已创建"))
            return redirect(url_for("projects.show", project_id=created.project_id))
        except ValidationError as exc:
            errors, status = schemas.field_errors(exc), 400
        except FormInvalid as exc:
            errors, status = exc.fields, 400
        except (Forbidden, Conflict, BusinessRuleRefused, ScriptError) as exc:
            # the API's status, but the page keeps what was typed and says why beside it
            errors, status = {"_form": [str(exc)]}, status_of(exc)
    units = [
        (uid, name) for uid, name in projects.units(db.session) if may_create_project_for(user.actor, uid)
    ]
    # 项目期 defaults to the budget year: its placeholders show the year chosen (new_project.js follows edits)
    typed_year = str(values.get("fiscal_year", "")).strip()
    period_hint = typed_year if re.fullmatch(r"\d{4}", typed_year) else str(next_year)
    return render_template(
        "projects/new.html", values=values, errors=errors, units=units, period_hint=period_hint
    ), status


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    actor = page_user().actor
    view = projects.view(db.session, actor, project_id)
    steps = view["open_tasks"]
    return render_template(
        "projects/show.html",
        **view,
        # a current step links to its page only for someone who may open it (no link to a 404);
        # an expert's step offers its replacement to the office that reviews the unit (R-EX-1)
        may_open={t.id for t in steps if policy.may_read_task(actor, t)},
        may_replace={t.id for t in steps if policy.may_manage_panel(actor, t)},
        spot_checks=spot_checks.of_project(db.session, project_id),  # R-EV-7
        accountability=spot_checks.accountability_of(db.session, project_id),
    )
