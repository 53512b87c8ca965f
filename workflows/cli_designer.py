"""``jixiao designer``: a designer's draft from the shell (export, import, deploy, migrate)."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from .cli_support import _db
from .engine import specs
from .errors import DeployRejected
from .policy import Actor


@click.group("designer")
def designer_group():
    """A designer's draft from the shell, as on the designer pages."""


@designer_group.command("export")
@click.argument("zip_path", type=click.Path(dir_okay=False, writable=True))
@click.option("--user", default=None, help="export this designer's draft (default: what is deployed)")
@click.pass_context
def designer_export(ctx, zip_path, user):
    """Write a bundle zip: a designer's draft, or the deployed bundle."""
    from pathlib import Path

    from .commands import designer as drafts
    from .store import DesignerDraft

    with _db(ctx).reading() as session:
        if user:
            draft = session.scalar(select(DesignerDraft).where(DesignerDraft.owner == user))
            if draft is None:
                click.echo(f"{user} has no draft", err=True)
                sys.exit(1)
            files = dict(draft.files)
        else:
            files, _base = drafts.deployed_files(session)
    Path(zip_path).write_bytes(drafts.bundle_zip(files))
    click.echo(f"wrote {len(files)} file(s) to {zip_path}")


@designer_group.command("import")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", default="designer", show_default=True, help="whose draft receives the files")
@click.pass_context
def designer_import(ctx, zip_path, user):
    """Replace a designer's draft by a bundle zip (nothing is deployed; lint is shown)."""
    from pathlib import Path

    from .commands import designer as drafts
    from .errors import FormInvalid

    actor = Actor(user, frozenset({"designer"}))
    data = Path(zip_path).read_bytes()
    try:
        count = drafts.import_bundle(_db(ctx), data, actor=actor)
    except FormInvalid as exc:
        click.echo(f"refused: {exc.fields}", err=True)
        sys.exit(1)
    errors = specs.lint(drafts.read_bundle_zip(data))
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"imported {count} file(s) into {user}'s draft; {len(errors)} lint error(s)")


@designer_group.command("deploy")
@click.option("--user", default="designer", show_default=True)
@click.option("--note", required=True, help="change note (why), required")
@click.pass_context
def designer_deploy(ctx, user, note):
    """Deploy a designer's draft with a change note, as the workbench's 发布 button."""
    from .commands import designer as drafts

    try:
        result = drafts.deploy_draft(_db(ctx), note, actor=Actor(user, frozenset({"designer"})))
    except DeployRejected as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        sys.exit(1)
    for pid, version in sorted(result.created.items()):
        click.echo(f"deployed {pid} v{version}")


@designer_group.command("migrate")
@click.argument("process_id")
@click.option("--version", type=int, default=None, help="target version (default: newest)")
@click.option("--dry-run", is_flag=True, help="only print each instance's preview")
@click.option("--user", default="designer", show_default=True)
@click.pass_context
def designer_migrate(ctx, process_id, version, dry_run, user):
    """Move running instances of PROCESS_ID to a newer version, one unit of work each."""
    from .commands import migration
    from .queries import designer as views

    database = _db(ctx)
    with database.reading() as session:
        ids = [i.id for i in views.running_instances(session, process_id)]
        for instance_id in ids:
            _i, target, plan = views.migration_preview(session, instance_id, version)
            verdict = "ok" if plan.possible else "refused: " + "; ".join(plan.refusals)
            click.echo(f"instance {instance_id} → v{target.version}: {verdict}")
    if dry_run:
        return
    report = migration.migrate_instances(
        database, ids, actor=Actor(user, frozenset({"designer"})), version=version
    )
    click.echo(f"moved {len(report.moved)}, refused {len(report.refused)}")
