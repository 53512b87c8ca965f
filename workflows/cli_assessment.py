"""``jixiao assessment``: start a fiscal year's unit assessment from the shell (DOMAIN 6 R-AS-1).

The same command as the page's 启动年度考核 and ``POST /api/v1/assessment/years``; a fiscal-year
calendar (or an operator) calls it when the year opens. Idempotent.
"""

from __future__ import annotations

import click

from .cli_support import _db
from .policy import Actor


@click.group("assessment")
def assessment_group():
    """Unit assessment (考核)."""


@assessment_group.command("start")
@click.argument("year", type=int)
@click.option("--actor", default="system", help="who the audit log names as starting it")
@click.pass_context
def assessment_start(ctx, year, actor):
    """Start YEAR's unit assessment (July and December cycles); print its instance id."""

    from .commands import start_assessment_year

    instance_id = start_assessment_year(_db(ctx), year, actor=Actor.system(actor))
    click.echo(f"unit assessment {year}: instance {instance_id}")
