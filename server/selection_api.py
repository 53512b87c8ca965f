"""REST API of the year's selection ``/api/v1/selection`` (年度评价对象选取): read the candidates and
the quota checks, start the year, save a choice, draw the spot-check sample, confirm. The same
schemas and commands as the workbench page (:mod:`server.selection`). DOMAIN R-EV-2, R-EV-3,
R-EV-4, R-MN-7, R-EV-7.
"""

from __future__ import annotations

from flask import abort

from workflows import commands
from workflows.queries import selection

from . import selection_schemas as ss
from .auth import api_user, token_required
from .current import database
from .jsonbody import Blueprint
from .selection import may_open_selection

blp = Blueprint(
    "api_selection", __name__, url_prefix="/api/v1", description="年度评价对象选取 Annual selection"
)


_errors = blp.errors  # the JSON error answers each view documents


def _reader():
    user = api_user()
    if not may_open_selection(user.roles):
        abort(403)
    return user.actor


def _bench(year: int) -> dict:
    with database().reading() as session:
        bench = selection.workbench(session, year)
        if bench.selection is None:
            abort(404)
        return ss.workbench_json(bench)


@blp.post("/selection")
@token_required
@blp.arguments(ss.SelectionStart)
@blp.response(201, ss.WorkbenchSchema)
@_errors(400, 401, 403, 409)
def start(body):
    """Start the year's selection (one ``annual_selection`` instance per fiscal year)."""
    commands.start_selection(database(), body["fiscal_year"], actor=_reader())
    return _bench(body["fiscal_year"])


@blp.get("/selection/<int:year>")
@token_required
@blp.response(200, ss.WorkbenchSchema)
@_errors(401, 403, 404)
def read(year):
    """The year's candidates (unit, amount, 项目属性, key flag, history, stage, categories) and the
    quota checks with their figures and reasons."""
    _reader()
    return _bench(year)


@blp.put("/selection/<int:year>")
@token_required
@blp.arguments(ss.SelectionSave)
@blp.response(200, ss.WorkbenchSchema)
@_errors(400, 401, 403, 404, 409)
def save(body, year):
    """Replace the ticked projects per category; ``lock_version`` from the last read (409 if stale)."""
    commands.save_selection(
        database(),
        year,
        ss.picked_of(body),
        actor=_reader(),
        lock_version=body.get("lock_version"),
        unit_id=body.get("unit_id"),
        shown=body.get("shown"),
    )
    return _bench(year)


@blp.post("/selection/<int:year>/draw")
@token_required
@blp.arguments(ss.SelectionDraw)
@blp.response(201, ss.DrawnSchema)
@_errors(400, 401, 403, 404, 409, 422)
def draw(body, year):
    """Draw the spot-check sample (R-EV-7); a second draw needs ``reason``. Seed and sample audited."""
    sample = commands.draw_sample(database(), year, actor=_reader(), reason=body["reason"])
    return {"sample": sample, "spot_seed": _bench(year)["spot_seed"]}


@blp.post("/selection/<int:year>/confirm")
@token_required
@blp.arguments(ss.SelectionConfirm)
@blp.response(200, ss.WorkbenchSchema)
@_errors(400, 401, 403, 404, 409, 422)
def confirm(body, year):
    """Confirm the year's selection: 400 with each failing quota's reason while one fails."""
    commands.confirm_selection(database(), year, actor=_reader(), note=body["note"])
    return _bench(year)


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
