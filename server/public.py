"""预算绩效信息公开 the public pages: no sign-in (R-TG-3, R-RA-4, R-EV-4, R-AS-1).

Published items only; an item marked sensitive is never shown (``queries.disclosure``).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from workflows.queries import assessment, disclosure

from .extensions import db

bp = Blueprint("public", __name__)


@bp.get("/public")
def index():
    return render_template("public/index.html", years=disclosure.public_years(db.session))


@bp.get("/public/<int:year>")
def year(year: int):
    known = {*disclosure.public_years(db.session), *disclosure.register_years(db.session)}
    if year not in known:  # nothing published, and not a year the county keeps: not found, in words
        page = render_template("public/missing.html", year=year, years=disclosure.public_years(db.session))
        return page, 404
    return render_template(
        "public/year.html",
        page=disclosure.public_year(db.session, year),
        columns=assessment.POINT_COLUMNS,
    )
