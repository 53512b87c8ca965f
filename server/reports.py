"""The bureau's view of the year (issue 12): the dashboard and the Excel downloads.

HTTP only: the figures come from :mod:`workflows.queries.dashboard`, the workbooks from
:mod:`workflows.queries.exports`; both read through the visibility rule of
:mod:`workflows.policy`, so a unit's staff download only their unit's rows.
"""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from flask import Blueprint, abort, g, render_template, request, send_file, url_for
from flask_login import login_required
from markupsafe import Markup, escape

from workflows import clock
from workflows.policy import OVERSIGHT_ROLES
from workflows.queries import dashboard, exports, list_exports, projects
from workflows.queries.paging import Order
from workflows.queries.project_filter import FUND_TYPES, ProjectFilter

from . import labels, listing
from .auth import page_user
from .current import database

bp = Blueprint("reports", __name__)


def overseers_only(view):
    """Finance, the performance office, leadership and administrators (DOMAIN 2: they oversee)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not page_user().roles & OVERSIGHT_ROLES:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


@bp.app_context_processor
def _nav():
    return {"may_open_dashboard": lambda roles: bool(set(roles) & OVERSIGHT_ROLES)}


def list_url(figure: dashboard.Figure) -> str:
    """The project list behind a figure (the list's address built once per request: a
    dashboard page links some 400 figures)."""
    if "projects_url" not in g:
        g.projects_url = url_for("projects.index")
    query = figure.filter.query_string()
    return f"{g.projects_url}?{query}" if query else g.projects_url


def figure_link(figure: dashboard.Figure, text=None) -> Markup:
    """A figure as the link to its list (``data-count`` for the tests and the charts' script);
    a Python function, not a template macro: the page has hundreds."""
    shown = figure.count if text is None else text
    return Markup(
        f'<a href="{escape(list_url(figure))}" class="figure" data-count="{figure.count}">{escape(shown)}</a>'
    )


def unit_options(units, chosen: int | None) -> Markup:
    """The unit filter's ``<option>``s, written in Python, not a template loop: a province lists
    thousands of units, on every dashboard page."""
    return Markup(
        "".join(
            f'<option value="{uid}"{" selected" if uid == chosen else ""}>{escape(code)} {escape(name)}</option>'
            for uid, code, name in units
        )
    )


def _xlsx(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype=exports.XLSX, as_attachment=True, download_name=name)


@bp.get("/dashboard")
@overseers_only
def index():
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    with database().reading() as session:
        if filters.year is None:
            filters = filters.narrowed(year=dashboard.default_year(session, actor))
        units_args = listing.list_args(request.args, prefix="units_", keys=dashboard.UNIT_SORTS)
        board = dashboard.build(
            session,
            actor,
            filters,
            units_page=units_args.page,
            units_sort=units_args.order.key or "code",
            # a figure column starts most first; a header clicked again flips it
            units_descending=units_args.order.descending if "units_dir" in request.args else None,
        )
        years = dashboard.years(session, actor)
        units = dashboard.unit_choices(session)
    if filters.year not in years:
        years = sorted({*years, filters.year}, reverse=True)
    chart = {
        "stages": [
            {"name": labels.stage_name(f.key), "value": f.count, "url": list_url(f)} for f in board.by_stage
        ],
        "grades": [
            {
                "name": str(labels.grade_name(f.key)),
                "value": f.count,
                "url": list_url(f),
                "grade": f.key,
            }
            for f in board.by_grade
            if f.count
        ],
    }
    return render_template(
        "reports/dashboard.html",
        board=board,
        chart=chart,
        years=years,
        unit_name=next((name for uid, _code, name in units if uid == filters.unit), None),
        unit_options=unit_options(units, filters.unit),
        fund_types=FUND_TYPES,
        list_url=list_url,
        figure_link=figure_link,
        units_order=Order(board.units_sort, board.units_descending),
        today=clock.now(),
    )


@bp.get("/dashboard/results.xlsx")
@login_required
def results_workbook():
    """评价结果汇总表 for a year (and unit / fund type), the rows the user may read."""
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    scope = ProjectFilter(year=filters.year, unit=filters.unit, fund_type=filters.fund_type)
    with database().reading() as session:
        data = exports.results_summary(session, actor, scope)
    return _xlsx(data, f"绩效评价结果汇总表{'-' + str(scope.year) if scope.year else ''}.xlsx")


@bp.get("/projects/export.xlsx")
@login_required
def projects_workbook():
    """The project list as shown (same filters, same visibility) as a spreadsheet."""
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    order = list_exports.order_of(request.args, projects.SORTS)  # as the list is sorted
    with database().reading() as session:
        data = exports.project_list(session, actor, filters, stage_name=labels.stage_name, order=order)
    return _xlsx(data, f"项目清单{'-' + str(filters.year) if filters.year else ''}.xlsx")
