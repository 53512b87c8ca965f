"""Pages of the consolidated score table (打分表, R-EV-3) and the authenticity spot checks
(真实性核查, R-EV-7), under the reports area: finance, the performance office and leadership read
(R-RL-1 scope); the performance office confirms the table and starts spot checks.

HTTP only: the rows come from :mod:`workflows.queries.score_table`, the writes are
:func:`workflows.commands.confirm_score_table` and :func:`workflows.commands.start_spot_checks`.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from workflows import commands
from workflows.commands.spot_checks import CONFIRMERS, SPOT_CHECKERS
from workflows.errors import JixiaoError
from workflows.queries import dashboard, score_table, spot_checks

from . import score_table_schemas as sts
from .auth import page_user
from .current import database
from .errors import status_of
from .extensions import db
from .reports import _xlsx, overseers_only

bp = Blueprint("score_table", __name__)
PER_PAGE = 200


def _year() -> int:
    try:
        return int(request.args.get("year") or 0) or _default_year()
    except ValueError:
        return _default_year()


def _default_year() -> int:
    """The year the dashboard opens on (this year when it has projects, else the newest)."""
    return dashboard.default_year(db.session, page_user().actor)


def _years(year: int) -> list[int]:
    return sorted({*score_table.years(db.session), year}, reverse=True)


def _may(roles: frozenset[str]) -> bool:
    return bool(page_user().roles & roles)


@bp.get("/reports/score-table")
@overseers_only
def index():
    actor = page_user().actor
    year = _year()
    page = int(request.args["page"]) if (request.args.get("page") or "").isdigit() else 1
    page = max(page, 1)
    total = score_table.count(db.session, actor, year)
    rows = score_table.page(db.session, actor, year, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "reports/score_table.html",
        year=year,
        years=_years(year),
        title=score_table.title(year),
        rows=rows,
        total=total,
        page=page,
        first_index=(page - 1) * PER_PAGE,
        has_next=page * PER_PAGE < total,
        confirmation=score_table.confirmation(db.session, year),
        may_confirm=_may(CONFIRMERS),
        may_spot_check=_may(SPOT_CHECKERS),
    )


@bp.post("/reports/score-table/<int:year>/confirm")
@overseers_only
def confirm(year: int):
    try:
        count = commands.confirm_score_table(database(), year, actor=page_user().actor)
        flash(_("已确认%(y)s年度打分表（%(n)s 个项目）", y=year, n=count))
    except JixiaoError as exc:
        flash(str(exc), "error")
    return redirect(url_for("score_table.index", year=year), 303)


@bp.get("/reports/score-table/<int:year>.xlsx")
@overseers_only
def export(year: int):
    data = score_table.workbook(db.session, page_user().actor, year)
    return _xlsx(data, f"{year}年度绩效评价打分表.xlsx")


@bp.get("/reports/spot-checks")
@overseers_only
def spot_check_list():
    actor = page_user().actor
    year = _year()
    return render_template(
        "reports/spot_checks.html",
        year=year,
        years=_years(year),
        checks=spot_checks.of_year(db.session, actor, year),
        candidates=spot_checks.candidates(db.session, actor, year) if _may(SPOT_CHECKERS) else [],
        may_spot_check=_may(SPOT_CHECKERS),
        errors={},
    )


@bp.post("/reports/spot-checks")
@overseers_only
def start_spot_checks():
    actor = page_user().actor
    raw = {"year": request.form.get("year"), "project_ids": request.form.getlist("project_ids")}
    try:
        body = sts.SpotCheckStart().load(raw)
        started = commands.start_spot_checks(database(), body["year"], body["project_ids"], actor=actor)
    except ValidationError as exc:
        return _refused(
            raw, {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in exc.messages.items()}
        )
    except JixiaoError as exc:
        fields = getattr(exc, "fields", None) or {"project_ids": [str(exc)]}
        return _refused(raw, fields, status_of(exc))
    flash(_("已对 %(n)s 个项目发起真实性核查", n=len(started)))
    return redirect(url_for("score_table.spot_check_list", year=body["year"]), 303)


def _refused(raw: dict, errors: dict, status: int = 400):
    actor = page_user().actor
    try:
        year = int(raw.get("year") or 0) or _default_year()
    except ValueError:
        year = _default_year()
    return (
        render_template(
            "reports/spot_checks.html",
            year=year,
            years=_years(year),
            checks=spot_checks.of_year(db.session, actor, year),
            candidates=spot_checks.candidates(db.session, actor, year),
            may_spot_check=True,
            errors=errors,
        ),
        status,
    )
