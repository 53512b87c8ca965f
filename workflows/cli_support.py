"""What every ``jixiao`` command shares: the database named on the command line."""

from __future__ import annotations

from .store import Database


def _db(ctx) -> Database:
    ctx.ensure_object(dict)
    if "db" not in ctx.obj:
        ctx.obj["db"] = Database(ctx.obj.get("url"))
    return ctx.obj["db"]
