"""Notices in the browser: the bell's unread count on every page, the list, marking read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workflows import commands
from workflows.queries import notices

from . import listing
from .auth import page_user
from .current import database

bp = Blueprint("notices", __name__)


@bp.app_context_processor
def _bell():
    if not current_user.is_authenticated:
        return {}
    with database().reading(transaction=False) as session:  # one statement, on every page
        return {"unread_notices": notices.unread_count(session, current_user.username)}


@bp.get("/notices")
@login_required
def index():
    listed = listing.list_args(request.args, notices.SORTS)
    with database().reading() as session:
        found = notices.page(
            session, page_user().username, listed.order, page=listed.page, per_page=listed.per_page
        )
    return render_template("notices/index.html", notices=found.items, found=found)


@bp.post("/notices/<int:notice_id>/read")
@login_required
def read(notice_id: int):
    commands.mark_read(database(), notice_id, actor=page_user().actor)
    target = request.form.get("next") or url_for("notices.index")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else url_for("notices.index")
    )


@bp.post("/notices/read-all")
@login_required
def read_all():
    user = page_user()
    with database().reading() as session:
        unread = [n.id for n in notices.for_user(session, user.username, unread_only=True, limit=500)]
    for notice_id in unread:
        commands.mark_read(database(), notice_id, actor=user.actor)
    return redirect(url_for("notices.index"))
