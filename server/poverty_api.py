"""``/api/v1/poverty`` 扶贫资金项目月度评价 (DOMAIN R-AS-2): the months of a year, a month's ranking
and a unit's row, the office's review and a unit's rectification.

The same commands and queries as the pages (``server/poverty.py``): ``pr_review`` and
``pr_rectify`` are dedicated tasks the generic ``/tasks/<id>/complete`` refuses, so they are
completed here, through ``commands.review_month`` and ``commands.rectify``. A month is read by the
performance office, leadership and administrators at every step, by every signed-in user once
published (通报); a unit's people see only their own unit's items.
"""

from __future__ import annotations

from flask import abort

from workflows import commands
from workflows.queries import poverty

from . import poverty_schemas as p
from . import schemas as s
from .assessment_schemas import StartYear
from .auth import api_user, token_required
from .current import database
from .extensions import db
from .jsonbody import Blueprint

blp = Blueprint(
    "api_poverty",
    __name__,
    url_prefix="/api/v1/poverty",
    description="Poverty-fund monthly evaluation (扶贫资金项目月度评价, R-AS-2)",
)

_errors = blp.errors  # the JSON error answers each view documents


def _completed(result) -> dict:
    return {"instance": {"id": result.instance_id, "status": result.status}, "next_tasks": result.next_tasks}


@blp.get("/years")
@token_required
@blp.response(200, p.PovertyYearSchema(many=True))
@_errors(401)
def years():
    """Each year whose monthly evaluation was started, newest first, with its twelve months (the
    staff see each month's open review or approval task)."""
    return poverty.years(db.session, api_user().actor)


@blp.post("/years")
@token_required
@blp.arguments(StartYear)
@blp.response(201, p.PovertyStartedSchema)
@_errors(400, 401, 403, 404)
def start(body):
    """Start the year's months still to open (the performance office); again: starts nothing."""
    started = commands.start_poverty_year(database(), body["year"], actor=api_user().actor)
    return {"fiscal_year": body["year"], "started": {str(m): i for m, i in started.items()}}


@blp.get("/months/<int:month_id>")
@token_required
@blp.response(200, p.PovertyRankingSchema)
@_errors(401, 404)
def ranking(month_id: int):
    """A month's ranking with the items the reader may see (before 通报: the staff only)."""
    return poverty.ranking(db.session, api_user().actor, month_id)


@blp.get("/months/<int:month_id>/units/<int:unit_id>")
@token_required
@blp.response(200, p.PovertyUnitRowSchema)
@_errors(401, 404)
def unit_row(month_id: int, unit_id: int):
    """One unit's row of a month's ranking, with that unit's items the reader may see."""
    found, row = poverty.unit_row(db.session, api_user().actor, month_id, unit_id)
    return {"month": found.month, "row": row, "issues": found.issues}


@blp.get("/tasks/<task_id>/review")
@token_required
@blp.response(200, p.PovertyReviewSheetSchema)
@_errors(401, 404)
def review_sheet(task_id: str):
    """The office's review task: the sheet as pre-filled when the month opened, the rules and items."""
    user = api_user()
    task, month, rows, issues = poverty.review_sheet(db.session, user.actor, task_id)
    return {
        "task_id": task.id,
        "month": month,
        "rules": poverty.month_rules(db.session, month.id),
        "rows": rows,
        "issues": issues,
    }


@blp.post("/tasks/<task_id>/review")
@token_required
@blp.arguments(p.PovertyReviewBody)
@blp.response(200, s.CompleteResponse)
@_errors(400, 401, 403, 404, 409)
def review(body, task_id: str):
    """Complete the review: an adjustment per unit id (within ±adjust_max, each with a reason);
    the facts stay as pre-filled. The process ranks the month and sends it to leadership."""
    user = api_user()
    if not poverty.sees_all(user.actor):
        abort(403)
    result = commands.review_month(
        database(), task_id, body["adjustments"], reasons=body["reasons"], actor=user.actor
    )
    return _completed(result)


@blp.get("/tasks/<task_id>/rectify")
@token_required
@blp.response(200, p.PovertyRectifySheetSchema)
@_errors(401, 404)
def rectify_sheet(task_id: str):
    """A unit's rectification task: the month and the items fed back to the unit."""
    task, month, issues = poverty.rectify_sheet(db.session, api_user().actor, task_id)
    return {"task_id": task.id, "status": task.status, "month": month, "issues": issues}


@blp.post("/tasks/<task_id>/rectify")
@token_required
@blp.arguments(p.PovertyRectifyBody)
@blp.response(200, s.CompleteResponse)
@_errors(400, 401, 403, 404, 409)
def rectify(body, task_id: str):
    """Report the unit's rectification: a measure for every item fed back to it this month."""
    user = api_user()
    poverty.rectify_sheet(db.session, user.actor, task_id)  # 404 for a task the user may not read
    return _completed(commands.rectify(database(), task_id, body["measures"], actor=user.actor))


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
