"""Administration pages ``/admin`` (role admin): units, users, finance offices (R-RL-1), the
expert pool (R-EX-1); and the page where a panel member is replaced (R-EX-1).

Each POST loads the same marshmallow schema as the API (:mod:`server.admin_api`) and runs one
command; bad input re-renders the page with the errors beside each field, nothing changed.
"""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows import commands
from workflows.errors import FormInvalid
from workflows.queries import people
from workflows.queries.exports import XLSX
from workflows.store import Expert, Project, User

from . import admin_api, admin_schemas, labels, listing, schemas
from .auth import page_user
from .current import database

bp = Blueprint("admin", __name__, url_prefix="/admin")
panels_bp = Blueprint("panels", __name__)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "admin" not in page_user().roles:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def _load(schema_cls) -> dict:
    return schema_cls().load(schemas.from_form(schema_cls, request.form))


# the tables paged and sorted by their headers (issue 12, item 7): template → (page query, sorts)
_PAGED = {
    "admin/users.html": (people.users_page, people.USER_SORTS),
    "admin/units.html": (people.units_page, people.UNIT_SORTS),
    "admin/experts.html": (people.experts_page, people.EXPERT_SORTS),
}


def _page(template: str, errors: dict | None = None, **values):
    with database().reading() as session:
        if template in _PAGED:
            query, sorts = _PAGED[template]
            listed = listing.list_args(request.args, sorts)
            values["found"] = query(session, listed.order, page=listed.page, per_page=listed.per_page)
        lists = {
            "units": people.units(session),
            "offices": people.offices(session),
            "users": people.users(session),
            "experts": people.experts(session),
        }
        body = render_template(
            template,
            errors=errors or {},
            form=request.form if request.method == "POST" else {},
            roles=admin_schemas.ROLE_IDS,
            **lists,
            **values,
        )
    return body, (400 if errors else 200)


def _act(template: str, action, done: str, target: str, **values):
    """Run ``action`` (schema load + command); on bad input the page again with field errors."""
    try:
        shown = action()
    except ValidationError as exc:
        return _page(template, schemas.field_errors(exc), **values)
    except FormInvalid as exc:
        return _page(template, exc.fields, **values)
    flash(done + (f" {shown}" if isinstance(shown, str) else ""))
    return redirect(target)


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("admin.users"))


# --- units -------------------------------------------------------------------------------


@bp.route("/units", methods=["GET", "POST"])
@admin_required
def units():
    if request.method == "GET":
        return _page("admin/units.html")

    def create():
        body = _load(admin_schemas.UnitCreate)
        commands.create_unit(database(), body["code"], body["name"], actor=page_user().actor)

    return _act("admin/units.html", create, _("已添加预算单位"), url_for("admin.units"))


@bp.post("/units/<int:unit_id>")
@admin_required
def rename_unit(unit_id: int):
    def rename():
        commands.rename_unit(
            database(), unit_id, _load(admin_schemas.UnitUpdate)["name"], actor=page_user().actor
        )

    return _act("admin/units.html", rename, _("已保存"), url_for("admin.units"))


# --- users -------------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    if request.method == "GET":
        return _page("admin/users.html")

    def create():
        body = _load(admin_schemas.UserCreate)
        _id, password = commands.add_user(database(), admin_api.new_user(body), actor=page_user().actor)
        return _(
            "%(user)s 的一次性密码：%(password)s（仅显示一次，首次登录须修改）",
            user=body["username"],
            password=password,
        )

    return _act("admin/users.html", create, _("已添加用户。"), url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    with database().reading() as session:
        user = people.one(session, User, user_id)
    if request.method == "GET":
        return _page("admin/user.html", user=user)

    def save():
        body = _load(admin_schemas.UserUpdate)
        commands.update_user(database(), user_id, admin_api.user_changes(body), actor=page_user().actor)

    return _act("admin/user.html", save, _("已保存"), url_for("admin.users"), user=user)


@bp.post("/users/<int:user_id>/password-reset")
@admin_required
def reset_password(user_id: int):
    password = commands.reset_password(database(), user_id, actor=page_user().actor)
    flash(_("新的一次性密码：%(password)s（仅显示一次，首次登录须修改）", password=password))
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.get("/users.xlsx")
@admin_required
def users_workbook():
    """用户清单 in the order shown (a short list: at once; a long one through /exports/users)."""
    listed = listing.list_args(request.args, people.USER_SORTS)
    with database().reading() as session:
        data = people.users_workbook(session, listed.order, {"role": labels.role_name})
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="用户清单.xlsx")


# --- finance offices (R-RL-1) ------------------------------------------------------------


@bp.route("/offices", methods=["GET", "POST"])
@admin_required
def offices():
    if request.method == "GET":
        return _page("admin/offices.html")

    def create():
        body = _load(admin_schemas.OfficeSave)
        commands.save_office(database(), body["name"], body["unit_ids"], actor=page_user().actor)

    return _act("admin/offices.html", create, _("已添加业务科室"), url_for("admin.offices"))


@bp.post("/offices/<int:office_id>")
@admin_required
def edit_office(office_id: int):
    def save():
        body = _load(admin_schemas.OfficeSave)
        commands.save_office(
            database(), body["name"], body["unit_ids"], actor=page_user().actor, office_id=office_id
        )

    return _act("admin/offices.html", save, _("已保存"), url_for("admin.offices"))


# --- the expert pool (R-EX-1) ------------------------------------------------------------


@bp.route("/experts", methods=["GET", "POST"])
@admin_required
def experts():
    if request.method == "GET":
        return _page("admin/experts.html")

    def create():
        body = _load(admin_schemas.ExpertCreate)
        _id, password = commands.add_expert(database(), admin_api.new_expert(body), actor=page_user().actor)
        if password:
            return _(
                "%(user)s 的一次性密码：%(password)s（仅显示一次，首次登录须修改）",
                user=body["username"],
                password=password,
            )
        return None

    return _act("admin/experts.html", create, _("已加入专家库。"), url_for("admin.experts"))


@bp.route("/experts/<int:expert_id>", methods=["GET", "POST"])
@admin_required
def edit_expert(expert_id: int):
    with database().reading() as session:
        expert = people.one(session, Expert, expert_id)
    if request.method == "GET":
        return _page("admin/expert.html", expert=expert)

    def save():
        admin_api.update_expert_with(_load(admin_schemas.ExpertUpdate), expert_id, page_user().actor)

    return _act("admin/expert.html", save, _("已保存"), url_for("admin.experts"), expert=expert)


# --- replacing a panel member (R-EX-1) ---------------------------------------------------


@panels_bp.route("/panels/<task_id>/replace", methods=["GET", "POST"])
@login_required
def replace_member(task_id: str):
    """The finance office (or the performance office) replaces the expert of an open panel task."""
    actor = page_user().actor
    errors: dict = {}
    if request.method == "POST":
        try:
            body = _load(admin_schemas.PanelReplace)
            commands.replace_panel_member(
                database(), task_id, body["expert"], actor=actor, reason=body["reason"]
            )
            flash(_("已更换专家"))
            return redirect(url_for("inbox.index"))
        except ValidationError as exc:
            errors = schemas.field_errors(exc)
        except FormInvalid as exc:
            errors = exc.fields
    with database().reading() as session:
        task = people.panel_task(session, actor, task_id)
        serving = commands.panel_members(session, task)  # not a replacement for one of them
        choices = [(v, label) for v, label in people.panel_choices(session, task.unit_id) if v not in serving]
        project = session.get(Project, task.project_id) if task.project_id else None
    page = render_template(
        "admin/replace_member.html", task=task, project=project, choices=choices, errors=errors
    )
    return page, (400 if errors else 200)
