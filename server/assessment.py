"""考核 the unit assessment's pages (DOMAIN 6 R-AS-1) and the disclosure register (R-TG-3, R-RA-4, R-EV-4).

HTTP only: the commands start a year, score a cycle and publish an item; the queries read
the cycles, a ranking and the register. The ranking of a published cycle (通报) is readable
by every signed-in user; everything else by the performance office, leadership and admins.
"""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows import clock, commands
from workflows.errors import FormInvalid
from workflows.queries import assessment, dashboard, disclosure, ranking_export
from workflows.queries.exports import XLSX
from workflows.store import HumanTask

from . import assessment_schemas as schemas
from . import listing
from .auth import page_user
from .current import database
from .errors import error_response
from .extensions import db

bp = Blueprint("assessment", __name__)
OFFICE = frozenset({"performance_office", "admin"})


def staff_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not assessment.sees_all(page_user().actor):
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def scoring_page(task_id: str) -> str | None:
    """Where the task page sends a cycle's scoring task: the pre-filled sheet (or nowhere)."""
    task = db.session.get(HumanTask, task_id)
    if task is not None and task.process_id == "unit_assessment" and task.task_spec.startswith("as_score_"):
        return url_for("assessment.score", task_id=task_id)
    return None


def approval_ranking(task) -> dict | None:
    """What a leadership approval task decides on (R-AS-1): its cycle's ranking, shown on the
    task page above the 审定意见 (the 查看排名 page's figures); None for any other task."""
    cycle_id = assessment.approval_cycle(db.session, task)
    if cycle_id is None:
        return None
    found = assessment.ranking(db.session, page_user().actor, cycle_id)
    return {"ranking": found, "columns": assessment.POINT_COLUMNS}


def _this_year() -> int:
    return clock.now().astimezone(clock.CHINA).year


@bp.get("/assessment")
@login_required
def index():
    user = page_user()
    years = assessment.years(db.session, user.actor)
    return render_template(
        "assessment/index.html",
        years=years,
        staff=assessment.sees_all(user.actor),
        may_start=bool(user.roles & OFFICE),
        this_year=_this_year(),
    )


@bp.post("/assessment/start")
@login_required
def start():
    user = page_user()
    try:
        body = schemas.StartYear().load({"year": request.form.get("year") or None})
    except ValidationError as exc:
        return error_response(
            400, "invalid_request", _("请求数据无效"), schemas_errors(exc), back=url_for(".index")
        )
    commands.start_assessment_year(database(), body["year"], actor=user.actor)
    flash(_("已启动%(y)s年度单位考核：7月1日、12月1日分别开始评分", y=body["year"]))
    return redirect(url_for(".index"))


def schemas_errors(exc: ValidationError) -> dict[str, list[str]]:
    from .schemas import field_errors

    return field_errors(exc)


@bp.get("/assessment/cycles/<int:cycle_id>")
@login_required
def ranking(cycle_id: int):
    user = page_user()
    found = assessment.ranking(db.session, user.actor, cycle_id)
    return render_template(
        "assessment/ranking.html",
        ranking=found,
        columns=assessment.POINT_COLUMNS,
        staff=assessment.sees_all(user.actor),
    )


@bp.get("/assessment/cycles/<int:cycle_id>.xlsx")
@login_required
def ranking_workbook(cycle_id: int):
    """单位考核排名表: the ranking as a spreadsheet, for whoever may read the ranking."""
    found = assessment.ranking(db.session, page_user().actor, cycle_id)
    return send_file(
        BytesIO(ranking_export.unit_ranking(found)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{found.cycle.name}考核排名.xlsx",
    )


@bp.route("/assessment/tasks/<task_id>/score", methods=["GET", "POST"])
@staff_only
def score(task_id: str):
    user = page_user()
    task, rows = assessment.scoring_sheet(db.session, user.actor, task_id)
    if task.status != "open" and request.method == "GET":
        cycle_id = assessment.scored_cycle(db.session, task)
        if cycle_id is not None:  # what it scored, not an empty sheet to submit again
            return redirect(url_for(".ranking", cycle_id=cycle_id))
    errors: dict[str, list[str]] = {}
    values = {str(r["unit_id"]): r.get("judgement", 0) for r in rows}
    notes = {str(r["unit_id"]): r.get("judgement_note", "") for r in rows}
    if request.method == "POST":
        values = {
            str(r["unit_id"]): (request.form.get(f"judgement_{r['unit_id']}") or "0").strip() for r in rows
        }
        notes = {str(r["unit_id"]): (request.form.get(f"note_{r['unit_id']}") or "").strip() for r in rows}
        try:
            body = schemas.ScoreSheet().load({"judgements": values, "notes": notes})
            commands.score_cycle(
                database(), task_id, body["judgements"], notes=body["notes"], actor=user.actor
            )
        except ValidationError as exc:
            errors = _sheet_errors(exc.messages)
        except FormInvalid as exc:
            errors = exc.fields
        else:
            flash(_("评分已提交，待领导审定"))
            return redirect(url_for(".index"))
    status = 400 if errors else 200
    return render_template(
        "assessment/score.html", task=task, rows=rows, values=values, notes=notes, errors=errors
    ), status


def _sheet_errors(messages: dict) -> dict[str, list[str]]:
    from .schemas import zh_message

    found: dict[str, list[str]] = {}
    for group, prefix in (("judgements", "judgement_"), ("notes", "note_")):
        for key, problem in (messages.get(group) or {}).items():
            texts = problem.get("value", problem) if isinstance(problem, dict) else problem
            found[prefix + str(key)] = [
                zh_message(t) for t in (texts if isinstance(texts, list) else [texts])
            ]
    return found or {"judgements": [_("请检查评分")]}


@bp.get("/disclosure")
@bp.get("/disclosure.xlsx", endpoint="register_workbook")
@staff_only
def register():
    user = page_user()
    try:
        args = schemas.YearQuery().load(
            {"year": request.args.get("year") or None} if request.args.get("year") else {}
        )
    except ValidationError:
        args = {}
    years = disclosure.register_years(db.session)
    year = args.get("year") or dashboard.default_year(db.session, user.actor)  # as the dashboard opens
    listed = listing.list_args(request.args, keys=disclosure.REGISTER_SORTS, sorts=None)
    order = listed.order if listed.order.key else disclosure.REGISTER_DEFAULT
    if request.path.endswith(".xlsx"):  # the register as shown, as a spreadsheet
        data = disclosure.register_workbook(db.session, year, order)
        name = f"{year}年度预算绩效信息公开登记表.xlsx"
        return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
    found = disclosure.register_page(db.session, year, order, page=listed.page, per_page=listed.per_page)
    return render_template(
        "assessment/register.html",
        register=disclosure.Register(year, found.items, disclosure.sensitive_count(db.session, year)),
        found=found,
        years=sorted({*years, year}, reverse=True),
        may_publish=bool(user.roles & OFFICE),
        today=clock.now().astimezone(clock.CHINA).date(),
    )


@bp.post("/disclosure/publish")
@login_required
def publish():
    user = page_user()
    back = url_for(".register", year=request.form.get("year") or None)
    try:
        body = schemas.PublishItem().load(
            {"kind": request.form.get("kind"), "subject_id": request.form.get("subject_id")}
        )
    except ValidationError as exc:
        return error_response(400, "invalid_request", _("请求数据无效"), schemas_errors(exc), back=back)
    commands.publish_item(database(), body["kind"], body["subject_id"], actor=user.actor)
    flash(_("已公开"))
    return redirect(back)
