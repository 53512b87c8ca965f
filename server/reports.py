"""The bureau's view of the year (issue 12): the dashboard and the Excel downloads.

HTTP only: the figures come from :mod:`workflows.queries.dashboard`, the workbooks from
:mod:`workflows.queries.exports`; both read through the visibility rule of
:mod:`workflows.policy`, so a unit's staff download only their unit's rows.
"""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
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
from .formatting import wan_format

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


class FigureLinks:
    """The links of one dashboard page: the project list's address is looked up once, each
    figure's filter appended (a page links some 400 figures)."""

    def __init__(self, base: str):
        self.base = base

    def list_url(self, figure: dashboard.Figure) -> str:
        """The project list behind a figure."""
        query = figure.filter.query_string()
        return f"{self.base}?{query}" if query else self.base

    def figure_link(self, figure: dashboard.Figure, text=None) -> Markup:
        """A figure as the link to its list (``data-count`` for the tests and the charts' script);
        a Python function, not a template macro: the page has hundreds. The address needs no
        escaping but its ``&``: the filter's values are percent-encoded."""
        shown = figure.count if text is None else escape(text)
        href = self.list_url(figure).replace("&", "&amp;")
        return Markup(f'<a href="{href}" class="figure" data-count="{figure.count}">{shown}</a>')


def unit_rows(units: list[dashboard.UnitRow], links: FigureLinks) -> Markup:
    """The units table's rows (a page of 50 units, seven linked figures each), written in Python
    as :func:`unit_options` is: the template's loop was a third of the page's rendering."""
    if not units:
        return Markup(f'<tr><td colspan="10" class="empty">{escape(_("暂无项目"))}</td></tr>')
    link, wan, rows = links.figure_link, wan_format(), []
    for u in units:
        late = " late" if u.overdue.count else ""
        grades = "".join(f'<td class="num">{link(g)}</td>' for g in u.grades)
        rows.append(
            f'<tr data-unit="{u.unit_id}"><td>{escape(u.name)}<br><small class="code" translate="no">'
            f'{escape(u.code)}</small></td><td class="num">{link(u.projects)}</td>'
            f'<td class="num">{escape(wan(u.projects.amount))}</td>'
            f'<td class="num{late}">{link(u.overdue)}</td>{grades}'
            f'<td class="num">{link(u.cuts)}</td><td class="num">{escape(wan(u.cuts.amount))}</td></tr>'
        )
    return Markup("\n".join(rows))


_options: tuple = (None, "")  # the unit list last written and its <option>s, none selected


def unit_options(units, chosen: int | None) -> Markup:
    """The unit filter's ``<option>``s, written in Python, not a template loop: a province lists
    thousands of units, on every dashboard page. Written again only when the list read for this
    page differs from the last one (a unit added or renamed); the chosen one marked after."""
    global _options
    cached_units, html = _options
    if units != cached_units:
        html = "".join(
            f'<option value="{uid}">{escape(code)} {escape(name)}</option>' for uid, code, name in units
        )
        _options = (units, html)
    if chosen is not None:
        html = html.replace(f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1)
    return Markup(html)


def _xlsx(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype=exports.XLSX, as_attachment=True, download_name=name)


@bp.get("/dashboard")
@overseers_only
def index():
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    # read-only, each figure a statement of its own: no transaction needed (nor its round trips)
    with database().reading(transaction=False) as session:
        if filters.year is None:
            filters = filters.narrowed(year=dashboard.default_year(session, actor))
        units = dashboard.unit_choices(session, actor)
        offices = dashboard.office_choices(session, actor)
        units_args = listing.list_args(request.args, prefix="units_", keys=dashboard.UNIT_SORTS)
        board = dashboard.build(
            session,
            actor,
            filters,
            units_page=units_args.page,
            units_sort=units_args.order.key or "code",
            # a figure column starts most first; a header clicked again flips it
            units_descending=units_args.order.descending if "units_dir" in request.args else None,
            unit_names={uid: (code, name) for uid, code, name in units},
        )
    years = board.years
    if filters.year not in years:
        years = sorted({*years, filters.year}, reverse=True)
    links = FigureLinks(url_for("projects.index"))
    list_url = links.list_url
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
        offices=offices,
        office_name=next((name for oid, name in offices if oid == filters.office), None),
        fund_types=FUND_TYPES,
        list_url=list_url,
        figure_link=links.figure_link,
        unit_rows=unit_rows(board.units, links),
        units_order=Order(board.units_sort, board.units_descending),
        today=clock.now(),
    )


@bp.get("/dashboard/results.xlsx")
@overseers_only
def results_workbook():
    """评价结果汇总表 for a year (and unit / fund type), the rows the user may read: the dashboard's
    download, so the dashboard's readers only (a unit's staff read their projects on the list)."""
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    scope = ProjectFilter(
        year=filters.year, unit=filters.unit, office=filters.office, fund_type=filters.fund_type
    )
    with database().reading() as session:
        data = exports.results_summary(session, actor, scope, fund_name=labels.fund_name)
    return _xlsx(data, f"绩效评价结果汇总表{'-' + str(scope.year) if scope.year else ''}.xlsx")


@bp.get("/projects/export.xlsx")
@login_required
def projects_workbook():
    """The project list as shown (same filters, same visibility) as a spreadsheet."""
    actor = page_user().actor
    filters = ProjectFilter.from_args(request.args)
    order = list_exports.order_of(request.args, projects.SORTS)  # as the list is sorted
    with database().reading() as session:
        data = exports.project_list(
            session, actor, filters, stage_name=labels.stage_name, fund_name=labels.fund_name, order=order
        )
    return _xlsx(data, f"项目清单{'-' + str(filters.year) if filters.year else ''}.xlsx")
