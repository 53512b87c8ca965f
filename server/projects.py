"""Projects: the list a user may see, a project's processes, current steps and history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from workflows import audit
from workflows.errors import FormInvalid
from workflows.store import BudgetUnit, HumanTask, ProcessInstance, Project

from . import services
from .access import PROJECT_CREATORS, database, project_clause, visible_project
from .auth import page_user

bp = Blueprint("projects", __name__)


@bp.get("/projects")
@login_required
def index():
    user = page_user()
    q = (request.args.get("q") or "").strip()[:100]
    with database().reading() as session:
        query = select(Project).where(project_clause(user)).order_by(Project.fiscal_year.desc(), Project.code)
        if q:
            query = query.where(
                Project.name.contains(q, autoescape=True) | Project.code.contains(q, autoescape=True)
            )
        projects = session.scalars(query.limit(200)).all()
    return render_template(
        "projects/index.html", projects=projects, q=q, can_create=bool(user.roles & PROJECT_CREATORS)
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new():
    user = page_user()
    errors: dict = {}
    values = dict(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            year = int(values.get("fiscal_year") or 0)
        except ValueError:
            year = 0
        if not values.get("code"):
            errors["code"] = ["此项为必填项"]
        if not values.get("name"):
            errors["name"] = ["此项为必填项"]
        if not 2000 <= year <= 2100:
            errors["fiscal_year"] = ["请填写正确的年度"]
        if not errors:
            try:
                project_id, _instance = services.create_project(
                    user,
                    {
                        "code": values["code"].strip()[:40],
                        "name": values["name"].strip()[:200],
                        "fiscal_year": year,
                        "amount": values.get("amount"),
                        "fund_type": values.get("fund_type"),
                        "is_new": bool(values.get("is_new")),
                        "is_major": bool(values.get("is_major")),
                        "unit_id": int(values["unit_id"])
                        if (values.get("unit_id") or "").isdigit()
                        else None,
                    },
                )
                flash(_("项目已创建"))
                return redirect(url_for("projects.show", project_id=project_id))
            except FormInvalid as exc:
                errors = exc.fields
    with database().reading() as session:
        units = session.execute(select(BudgetUnit.id, BudgetUnit.name).order_by(BudgetUnit.code)).all()
    return render_template("projects/new.html", values=values, errors=errors, units=units), (
        400 if errors else 200
    )


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    user = page_user()
    with database().reading() as session:
        project = visible_project(session, user, project_id)
        instances = session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.project_id == project_id)
            .order_by(ProcessInstance.id)
        ).all()
        history = {i.id: audit.history(session, i.id) for i in instances}
        open_tasks = session.scalars(
            select(HumanTask).where(HumanTask.project_id == project_id, HumanTask.status == "open")
        ).all()
        decisions = services.decisions(session, [i.id for i in instances])
    return render_template(
        "projects/show.html",
        project=project,
        instances=instances,
        history=history,
        open_tasks=open_tasks,
        decisions=decisions,
    )
