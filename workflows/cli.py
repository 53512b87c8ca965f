"""``jixiao``: operate the engine from the shell, without Flask.

jixiao db upgrade                 migrate the database (JIXIAO_DATABASE_URL)
jixiao lint DIR                   check a bundle; non-zero exit with located errors
jixiao deploy DIR                 deploy a bundle as a new version
jixiao audit verify               check the audit chain
jixiao timers list                waiting timers, earliest first
jixiao timers run-due --as-of T   fire everything due at T through the scheduler's path
jixiao demo load                  demo units, users (one per role) and projects; idempotent
jixiao --now T ...                run any command with the clock set to T
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from . import audit, clock, scheduling, specs
from .db import Database
from .errors import DeployRejected


def _db(ctx) -> Database:
    ctx.ensure_object(dict)
    if "db" not in ctx.obj:
        ctx.obj["db"] = Database(ctx.obj.get("url"))
    return ctx.obj["db"]


@click.group()
@click.option("--database-url", envvar="JIXIAO_DATABASE_URL", default=None, help="SQLAlchemy URL")
@click.option("--now", "now", default=None, help="set the clock (ISO 8601; +08:00 if no offset)")
@click.pass_context
def main(ctx, database_url, now):
    """Jixiao (绩效) engine commands."""
    ctx.ensure_object(dict)
    ctx.obj["url"] = database_url or None
    if now:
        clock.set_now(clock.parse_moment(now))


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx):
    """Migrate the database to the newest schema."""
    database = _db(ctx)
    database.migrate()
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def lint(directory):
    """Check a bundle (BPMN, DMN, forms) the way deploy would; exit 1 on any error."""
    errors = specs.lint(specs.load_bundle(directory))
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        click.echo(f"{len(errors)} error(s); the bundle would be refused", err=True)
        sys.exit(1)
    click.echo("ok: the bundle would deploy")


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--actor", default="designer", show_default=True)
@click.pass_context
def deploy(ctx, directory, actor):
    """Deploy a bundle as a new version (refused bundles change nothing)."""
    database = _db(ctx)
    with database.unit_of_work() as session:
        try:
            result = specs.deploy(session, specs.load_bundle(directory), actor=actor)
        except DeployRejected as exc:
            for error in exc.errors:
                click.echo(str(error), err=True)
            click.echo("refused; the previous version keeps serving", err=True)
            sys.exit(1)
        session.commit()
    for pid, version in sorted(result.created.items()):
        click.echo(f"deployed {pid} v{version}")
    for pid, version in sorted(result.unchanged.items()):
        click.echo(f"unchanged {pid} v{version}")


@main.group("audit")
def audit_group():
    """The audit log."""


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx):
    """Recompute the hash chain; exit 1 if any row was edited or deleted."""
    with _db(ctx).reading() as session:
        problems = audit.verify(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("audit chain intact")


@main.group()
def timers():
    """Waiting timers."""


@timers.command("list")
@click.option("--limit", default=50, show_default=True)
@click.pass_context
def timers_list(ctx, limit):
    """What is due when."""
    from .store import Timer

    with _db(ctx).reading() as session:
        rows = session.scalars(select(Timer).order_by(Timer.due_at).limit(limit)).all()
    for row in rows:
        due = row.due_at.astimezone(clock.CHINA).isoformat(timespec="seconds")
        click.echo(f"{due}  instance {row.instance_id}  {row.task_spec} ({row.kind})")
    if not rows:
        click.echo("no waiting timers")


@timers.command("run-due")
@click.option("--as-of", "as_of", default=None, help="fire what is due at this time (ISO 8601)")
@click.pass_context
def timers_run_due(ctx, as_of):
    """Fire every timer due as of a time, through the scheduler's code path."""
    moment = clock.parse_moment(as_of) if as_of else clock.now()
    with clock.frozen(moment):
        report = scheduling.run_due(_db(ctx), moment)
    click.echo(
        f"fired {report.fired} timer(s) in {report.instances} instance(s); "
        f"{len(report.incidents)} incident(s), {report.conflicts} conflict(s)"
    )


@main.group()
def demo():
    """Demo data for ``make run``."""


@demo.command("load")
@click.pass_context
def demo_load(ctx):
    """Load demo units, users and projects (idempotent) and start their review paths."""
    from . import demo as demo_data

    report = demo_data.load(_db(ctx))
    click.echo(
        f"demo: {report.units} unit(s), {report.users} user(s), {report.projects} project(s) added; "
        f"{report.started} project(s) started" + (" via demo_paths" if report.advanced else "")
    )
    click.echo(f"demo users' password: {demo_data.DEMO_PASSWORD}")


if __name__ == "__main__":  # pragma: no cover
    main()
