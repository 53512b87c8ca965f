"""Sign in and out (browser sessions) and the bearer-token check of the API."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError

from workflows import commands
from workflows.errors import FormInvalid, SignInLocked
from workflows.queries import accounts

from . import admin_schemas, schemas
from .current import CurrentUser, database
from .extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    found = accounts.principal(db.session, key)
    return CurrentUser.of_principal(found) if found is not None else None


def checked_sign_in(username: str, password: str) -> CurrentUser | None:
    """Who this password belongs to, counted against the login limits (one bucket per account
    and per address for the login page and the API alike); :class:`SignInLocked` when spent."""
    user = commands.sign_in(
        database(),
        username,
        password,
        address=request.remote_addr,
        limits=current_app.config["JIXIAO_LOGIN_LIMITS"],
    )
    return CurrentUser.of(user) if user is not None else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        try:
            signed_in = checked_sign_in(username, request.form.get("password", ""))
        except SignInLocked as exc:  # the same answer for any account, known or not
            minutes = (exc.retry_after + 59) // 60
            error = _("登录失败次数过多，请 %(minutes)s 分钟后再试", minutes=minutes)
            page = render_template("auth/login.html", error=error, username=username)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        if signed_in is None:
            error = _("用户名或密码错误")
        else:
            session.clear()
            login_user(signed_in)
            commands.record_login(database(), actor=signed_in.actor, address=request.remote_addr)
            if signed_in.must_change_password:  # an administrator's one-time password
                return redirect(url_for("auth.set_password"))
            target = request.args.get("next", "")
            if not target.startswith("/") or urlsplit(target).netloc or target.startswith("//"):
                # a process designer's work is the workbench, not an inbox (issue 13)
                target = url_for("designer.index" if "designer" in signed_in.roles else "inbox.index")
            return redirect(target)
    typed = request.form.get("username", "").strip() if request.method == "POST" else ""
    return render_template("auth/login.html", error=error, username=typed), (401 if error else 200)


# pages a user holding a one-time password may open before setting their own
_BEFORE_PASSWORD_SET = {
    "auth.set_password",
    "auth.logout",
    "auth.login",
    "auth.set_language",
    "static",
    "favicon",
}


@bp.before_app_request
def _password_first():
    """An administrator's one-time password: every page leads to setting one's own first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _BEFORE_PASSWORD_SET
        and not request.path.startswith("/api/")
    ):
        return redirect(url_for("auth.set_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def set_password():
    """Set one's own password (the same schema and command as ``POST /api/v1/auth/password``)."""
    errors: dict = {}
    if request.method == "POST":
        form = {**request.form, "username": current_user.username}
        try:
            body = admin_schemas.PasswordChange().load(schemas.from_form(admin_schemas.PasswordChange, form))
            commands.change_password(database(), body["username"], body["password"], body["new_password"])
            flash(_("密码已设置"))
            return redirect(url_for("inbox.index"))
        except ValidationError as exc:
            errors = schemas.field_errors(exc)
        except FormInvalid as exc:
            errors = exc.fields
    return render_template("auth/set_password.html", errors=errors), (400 if errors else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    session["lang"] = "en" if code == "en" else "zh_CN"
    target = request.referrer or url_for("inbox.index")
    if urlsplit(target).netloc not in ("", request.host):
        target = url_for("inbox.index")
    return redirect(target)


def api_user() -> CurrentUser:
    return g.api_user


def token_required(view):
    """The API's authentication: ``Authorization: Bearer <token>``; 401 otherwise."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        user = None
        if scheme.lower() == "bearer" and token:
            found = accounts.principal_for_token(db.session, token.strip())
            user = CurrentUser.of_principal(found) if found is not None else None
        if user is None:
            abort(401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def page_user() -> CurrentUser:
    return current_user._get_current_object()
