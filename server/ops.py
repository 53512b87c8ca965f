"""Operations for administrators: running instances, incidents (resolve), waiting timers, audit check."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from workflows import audit, runtime
from workflows.store import Incident, ProcessInstance, Timer

from .access import database
from .auth import page_user

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
    with database().reading() as session:
        instances = session.scalars(
            select(ProcessInstance).order_by(ProcessInstance.updated_at.desc()).limit(50)
        ).all()
        incidents = session.scalars(
            select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.created_at)
        ).all()
        timers = session.scalars(select(Timer).order_by(Timer.due_at).limit(20)).all()
    return render_template("ops/index.html", instances=instances, incidents=incidents, timers=timers)


@bp.post("/incidents/<int:incident_id>/resolve")
@admin_required
def resolve(incident_id: int):
    runtime.resolve_incident(database(), incident_id, actor=page_user().actor)
    flash(_("已标记为已处理"))
    return redirect(url_for("ops.index"))


@bp.post("/audit/verify")
@admin_required
def verify_audit():
    with database().reading() as session:
        problems = audit.verify(session)
    flash(_("审计链完整") if not problems else _("审计链异常：%(n)s 处", n=len(problems)))
    return redirect(url_for("ops.index"))
