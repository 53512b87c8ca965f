"""扶贫资金项目月度评价 pages (DOMAIN R-AS-2): the months of a year, a month's ranking and its
items, the office's review sheet, a unit's rectification, the ranking as a workbook.

HTTP only: the commands start a year, review a month and record a unit's rectification; the
queries read the months, a ranking and the sheets. A published month (通报) is readable by every
signed-in user (a unit sees its own items); before that by the performance office, leadership
and administrators.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from marshmallow import ValidationError

from workflows import clock, commands, policy
from workflows.errors import FormInvalid
from workflows.queries import poverty, ranking_export
from workflows.queries.exports import XLSX

from . import labels
from .assessment import staff_only
from .assessment_schemas import StartYear
from .auth import page_user
from .current import database
from .errors import error_response
from .extensions import db
from .schemas import field_errors

bp = Blueprint("poverty", __name__)
OFFICE = frozenset({"performance_office", "admin"})

# The audit actions and the process of this area, in the labels every page uses.
labels.ACTIONS.update(
    {
        "poverty.month_opened": lazy_gettext("扶贫资金月度评价开始"),
        "poverty.published": lazy_gettext("扶贫资金月度评价通报"),
        "poverty.rectified": lazy_gettext("报送扶贫资金项目整改情况"),
    }
)
labels.PROCESSES.update({"poverty_fund_ranking": "扶贫资金项目月度评价 Poverty-fund monthly ranking"})


def task_page(task_id: str) -> str | None:
    """Where the task page sends this process's review or rectification task (or nowhere)."""
    found = poverty.task_page(db.session, task_id)
    if found is None:
        return None
    kind, task_id = found
    return url_for(f"poverty.{kind}", task_id=task_id)


@bp.app_context_processor
def _nav():
    return {"may_open_poverty": lambda roles: bool(set(roles) & policy.OVERSIGHT_ROLES)}


@bp.get("/poverty")
@login_required
def index():
    user = page_user()
    return render_template(
        "poverty/index.html",
        years=poverty.years(db.session, user.actor),
        staff=poverty.sees_all(user.actor),
        may_start=bool(user.roles & OFFICE),
        this_year=clock.now().astimezone(clock.CHINA).year,
    )


@bp.post("/poverty/start")
@login_required
def start():
    user = page_user()
    try:
        body = StartYear().load({"year": request.form.get("year") or None})
    except ValidationError as exc:
        return error_response(
            400, "invalid_request", _("请求数据无效"), field_errors(exc), back=url_for(".index")
        )
    started = commands.start_poverty_year(database(), body["year"], actor=user.actor)
    if started:
        flash(
            _(
                "已启动%(y)s年扶贫资金项目月度评价：%(first)s月至12月，每月评价于次月1日开始",
                y=body["year"],
                first=min(started),
            )
        )
    else:
        flash(_("%(y)s年扶贫资金项目月度评价此前已启动", y=body["year"]))
    return redirect(url_for(".index"))


@bp.get("/poverty/months/<int:month_id>")
@login_required
def ranking(month_id: int):
    user = page_user()
    return render_template(
        "poverty/ranking.html",
        ranking=poverty.ranking(db.session, user.actor, month_id),
        columns=poverty.COUNT_COLUMNS,
        staff=poverty.sees_all(user.actor),
    )


@bp.get("/poverty/months/<int:month_id>.xlsx")
@login_required
def ranking_workbook(month_id: int):
    """扶贫资金项目绩效管理评价排名: the ranking and the items the reader may see, as a workbook."""
    found = poverty.ranking(db.session, page_user().actor, month_id)
    return send_file(
        BytesIO(ranking_export.poverty_ranking(found)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{found.month.name}扶贫资金项目绩效评价排名.xlsx",
    )


@bp.route("/poverty/tasks/<task_id>/review", methods=["GET", "POST"])
@staff_only
def review(task_id: str):
    user = page_user()
    task, month, rows, issues = poverty.review_sheet(db.session, user.actor, task_id)
    if task.status != "open" and request.method == "GET":
        # a finished review's sheet is gone (its draft); what it decided is the month's ranking
        return redirect(url_for(".ranking", month_id=month.id))
    rules = poverty.month_rules(db.session, month.id)
    values = {str(r["unit_id"]): r.get("adjustment", 0) for r in rows}
    reasons = {str(r["unit_id"]): r.get("adjustment_reason", "") for r in rows}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {
            str(r["unit_id"]): (request.form.get(f"adjustment_{r['unit_id']}") or "0").strip() for r in rows
        }
        reasons = {
            str(r["unit_id"]): (request.form.get(f"reason_{r['unit_id']}") or "").strip() for r in rows
        }
        try:
            commands.review_month(database(), task_id, values, reasons=reasons, actor=user.actor)
        except FormInvalid as exc:
            errors = exc.fields
        else:
            flash(_("月度评价表已提交，待领导审定") if rows else _("本月无扶贫资金项目，评价已结束"))
            return redirect(url_for(".index"))
    return render_template(
        "poverty/review.html",
        task=task,
        month=month,
        rows=rows,
        issues=issues,
        rules=rules,
        values=values,
        reasons=reasons,
        errors=errors,
        columns=poverty.COUNT_COLUMNS,
    ), (400 if errors else 200)


@bp.route("/poverty/tasks/<task_id>/rectify", methods=["GET", "POST"])
@login_required
def rectify(task_id: str):
    user = page_user()
    task, month, issues = poverty.rectify_sheet(db.session, user.actor, task_id)
    can_act = task.status == "open" and policy.may_complete(user.actor, task)
    measures = {str(i.id): i.measure or "" for i in issues}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_act:
            abort(403)
        measures = {str(i.id): (request.form.get(f"measure_{i.id}") or "").strip() for i in issues}
        try:
            commands.rectify(database(), task_id, measures, actor=user.actor)
        except FormInvalid as exc:
            errors = exc.fields
        else:
            flash(_("整改情况已报送"))
            return redirect(url_for("inbox.index"))
    return render_template(
        "poverty/rectify.html",
        task=task,
        month=month,
        issues=issues,
        measures=measures,
        errors=errors,
        can_act=can_act,
    ), (400 if errors else 200)
