"""``jixiao``: operate the engine from the shell, without Flask.

jixiao db upgrade                 migrate the database (JIXIAO_DATABASE_URL)
jixiao lint DIR                   check a bundle; non-zero exit with located errors
jixiao deploy DIR [--note WHY]    deploy a bundle as a new version
jixiao designer export|import ZIP a designer's draft (or the deployed bundle) as a zip
jixiao designer deploy --note WHY deploy a designer's draft, as the workbench does
jixiao designer migrate PROCESS   move running instances to a newer version (--dry-run)
jixiao audit verify               check the audit chain
jixiao audit once                 no task completed twice, no timer fired twice
jixiao timers list                waiting timers, earliest first
jixiao timers run-due --as-of T   fire everything due at T through the scheduler's path
jixiao timers incidents           instances whose timers are parked by an open incident
jixiao timers retry INCIDENT      resolve a timer incident and fire the instance again
jixiao timers demo --minutes N    start the demo_deadline process (deadline N minutes away)
jixiao scheduler                  run the timer scheduler standalone (until Ctrl-C)
jixiao notifications list USER    a user's notices
jixiao users import FILE.csv      units, offices, users and experts; all or nothing
jixiao demo load                  demo units, users (one per role) and projects; idempotent
jixiao --now T ...                run any command with the clock set to T
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from . import clock
from .cli_support import _db
from .config import reload_settings
from .engine import specs
from .errors import DeployRejected
from .policy import Actor
from .store import audit
from .timers import retry_incident, run_due


@click.group()
@click.option("--database-url", envvar="JIXIAO_DATABASE_URL", default=None, help="SQLAlchemy URL")
@click.option("--now", "now", default=None, help="set the clock (ISO 8601; +08:00 if no offset)")
@click.pass_context
def main(ctx, database_url, now):
    """Jixiao (绩效) engine commands."""
    ctx.ensure_object(dict)
    ctx.obj["url"] = database_url or None
    reload_settings()
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
@click.option("--note", default=None, help="change note kept in the audit log (why)")
@click.pass_context
def deploy(ctx, directory, actor, note):
    """Deploy a bundle as a new version (refused bundles change nothing)."""
    database = _db(ctx)
    with database.unit_of_work() as session:
        try:
            result = specs.deploy(session, specs.load_bundle(directory), actor=actor, note=note)
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


@audit_group.command("once")
@click.pass_context
def audit_once(ctx):
    """Exactly once: exit 1 if any task was completed twice or any timer fired twice."""
    from .queries import ops

    with _db(ctx).reading() as session:
        problems = ops.completed_twice(session) + ops.fired_twice(session)
        completions, firings = ops.exactly_once_counts(session)
    click.echo(f"{completions} task completion(s), {firings} timer firing(s)")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("no task completed twice, no timer fired twice")


@main.group()
def timers():
    """Waiting timers."""


@timers.command("list")
@click.option("--limit", default=50, show_default=True)
@click.pass_context
def timers_list(ctx, limit):
    """What is due when (China time), parked ones marked."""
    from .store import Timer
    from .timers import index as timer_index

    with _db(ctx).reading() as session:
        rows = session.scalars(select(Timer).order_by(Timer.due_at, Timer.id).limit(limit)).all()
        parked = set(timer_index.parked_instances(session))
    for row in rows:
        due = row.due_at.astimezone(clock.CHINA).isoformat(timespec="seconds")
        mark = "  [parked: open incident]" if row.instance_id in parked else ""
        kind = row.kind if row.interrupting else f"{row.kind}, non-interrupting"
        click.echo(f"{due}  instance {row.instance_id}  {row.task_spec} ({kind}){mark}")
    if not rows:
        click.echo("no waiting timers")


@timers.command("run-due")
@click.option("--as-of", "as_of", default=None, help="fire what is due at this time (ISO 8601)")
@click.pass_context
def timers_run_due(ctx, as_of):
    """Fire every timer due as of a time, through the scheduler's code path."""
    moment = clock.parse_moment(as_of) if as_of else clock.now()
    with clock.frozen(moment):
        report = run_due(_db(ctx), moment)
    click.echo(
        f"fired {report.fired} timer(s) in {report.instances} instance(s); "
        f"{len(report.incidents)} incident(s), {report.conflicts} conflict(s)"
    )


@timers.command("incidents")
@click.pass_context
def timers_incidents(ctx):
    """Open timer incidents (their instances' timers wait for a retry)."""
    from .store import Incident

    with _db(ctx).reading() as session:
        rows = session.scalars(
            select(Incident)
            .where(Incident.kind == "timer", Incident.resolved_at.is_(None))
            .order_by(Incident.created_at)
        ).all()
    for row in rows:
        at = row.created_at.astimezone(clock.CHINA).isoformat(timespec="seconds")
        click.echo(f"incident {row.id}  instance {row.instance_id}  {at}  {row.message}")
    if not rows:
        click.echo("no open timer incidents")


@timers.command("retry")
@click.argument("incident_id", type=int)
@click.option("--actor", default="admin", show_default=True)
@click.option("--as-of", "as_of", default=None, help="fire as of this time (ISO 8601)")
@click.pass_context
def timers_retry(ctx, incident_id, actor, as_of):
    """Resolve a timer incident and fire the instance's due timers again."""
    from .errors import Conflict

    moment = clock.parse_moment(as_of) if as_of else None
    try:
        report = retry_incident(_db(ctx), incident_id, actor=Actor(actor, frozenset({"admin"})), as_of=moment)
    except Conflict as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if report.incidents:
        click.echo(f"failed again: new incident {report.incidents[0]}", err=True)
        sys.exit(1)
    click.echo(f"incident {incident_id} resolved; fired {report.fired} timer(s)")


@timers.command("demo")
@click.option("--minutes", default=3.0, show_default=True, help="minutes until the deadline")
@click.option(
    "--project-id", type=int, default=None, help="project to attach (default: the first one, if any)"
)
@click.pass_context
def timers_demo(ctx, minutes, project_id):
    """Start demo_deadline: a reminder before, and an escalation at, a deadline minutes away."""
    from .commands import start
    from .store import Project

    if project_id is None:
        with _db(ctx).reading() as session:
            project_id = session.scalar(select(Project.id).order_by(Project.id).limit(1))
    if project_id is not None:
        click.echo(f"attached to project {project_id} (its unit head is notified; it will be marked overdue)")
    result = start(
        _db(ctx),
        "demo_deadline",
        actor=Actor.system("demo"),
        data={"deadline_minutes": minutes},
        business_key=f"demo-deadline-{clock.now():%Y%m%d%H%M%S}",
        project_id=project_id,
    )
    click.echo(f"started instance {result.instance_id}; deadline in {minutes:g} minute(s)")
    for task in result.next_tasks:
        due = task.due_at.astimezone(clock.CHINA).isoformat(timespec="seconds") if task.due_at else "-"
        click.echo(f"  task {task.id}  {task.title}  ({task.role}) due {due}")


@main.command("scheduler")
@click.option("--max-sleep", default=5.0, show_default=True, help="fallback poll interval (seconds)")
@click.option(
    "--workers", type=int, default=None, help="firing threads (default: 2 on PostgreSQL, 1 on SQLite)"
)
@click.pass_context
def scheduler_command(ctx, max_sleep, workers):
    """Run the timer scheduler standalone until Ctrl-C (several may run against PostgreSQL)."""
    import logging

    from .timers.scheduler import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("apscheduler", "spiff"):  # a line per pass / per task state is noise here
        logging.getLogger(noisy).setLevel(logging.WARNING)
    database = _db(ctx)
    click.echo(f"timer scheduler on {database.engine.url.render_as_string(hide_password=True)}")
    run_forever(database, max_sleep=max_sleep, workers=workers)


@main.group("notifications")
def notifications_group():
    """In-app notices."""


@notifications_group.command("list")
@click.argument("username")
@click.option("--unread", is_flag=True, help="only unread notices")
@click.pass_context
def notifications_list(ctx, username, unread):
    """A user's notices, newest first."""
    from .queries import notices

    with _db(ctx).reading() as session:
        rows = notices.for_user(session, username, unread_only=unread)
    for row in rows:
        at = row.created_at.astimezone(clock.CHINA).isoformat(timespec="seconds")
        state = "  " if row.read_at else "* "
        click.echo(f"{state}{at}  [{row.kind}] {row.message}  (instance {row.instance_id})")
    if not rows:
        click.echo("no notices")


@main.group("users")
def users_group():
    """User accounts."""


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="admin", help="who the audit log names as importing")
@click.pass_context
def users_import(ctx, csv_file, actor):
    """Import units, finance offices, users and pool experts from CSV (README: columns).

    Refuses the whole file, naming every bad row, when any row is bad; prints each new
    user's one-time password (they set their own at first sign-in)."""
    from .commands import import_users
    from .errors import FormInvalid

    with open(csv_file, encoding="utf-8-sig") as fh:
        text = fh.read()
    try:
        report = import_users(_db(ctx), text, actor=Actor.system(actor))
    except FormInvalid as exc:
        click.echo(f"refused: nothing imported from {csv_file}", err=True)
        for where, problems in exc.fields.items():
            click.echo(f"{where}: {'; '.join(problems)}", err=True)
        sys.exit(1)
    click.echo(
        f"imported {len(report.users)} user(s), {len(report.units)} new unit(s), "
        f"{len(report.offices)} office(s), {len(report.experts)} expert(s)"
    )
    for username, password in report.users:
        click.echo(f"{username}\t{password}")


def _add_groups() -> None:
    """Command groups kept in their own modules (one job each)."""
    from .cli_designer import designer_group

    main.add_command(designer_group, "designer")
    from .cli_assessment import assessment_group  # noqa: E402 - R-AS-1

    main.add_command(assessment_group, "assessment")


_add_groups()


def _add_plugins() -> None:
    """Command groups other packages add (``jixiao.cli`` entry points): ``demo`` from demo/."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="jixiao.cli"):
        main.add_command(entry.load(), entry.name)


_add_plugins()


if __name__ == "__main__":  # pragma: no cover
    main()
