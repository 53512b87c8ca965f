"""Operations for administrators: running instances, incidents (resolve), waiting timers, audit check."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from workflows import commands
from workflows.queries import ops

from . import listing
from .auth import page_user
from .current import database
from .extensions import db

bp = Blueprint("ops", __name__, url_prefix="/ops")


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "admin" not in page_user().roles:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


@bp.get("/")
@admin_required
def index():
    listed = listing.list_args(request.args, ops.INSTANCE_SORTS)
    found = ops.instances_page(db.session, listed.order, page=listed.page, per_page=listed.per_page)
    return render_template(
        "ops/index.html", **{**ops.overview(db.session, instances=0), "instances": found.items}, found=found
    )


@bp.post("/incidents/<int:incident_id>/resolve")
@admin_required
def resolve(incident_id: int):
    commands.resolve_incident(database(), incident_id, actor=page_user().actor)
    flash(_("已标记为已处理"))
    return redirect(url_for("ops.index"))


@bp.post("/audit/verify")
@admin_required
def verify_audit():
    problems = ops.audit_problems(db.session)
    if problems:
        flash(_("审计链异常：%(n)s 处", n=len(problems)), "error")
    else:
        flash(_("审计链完整"))
    return redirect(url_for("ops.index"))
