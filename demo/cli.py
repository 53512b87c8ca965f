"""``jixiao demo load``: the demo command group, added to ``jixiao`` as a plugin
(entry point ``jixiao.cli``), so the engine package never imports the demo."""

from __future__ import annotations

import click

from workflows.store import Database


@click.group()
def demo():
    """Demo data for ``make run``."""


@demo.command("load")
@click.pass_context
def load(ctx):
    """Load demo units, users and projects (idempotent) and move them along their review paths."""
    from . import data as demo_data

    ctx.ensure_object(dict)
    report = demo_data.load(ctx.obj.get("db") or Database(ctx.obj.get("url")))
    click.echo(
        f"demo: {report.units} unit(s), {report.users} user(s), {report.projects} project(s) added; "
        f"{report.started} project(s) started" + (" via demo.paths" if report.advanced else "")
    )
    click.echo(f"demo users' password: {demo_data.DEMO_PASSWORD}")
