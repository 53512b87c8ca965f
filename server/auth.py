"""Sign in and out (browser sessions) and the bearer-token check of the API."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from workflows import audit

from . import services
from .access import CurrentUser, database
from .extensions import limiter, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    return services.load_user(user_id)


def login_limit() -> str:
    return current_app.config["JIXIAO_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = services.authenticate(username, request.form.get("password", ""))
        if user is None:
            error = _("用户名或密码错误")
        else:
            session.clear()
            login_user(CurrentUser.of(user))
            with database().unit_of_work() as s:
                audit.append(
                    s, action="user.logged_in", actor=user.username, data={"ip": request.remote_addr}
                )
                s.commit()
            target = request.args.get("next", "")
            if not target.startswith("/") or urlsplit(target).netloc or target.startswith("//"):
                target = url_for("inbox.index")
            return redirect(target)
    return render_template("auth/login.html", error=error), (401 if error else 200)


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
        user = services.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            abort(401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def page_user() -> CurrentUser:
    return current_user._get_current_object()
