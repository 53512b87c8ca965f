"""预算年度 the fiscal-year page: open a year (R-DW-1) and see every unit's department-wide cycle.

The performance office opens a year with its budget approval date; the page lists each unit's
stage, deadline, overdue mark and finance's scores (a finance reviewer sees their office's
units, R-RL-1). The API (``server.years_api``) takes the same schema and calls the same command.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows import clock, commands
from workflows.commands.fiscal_year import YEAR_OPENERS
from workflows.errors import Forbidden, FormInvalid, ProcessNotFound
from workflows.policy import OVERSIGHT_ROLES, Actor
from workflows.queries import department_wide

from . import schemas, year_schemas
from .auth import page_user
from .current import database
from .errors import status_of
from .extensions import db

bp = Blueprint("years", __name__)


def may_open_years_page(roles) -> bool:
    """The loop's owners and finance's reviewers (their offices' units only)."""
    return bool(set(roles) & OVERSIGHT_ROLES)


@bp.app_context_processor
def _nav():
    return {"may_open_years_page": may_open_years_page}


def open_year(actor: Actor, body: dict) -> commands.OpenedYear:
    """One use case for page and API: a body the shared schema accepted → the year opened."""
    return commands.open_fiscal_year(database(), body["year"], body["budget_approved_on"], actor=actor)


@bp.route("/years", methods=["GET", "POST"])
@login_required
def index():
    user = page_user()
    if not may_open_years_page(user.roles):
        abort(404)
    can_open = bool(user.roles & YEAR_OPENERS)
    errors: dict = {}
    status = 200
    values = dict(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        if not can_open:
            abort(403)
        try:
            body = year_schemas.FiscalYearOpen().load(
                schemas.from_form(year_schemas.FiscalYearOpen, request.form)
            )
            opened = open_year(user.actor, body)
            started = sum(len(opened.started.get(y.process_id, [])) for y in commands.YEARLY_STARTERS)
            months = opened.started.get("poverty_fund_ranking")
            if months:  # R-AS-2: started with the year, said in the same notice
                flash(
                    _(
                        "已开启 %(year)s 年度，新发起 %(count)s 个单位的流程；同时启动了扶贫资金项目月度评价（%(months)s 个月，每月评价于次月1日开始）",
                        year=opened.year,
                        count=started,
                        months=len(months),
                    )
                )
            else:
                flash(
                    _("已开启 %(year)s 年度，新发起 %(count)s 个单位的流程", year=opened.year, count=started)
                )
            return redirect(url_for("years.index", year=opened.year))
        except ValidationError as exc:
            errors, status = schemas.field_errors(exc), 400
        except FormInvalid as exc:
            errors, status = exc.fields, 400
        except (Forbidden, ProcessNotFound) as exc:
            errors, status = {"_form": [str(exc)]}, status_of(exc)
    years = department_wide.fiscal_years(db.session)
    chosen = request.args.get("year", type=int) or (years[0].year if years else None)
    view = department_wide.year_status(db.session, user.actor, chosen) if chosen else None
    if not values:
        values = {"year": str(clock.now().year)}
    return (
        render_template(
            "years/index.html",
            years=years,
            view=view,
            can_open=can_open,
            values=values,
            errors=errors,
        ),
        status,
    )
