"""年度评价对象选取 the selection workbench: the year's candidates, ticks per category, live quota
checks, the spot-check draw, the confirmation (DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7).

One command per request; the same schemas as ``/api/v1/selection`` (:mod:`server.selection_api`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows import clock, commands
from workflows import quotas as rules
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound
from workflows.queries import selection

from . import listing, schemas
from . import selection_schemas as ss
from .auth import page_user
from .current import database
from .errors import status_of
from .extensions import db

bp = Blueprint("selection", __name__)
READERS = frozenset({"performance_office", "leadership", "admin"})
MAX_UNITS_SHOWN = 50  # more units than this: the workbench lists one unit at a time


def may_open_selection(roles) -> bool:
    return bool(set(roles) & READERS)


def _reader():
    user = page_user()
    if not may_open_selection(user.roles):
        abort(403)
    return user


@bp.get("/selection")
@login_required
def index():
    user = _reader()
    return render_template(
        "selection/index.html",
        years=selection.years(db.session),
        next_year=clock.now().year - 1,  # the year just ended is the one evaluated now
        can_start="performance_office" in user.roles or "admin" in user.roles,
        errors={},
    )


@bp.post("/selection")
@login_required
def start():
    user = _reader()
    try:
        body = ss.SelectionStart().load(schemas.from_form(ss.SelectionStart, request.form))
        commands.start_selection(database(), body["fiscal_year"], actor=user.actor)
    except ValidationError as exc:
        return _index_with(schemas.field_errors(exc), 400)
    except (FormInvalid, Conflict, Forbidden, BusinessRuleRefused, NotFound) as exc:
        errors = exc.fields if isinstance(exc, FormInvalid) else {"_form": [str(exc)]}
        return _index_with(errors, status_of(exc))
    flash(_("已发起 %(year)s 年度评价对象选取", year=body["fiscal_year"]))
    return redirect(url_for("selection.workbench", year=body["fiscal_year"]))


def _index_with(errors: dict, status: int):
    return (
        render_template(
            "selection/index.html",
            years=selection.years(db.session),
            next_year=request.form.get("fiscal_year") or clock.now().year - 1,
            can_start=True,
            errors=errors,
        ),
        status,
    )


def _list_args() -> dict:
    """The page's paging and order, kept through a save (the form posts to an address with them)."""
    return {k: request.args[k] for k in ("page", "per_page", "sort", "dir") if k in request.args}


def _unit_arg() -> int | None:
    raw = request.values.get("unit") or request.values.get("unit_id")
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _render(year: int, *, picked=None, errors: dict | None = None, status: int = 200, reason: str = ""):
    user = _reader()
    unit_id = _unit_arg()
    all_units = selection.units_of(db.session, year)
    if unit_id is None and len(all_units) > MAX_UNITS_SHOWN:  # a province: one unit at a time
        unit_id = all_units[0][0]
    listed = listing.list_args(request.args, selection.candidate_sorts(year))
    found = selection.candidates_page(
        db.session, year, unit_id, listed.order, page=listed.page, per_page=listed.per_page
    )
    bench = selection.workbench(db.session, year, picked, unit_id=unit_id, project_ids=found.items)
    if bench.selection is None:
        abort(404)
    data = ss.workbench_json(bench)
    units: dict[int, dict] = {}
    for row in data["candidates"]:
        units.setdefault(row["unit_id"], {"name": row["unit_name"], "rows": []})["rows"].append(row)
    unit_checks = {c["scope"]: c for c in data["checks"] if c["category"] == rules.DEPT_EVAL}
    return (
        render_template(
            "selection/workbench.html",
            bench=bench,
            data=data,
            units=units,
            unit_checks=unit_checks,
            overall=[c for c in data["checks"] if c["category"] != rules.DEPT_EVAL],
            categories=rules.CATEGORIES,
            ticked=rules.TICKED,
            editable=bench.selection.status != "confirmed"
            and ("performance_office" in user.roles or "admin" in user.roles),
            errors=errors or {},
            reason=reason,
            unit_id=unit_id,
            all_units=all_units,
            found=found,
            list_args=_list_args(),
        ),
        status,
    )


@bp.get("/selection/<int:year>")
@login_required
def workbench(year: int):
    return _render(year)


@bp.post("/selection/<int:year>")
@login_required
def save(year: int):
    user = _reader()
    picked = None
    try:
        body = ss.SelectionSave().load(schemas.from_form(ss.SelectionSave, request.form))
        picked = ss.picked_of(body)
        commands.save_selection(
            database(),
            year,
            picked,
            actor=user.actor,
            lock_version=body.get("lock_version"),
            unit_id=body.get("unit_id"),
            shown=body.get("shown"),
        )
    except ValidationError as exc:
        return _render(year, errors=schemas.field_errors(exc), status=400)
    except (FormInvalid, Conflict, Forbidden, NotFound) as exc:
        errors = exc.fields if isinstance(exc, FormInvalid) else {"_form": [str(exc)]}
        return _render(year, picked=_as_sets(picked), errors=errors, status=status_of(exc))
    flash(_("已保存，选取比例已重新核算"))
    return redirect(url_for("selection.workbench", year=year, unit=body.get("unit_id"), **_list_args()))


def _as_sets(picked):
    return None if picked is None else {c: set(ids) for c, ids in picked.items()}


@bp.post("/selection/<int:year>/draw")
@login_required
def draw(year: int):
    user = _reader()
    try:
        body = ss.SelectionDraw().load(schemas.from_form(ss.SelectionDraw, request.form))
        sample = commands.draw_sample(database(), year, actor=user.actor, reason=body["reason"])
    except ValidationError as exc:
        return _render(year, errors=schemas.field_errors(exc), status=400)
    except (FormInvalid, Conflict, Forbidden, BusinessRuleRefused, NotFound) as exc:
        errors = exc.fields if isinstance(exc, FormInvalid) else {"_form": [str(exc)]}
        return _render(year, errors=errors, status=status_of(exc), reason=request.form.get("reason", ""))
    flash(_("已随机抽取 %(n)s 个真实性抽查样本，随机种子已记入审计日志", n=len(sample)))
    return redirect(url_for("selection.workbench", year=year))


@bp.post("/selection/<int:year>/confirm")
@login_required
def confirm(year: int):
    user = _reader()
    try:
        body = ss.SelectionConfirm().load(schemas.from_form(ss.SelectionConfirm, request.form))
        commands.confirm_selection(database(), year, actor=user.actor, note=body["note"])
    except ValidationError as exc:
        return _render(year, errors=schemas.field_errors(exc), status=400)
    except (FormInvalid, Conflict, Forbidden, BusinessRuleRefused, NotFound) as exc:
        errors = (
            {"confirm": [m for ms in exc.fields.values() for m in ms]}
            if isinstance(exc, FormInvalid)
            else {"_form": [str(exc)]}
        )
        return _render(year, errors=errors, status=status_of(exc))
    flash(_("%(year)s 年度评价对象选取已确认", year=year))
    return redirect(url_for("selection.workbench", year=year))


@bp.post("/selection/<int:year>/check")
@login_required
def check(year: int):
    """The quota checks for the ticks on the page, not saved (the workbench's live recompute)."""
    _reader()
    try:
        body = ss.SelectionSave().load(schemas.from_form(ss.SelectionSave, request.form))
    except ValidationError as exc:
        return jsonify({"error": "invalid_request", "fields": schemas.field_errors(exc)}), 400
    bench = selection.workbench(
        db.session,
        year,
        _as_sets(ss.picked_of(body)),
        unit_id=body.get("unit_id"),
        project_ids=body.get("shown"),
    )
    if bench.selection is None:
        abort(404)
    data = ss.workbench_json(bench)
    return jsonify({"checks": ss.CheckSchema(many=True).dump(data["checks"]), "passed": data["passed"]})
