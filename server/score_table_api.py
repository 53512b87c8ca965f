"""``/api/v1`` for the consolidated score table (R-EV-3) and the authenticity spot checks
(R-EV-7): the same commands and queries as :mod:`server.score_table`, the shared schemas of
:mod:`server.score_table_schemas`."""

from __future__ import annotations

from io import BytesIO

from flask import abort, send_file

from workflows import commands
from workflows.queries import exports, projects, score_table, spot_checks

from . import score_table_schemas as sts
from .auth import api_user, token_required
from .current import database
from .extensions import db
from .jsonbody import Blueprint

blp = Blueprint("api_score_table", __name__, url_prefix="/api/v1", description="Score table and spot checks")


_errors = blp.errors  # the JSON error answers each view documents


def _overseer():
    actor = api_user().actor
    if not score_table.may_read(actor):
        abort(403)
    return actor


@blp.get("/score-table/<int:year>")
@token_required
@blp.response(200, sts.ScoreTableSchema)
@_errors(401, 403)
def get_score_table(year):
    """本级部门单位项目支出绩效评价打分表 (R-EV-3): a row per project of the year you may read
    (R-RL-1), each scorer's points, the capped grade and why, the cut, the spot check."""
    actor = _overseer()
    return {
        "year": year,
        "title": score_table.title(year),
        "confirmation": sts.confirmation_json(year, score_table.confirmation(db.session, year)),
        "rows": [sts.line_json(line) for line in score_table.lines(db.session, actor, year)],
    }


@blp.post("/score-table/<int:year>/confirm")
@token_required
@blp.response(200, sts.ConfirmationSchema)
@_errors(401, 403, 422)
def confirm_score_table(year):
    """Finance (the performance office) confirms the year's table; later changes are flagged."""
    commands.confirm_score_table(database(), year, actor=api_user().actor)
    return sts.confirmation_json(year, score_table.confirmation(db.session, year))


@blp.get("/score-table/<int:year>/export")
@token_required
@blp.response(200, description="The table as .xlsx (the bureau's layout)")
@_errors(401, 403)
def export_score_table(year):
    data = score_table.workbook(db.session, _overseer(), year)
    return send_file(
        BytesIO(data), mimetype=exports.XLSX, as_attachment=True, download_name=f"score-table-{year}.xlsx"
    )


@blp.post("/spot-checks")
@token_required
@blp.arguments(sts.SpotCheckStart)
@blp.response(201, sts.SpotCheckStarted)
@_errors(400, 401, 403, 409)
def start_spot_checks(body):
    """真实性核查 (R-EV-7): start a spot check for each sampled project of the year."""
    ids = commands.start_spot_checks(database(), body["year"], body["project_ids"], actor=api_user().actor)
    return {"spot_check_ids": ids}


@blp.get("/spot-checks")
@token_required
@blp.arguments(sts.YearQuery, location="query")
@blp.response(200, sts.SpotCheckSchema(many=True))
@_errors(400, 401, 403)
def list_spot_checks(args):
    return spot_checks.of_year(db.session, _overseer(), args["year"])


@blp.get("/projects/<int:project_id>/spot-checks")
@token_required
@blp.response(200, sts.ProjectSpotChecksSchema)
@_errors(401, 404)
def project_spot_checks(project_id):
    """A project's spot checks and the accountability recorded for it (R-EV-7, R-EV-8)."""
    project = projects.readable_project(db.session, api_user().actor, project_id)
    return {
        "spot_checks": spot_checks.of_project(db.session, project.id),
        "accountability": [
            spot_checks.accountability_json(a) for a in spot_checks.accountability_of(db.session, project.id)
        ],
    }


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
