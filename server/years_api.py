"""REST API for the fiscal year: ``/api/v1/fiscal-years`` — open one (R-DW-1), read its status.

The same marshmallow schemas (``server.year_schemas``) and command as the 年度 page.
"""

from __future__ import annotations

from workflows.queries import department_wide

from . import year_schemas as ys
from .auth import api_user, token_required
from .extensions import db
from .jsonbody import Blueprint
from .years import open_year

blp = Blueprint("api_years", __name__, url_prefix="/api/v1", description="Fiscal years 预算年度")


_errors = blp.errors  # the JSON error answers each view documents


@blp.post("/fiscal-years")
@token_required
@blp.arguments(ys.FiscalYearOpen)
@blp.response(201, ys.OpenedYearSchema)
@_errors(400, 401, 403, 404)
def open_fiscal_year(body):
    """Open a fiscal year with its budget approval date: every budget unit's yearly processes start
    (部门整体支出, DOMAIN R-DW-1). Again for the same year: starts only units still missing."""
    opened = open_year(api_user().actor, body)
    return {"year": opened.year, "budget_approved_on": opened.budget_approved_on, "started": opened.started}


@blp.get("/fiscal-years/<int:year>")
@token_required
@blp.response(200, ys.YearStatusSchema)
@_errors(401)
def year_status(year):
    """Each unit's department-wide cycle of the year you may read: stage, deadline, overdue, finance's
    scores (R-DW-2), open tasks (a finance reviewer: their office's units, R-RL-1)."""
    view = department_wide.year_status(db.session, api_user().actor, year)
    return {
        "year": view.year,
        "budget_approved_on": view.budget_approved_on,
        "opened": view.opened,
        "units": [u.__dict__ for u in view.units],
    }


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
