"""Migrating running instances to a newer version of their process (issue 13, item 6).

Each instance moves in its own unit of work: load, plan, refuse with the reason or move,
save (``human_task`` and ``timer`` rows follow through :func:`_persist.save`), audit. A
refused or failed migration leaves the instance exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import migration, specs, steps
from ..errors import Conflict, JixiaoError, MigrationRefused, NotFound
from ..policy import Actor
from ..store import Database, HumanTask, ProcessDefinition, ProcessInstance, audit, transaction
from . import _persist
from .designer import _require_designer

Unit = Database | Session


def target_definition(session: Session, process_id: str, version: int | None) -> ProcessDefinition:
    """The version to move to: ``version`` of the process, or its newest."""
    if version is None:
        return specs.latest_definition(session, process_id)
    definition = session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version
        )
    )
    if definition is None:
        raise NotFound(f"no version {version} of {process_id}")
    return definition


def plan_for(session: Session, instance_id: int, version: int | None = None):
    """(instance, target definition, plan) without changing anything."""
    instance, workflow = _persist.load_instance(session, instance_id)
    target = target_definition(session, instance.process_id, version)
    plan = migration.plan(workflow, specs.ensure_loaded(target))
    return session.get(ProcessInstance, instance_id), target, plan  # the row, for pages


def migrate_instance(uow: Unit, instance_id: int, *, actor: Actor, version: int | None = None):
    """Move one running instance to ``version`` (default: the newest); returns the plan.

    Raises :class:`MigrationRefused` with the reasons when it cannot move.
    """
    _require_designer(actor)
    with transaction(uow) as session:
        instance, workflow = _persist.load_instance(session, instance_id)
        if instance.status != "running":
            raise Conflict(f"instance {instance_id} is {instance.status}")
        target = target_definition(session, instance.process_id, version)
        source_version = instance.version
        if target.version <= source_version:
            raise MigrationRefused(f"实例已在 v{source_version}，只能迁移到更新的版本")
        plan = migration.migrate(workflow, specs.ensure_loaded(target))
        if not plan.possible:
            raise MigrationRefused("；".join(plan.refusals))
        steps.run(workflow)
        instance.definition_id, instance.version = target.id, target.version
        instance.spec_hash, instance.deployment_id, instance.content_hash = (
            target.spec_hash,
            target.deployment_id,
            None,
        )
        open_rows = _persist.save(session, instance, workflow, actor)
        _refresh_open_rows(session, instance, workflow, open_rows)
        audit.append(
            session,
            action="instance.migrated",
            actor=actor.username,
            instance_id=instance_id,
            data={
                "process_id": instance.process_id,
                "from_version": source_version,
                "to_version": target.version,
                "changed": [c.element for c in plan.changed],
                "restarted_timers": plan.restarted_timers,
            },
        )
        return plan


def _refresh_open_rows(session: Session, instance, workflow, open_rows: list) -> None:
    """A waiting user task keeps its id across a migration; its title, form and role follow the new version."""
    ready = {t.id: t for t in steps.ready_user_tasks(workflow)}
    for row in open_rows:
        task = ready.get(row.id)
        if task is None:
            continue
        values = {"title": task.title, "form": task.form, "role": task.role, "task_spec": task.task_spec}
        if task.deadline is not None:
            values["due_at"] = task.deadline
        session.execute(update(HumanTask).where(HumanTask.id == row.id).values(values))


@dataclass
class BatchReport:
    moved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def migrate_instances(
    db: Database, instance_ids: list[int], *, actor: Actor, version: int | None = None
) -> BatchReport:
    """Move each instance in its own unit of work: one refusal does not hold back the others."""
    report = BatchReport()
    for instance_id in instance_ids:
        try:
            migrate_instance(db, instance_id, actor=actor, version=version)
        except JixiaoError as exc:
            report.refused[instance_id] = str(exc)
        else:
            report.moved.append(instance_id)
    return report
