"""``/api/v1`` for the unit assessment (R-AS-1) and the disclosure register (R-TG-3, R-RA-4, R-EV-4):
the same commands and queries as the pages, the same schemas (``assessment_schemas``)."""

from __future__ import annotations

from flask import abort

from workflows import commands
from workflows.queries import assessment, disclosure

from . import assessment_schemas as a
from . import schemas as s
from .auth import api_user, token_required
from .current import database
from .extensions import db
from .jsonbody import Blueprint

blp = Blueprint(
    "api_assessment",
    __name__,
    url_prefix="/api/v1",
    description="Unit assessment (考核) and disclosure (公开)",
)


_errors = blp.errors  # the JSON error answers each view documents


def _staff():
    user = api_user()
    if not assessment.sees_all(user.actor):
        abort(403)
    return user


@blp.get("/assessment/years")
@token_required
@blp.response(200, a.AssessmentYearSchema(many=True))
@_errors(401)
def years():
    """Each fiscal year whose assessment was started, with its July and December cycles (others
    see only published cycles)."""
    user = api_user()
    found = assessment.years(db.session, user.actor)
    if not assessment.sees_all(user.actor):
        for year in found:
            year.cycles = [c for c in year.cycles if c.status == "published"]
    return found


@blp.post("/assessment/years")
@token_required
@blp.arguments(a.StartYear)
@blp.response(201, a.AssessmentStartedSchema)
@_errors(400, 401, 403, 404)
def start(body):
    """Start the year's unit assessment (the performance office); starting it again returns it."""
    instance_id = commands.start_assessment_year(database(), body["year"], actor=api_user().actor)
    return {"fiscal_year": body["year"], "instance_id": instance_id}


@blp.get("/assessment/cycles/<int:cycle_id>")
@token_required
@blp.response(200, a.RankingSchema)
@_errors(401, 404)
def ranking(cycle_id: int):
    """A cycle's ranking: every signed-in user once published (通报), the staff before."""
    return assessment.ranking(db.session, api_user().actor, cycle_id)


@blp.post("/assessment/tasks/<task_id>/score")
@token_required
@blp.arguments(a.ScoreSheet)
@blp.response(200, s.CompleteResponse)
@_errors(400, 401, 403, 404, 409)
def score(body, task_id: str):
    """Score a cycle: the office's judgement (0–10) per unit id on the pre-filled sheet."""
    user = _staff()
    result = commands.score_cycle(
        database(), task_id, body["judgements"], notes=body.get("notes"), actor=user.actor
    )
    return {"instance": {"id": result.instance_id, "status": result.status}, "next_tasks": result.next_tasks}


@blp.get("/disclosure")
@token_required
@blp.arguments(a.YearQuery, location="query")
@blp.response(200, a.RegisterSchema)
@_errors(400, 401, 403)
def disclosure_register(args):
    """What must be published for a fiscal year, when, and whether it was; an item withheld as
    sensitive is listed with ``sensitive`` true and ``withheld`` (不予公开 and its reason)."""
    _staff()
    years = disclosure.register_years(db.session)
    year = args.get("year") or (years[0] if years else 2000)
    return disclosure.register(db.session, year)


@blp.post("/disclosure")
@token_required
@blp.arguments(a.PublishItem)
@blp.response(201, a.PublishedSchema)
@_errors(400, 401, 403, 404, 409, 422)
def publish(body):
    """公开 publish one item of the register (the performance office; sensitive items refused)."""
    return {"id": commands.publish_item(database(), body["kind"], body["subject_id"], actor=api_user().actor)}


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
