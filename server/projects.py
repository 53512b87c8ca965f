"""Projects: the list a user may see, a new project with its review path, one project's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows import commands
from workflows.errors import FormInvalid
from workflows.policy import PROJECT_CREATORS
from workflows.queries import projects
from workflows.queries.project_filter import ProjectFilter

from . import schemas
from .auth import page_user
from .current import database

bp = Blueprint("projects", __name__)
PER_PAGE = 50


@bp.get("/projects")
@login_required
def index():
    user = page_user()
    filters = ProjectFilter.from_args(request.args)  # what a dashboard figure links to
    page = request.args.get("page", 1, type=int)
    with database().reading() as session:
        rows = session.scalars(
            projects.listing(user.actor, filters=filters)
            .limit(PER_PAGE + 1)
            .offset((max(page, 1) - 1) * PER_PAGE)
        ).all()
        units = projects.units(session)
        total = projects.count(session, user.actor, filters)
    return render_template(
        "projects/index.html",
        total=total,
        projects=rows[:PER_PAGE],
        q=filters.q or "",
        filters=filters,
        units=units,
        page=max(page, 1),
        has_next=len(rows) > PER_PAGE,
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
    values = dict(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            body = schemas.ProjectCreate().load(schemas.from_form(schemas.ProjectCreate, request.form))
            created = create(user.actor, body)
            flash(_("项目已创建"))
            return redirect(url_for("projects.show", project_id=created.project_id))
        except ValidationError as exc:
            errors = schemas.field_errors(exc)
        except FormInvalid as exc:
            errors = exc.fields
    with database().reading() as session:
        units = projects.units(session)
    return render_template("projects/new.html", values=values, errors=errors, units=units), (
        400 if errors else 200
    )


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    with database().reading() as session:
        view = projects.view(session, page_user().actor, project_id)
    return render_template("projects/show.html", **view)
