"""The inbox (the first page after login): tabs with counts, filters, search, saved filters."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from workflows import clock, commands
from workflows.queries import inbox
from workflows.queries.paging import Order

from .auth import page_user
from .current import database
from .extensions import db

bp = Blueprint("inbox", __name__)


@bp.get("/")
def root():
    return redirect(url_for("inbox.index"))


def _page_args(args) -> tuple[str, inbox.InboxFilter, int, int, str]:
    scope = args.get("scope", "mine")
    if scope not in inbox.SCOPES:
        scope = "mine"
    try:
        page = max(1, int(args.get("page", 1)))
        per_page = max(1, min(inbox.MAX_PER_PAGE, int(args.get("per_page", 20))))
    except ValueError:
        page, per_page = 1, 20
    return scope, inbox.InboxFilter.from_params(args), page, per_page, args.get("sort", "due")


@bp.get("/inbox")
@login_required
def index():
    user = page_user()
    scope, filters, page, per_page, sort = _page_args(request.args)
    now = clock.now()
    session = db.session
    tab_counts = inbox.counts(session, user.actor, filters, now=now)
    if "scope" not in request.args and tab_counts["mine"] == 0 and tab_counts["claimable"] > 0:
        scope = "claimable"  # nothing assigned yet: open on what the user can pick up
    sort = sort if sort in inbox.SORTS else "due"
    # the headers sort too (issue 12, item 7): dir=asc|desc, else the column's natural order
    descending = (
        request.args.get("dir") == "desc" if "dir" in request.args else inbox.NATURAL_DESCENDING[sort]
    )
    result = inbox.tasks(
        session,
        user.actor,
        scope,
        filters,
        page=page,
        per_page=per_page,
        sort=sort,
        descending=descending,
        now=now,
    )
    saved = [
        (
            f,
            inbox.count(
                session,
                user.actor,
                f.params.get("scope", "mine"),
                inbox.InboxFilter.from_params(f.params),
                now=now,
            ),
        )
        for f in inbox.saved_filters(session, user.username)
    ]
    units, processes = inbox.filter_choices(session, user.actor)
    return render_template(
        "inbox/index.html",
        scope=scope,
        filters=filters,
        result=result,
        counts=tab_counts,
        cap=inbox.COUNT_CAP,
        saved=saved,
        units=units,
        processes=processes,
        sort=sort,
        order=Order(sort, descending),
        sort_dir="desc" if descending else "asc",
        due_state=lambda d: inbox.due_state(d, now),
        scopes=inbox.SCOPES,
    )


@bp.post("/inbox/filters")
@login_required
def save_filter():
    params = {
        k: v
        for k, v in request.form.items()
        if k in ("scope", "process", "unit", "year", "fund_type", "overdue", "q") and v
    }
    commands.save_filter(database(), request.form.get("name", ""), params, actor=page_user().actor)
    flash(_("筛选已保存"))
    return redirect(url_for("inbox.index", **params))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@login_required
def delete_filter(filter_id: int):
    commands.delete_filter(database(), filter_id, actor=page_user().actor)
    flash(_("筛选已删除"))
    return redirect(url_for("inbox.index"))
