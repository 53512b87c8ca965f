"""REST API for people: ``/api/v1/admin/...`` (role admin: units, users, finance offices, the
expert pool), a panel member replaced (R-EX-1), and a user setting their own password.

The same marshmallow schemas and commands as the pages in :mod:`server.admin`.
"""

from __future__ import annotations

from flask import abort

from workflows import commands
from workflows.errors import FormInvalid, NotFound
from workflows.queries import people
from workflows.store import BudgetUnit, Expert, FinanceOffice, User

from . import admin_schemas
from .auth import api_user, checked_sign_in, token_required
from .current import database
from .jsonbody import Blueprint

blp = Blueprint("api_people", __name__, url_prefix="/api/v1", description="People and administration")


def _admin():
    user = api_user()
    if "admin" not in user.roles:
        abort(403)
    return user.actor


_errors = blp.errors  # the JSON error answers each view documents


# --- units -------------------------------------------------------------------------------


@blp.get("/admin/units")
@token_required
@blp.response(200, admin_schemas.UnitSchema(many=True))
@_errors(401, 403)
def units():
    _admin()
    with database().reading() as session:
        return [people.unit_json(u) for u in people.units(session)]


@blp.post("/admin/units")
@token_required
@blp.arguments(admin_schemas.UnitCreate)
@blp.response(201, admin_schemas.UnitSchema)
@_errors(400, 401, 403, 409)
def create_unit(body):
    unit_id = commands.create_unit(database(), body["code"], body["name"], actor=_admin())
    with database().reading() as session:
        return people.unit_json(people.one(session, BudgetUnit, unit_id))


@blp.put("/admin/units/<int:unit_id>")
@token_required
@blp.arguments(admin_schemas.UnitUpdate)
@blp.response(200, admin_schemas.UnitSchema)
@_errors(400, 401, 403, 404)
def update_unit(body, unit_id):
    commands.rename_unit(database(), unit_id, body["name"], actor=_admin())
    with database().reading() as session:
        return people.unit_json(people.one(session, BudgetUnit, unit_id))


# --- users -------------------------------------------------------------------------------


@blp.get("/admin/users")
@token_required
@blp.response(200, admin_schemas.UserSchema(many=True))
@_errors(401, 403)
def users():
    _admin()
    with database().reading() as session:
        return [people.user_json(u) for u in people.users(session)]


def office_name(office_id: int | None) -> str | None:
    if office_id is None:
        return None
    with database().reading() as session:
        return people.one(session, FinanceOffice, office_id).name


def new_user(body: dict) -> commands.NewUser:
    """The body :class:`~server.admin_schemas.UserCreate` accepted, as the command's input."""
    try:
        office = office_name(body.get("office_id"))
    except NotFound:
        raise FormInvalid({"office_id": ["业务科室不存在"]}) from None
    return commands.NewUser(
        body["username"],
        body["display_name"],
        "",
        tuple(body["roles"]),
        unit_code=body.get("unit_code") or None,
        email=body.get("email") or None,
        office=office,
    )


@blp.post("/admin/users")
@token_required
@blp.arguments(admin_schemas.UserCreate)
@blp.response(201, admin_schemas.OneTimePasswordSchema)
@_errors(400, 401, 403, 409)
def create_user(body):
    """Add a user with a one-time password (shown once); they set their own at first sign-in."""
    user_id, password = commands.add_user(database(), new_user(body), actor=_admin())
    return {"id": user_id, "username": body["username"], "one_time_password": password}


def user_changes(body: dict) -> commands.UserChanges:
    return commands.UserChanges(
        display_name=body["display_name"],
        roles=tuple(body["roles"]),
        unit_code=body.get("unit_code") or None,
        office_id=body.get("office_id"),
        email=body.get("email") or None,
        is_active=body.get("is_active", True),
    )


@blp.put("/admin/users/<int:user_id>")
@token_required
@blp.arguments(admin_schemas.UserUpdate)
@blp.response(200, admin_schemas.UserSchema)
@_errors(400, 401, 403, 404)
def update_user(body, user_id):
    commands.update_user(database(), user_id, user_changes(body), actor=_admin())
    with database().reading() as session:
        return people.user_json(people.one(session, User, user_id))


@blp.post("/admin/users/<int:user_id>/password-reset")
@token_required
@blp.response(201, admin_schemas.OneTimePasswordSchema)
@_errors(401, 403, 404)
def reset_password(user_id):
    password = commands.reset_password(database(), user_id, actor=_admin())
    with database().reading() as session:
        username = people.one(session, User, user_id).username
    return {"id": user_id, "username": username, "one_time_password": password}


# --- finance offices (R-RL-1) ------------------------------------------------------------


@blp.get("/admin/offices")
@token_required
@blp.response(200, admin_schemas.OfficeSchema(many=True))
@_errors(401, 403)
def offices():
    _admin()
    with database().reading() as session:
        return [people.office_json(o) for o in people.offices(session)]


@blp.post("/admin/offices")
@token_required
@blp.arguments(admin_schemas.OfficeSave)
@blp.response(201, admin_schemas.OfficeSchema)
@_errors(400, 401, 403)
def create_office(body):
    office_id = commands.save_office(database(), body["name"], body["unit_ids"], actor=_admin())
    with database().reading() as session:
        return people.office_json(people.one(session, FinanceOffice, office_id))


@blp.put("/admin/offices/<int:office_id>")
@token_required
@blp.arguments(admin_schemas.OfficeSave)
@blp.response(200, admin_schemas.OfficeSchema)
@_errors(400, 401, 403, 404)
def update_office(body, office_id):
    commands.save_office(database(), body["name"], body["unit_ids"], actor=_admin(), office_id=office_id)
    with database().reading() as session:
        return people.office_json(people.one(session, FinanceOffice, office_id))


# --- the expert pool (R-EX-1) ------------------------------------------------------------


@blp.get("/admin/experts")
@token_required
@blp.response(200, admin_schemas.ExpertSchema(many=True))
@_errors(401, 403)
def experts():
    _admin()
    with database().reading() as session:
        return [people.expert_json(e) for e in people.experts(session)]


def new_expert(body: dict) -> commands.NewExpert:
    return commands.NewExpert(
        body["username"],
        body["display_name"],
        tuple(body["expert_fields"]),
        body.get("organisation", ""),
        unit_code=body.get("unit_code") or None,
        email=body.get("email") or None,
    )


@blp.post("/admin/experts")
@token_required
@blp.arguments(admin_schemas.ExpertCreate)
@blp.response(201, admin_schemas.ExpertSchema)
@_errors(400, 401, 403, 409)
def create_expert(body):
    """Admit a person to the pool (a new user gets a one-time password, shown once)."""
    expert_id, password = commands.add_expert(database(), new_expert(body), actor=_admin())
    with database().reading() as session:
        return {**people.expert_json(people.one(session, Expert, expert_id)), "one_time_password": password}


def update_expert_with(body: dict, expert_id: int, actor) -> None:
    commands.update_expert(
        database(),
        expert_id,
        fields=body["expert_fields"],
        organisation=body.get("organisation", ""),
        unit_code=body.get("unit_code") or None,
        is_active=body.get("is_active", True),
        actor=actor,
    )


@blp.put("/admin/experts/<int:expert_id>")
@token_required
@blp.arguments(admin_schemas.ExpertUpdate)
@blp.response(200, admin_schemas.ExpertSchema)
@_errors(400, 401, 403, 404)
def update_expert(body, expert_id):
    update_expert_with(body, expert_id, _admin())
    with database().reading() as session:
        return people.expert_json(people.one(session, Expert, expert_id))


# --- panels and passwords ----------------------------------------------------------------


@blp.post("/tasks/<task_id>/panel-member")
@token_required
@blp.arguments(admin_schemas.PanelReplace)
@blp.response(204)
@_errors(400, 401, 404)
def replace_panel_member(body, task_id):
    """Replace the expert of an open panel task by another eligible pool expert (R-EX-1)."""
    commands.replace_panel_member(
        database(), task_id, body["expert"], actor=api_user().actor, reason=body.get("reason", "")
    )


@blp.post("/auth/password")
@blp.arguments(admin_schemas.PasswordChange)
@blp.response(204)
@_errors(400, 429)
@blp.doc(security=[])
def change_password(body):
    """Set one's own password (required after an administrator's one-time password). The current
    password is checked under the login limits, as signing in is."""
    if checked_sign_in(body["username"], body["password"]) is None:
        raise FormInvalid({"password": ["原密码不正确"]})
    commands.change_password(database(), body["username"], body["password"], body["new_password"])


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
