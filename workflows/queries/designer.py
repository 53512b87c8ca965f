"""What the designer pages read: processes and their versions, the draft, lint, comparisons,
running instances with a migration preview (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..commands.designer import deployed_files
from ..commands.migration import plan_for
from ..engine import decision_refs, specs, versions
from ..errors import NotFound
from ..policy import Actor
from ..store import AuditEvent, Deployment, DesignerDraft, ProcessDefinition, ProcessInstance, Project


@dataclass
class VersionRow:
    version: int
    created_at: datetime
    deployed_by: str
    note: str | None
    running: int


@dataclass
class ProcessRow:
    process_id: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)
    changed_in_draft: bool = False

    @property
    def latest(self) -> VersionRow:
        return self.versions[0]

    @property
    def running(self) -> int:
        return sum(v.running for v in self.versions)


def _notes(session: Session) -> dict[str, str]:
    """content hash → change note, from the deployment audit events."""
    notes = {}
    for data in session.scalars(select(AuditEvent.data).where(AuditEvent.action == "process.deployed")):
        if data.get("note"):
            notes[data["content_hash"]] = data["note"]
    return notes


def catalog(session: Session, draft_files: dict[str, str] | None = None) -> list[ProcessRow]:
    """Every deployed process with its versions (newest first) and running instance counts."""
    running = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .where(ProcessInstance.status == "running")
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    notes = _notes(session)
    rows: dict[str, ProcessRow] = {}
    definitions = session.execute(
        select(ProcessDefinition, Deployment.content_hash, Deployment.deployed_by)
        .join(Deployment, Deployment.id == ProcessDefinition.deployment_id)
        .order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc())
    ).all()
    for definition, content_hash, deployed_by in definitions:
        row = rows.setdefault(definition.process_id, ProcessRow(definition.process_id, definition.name))
        row.versions.append(
            VersionRow(
                definition.version,
                definition.created_at,
                deployed_by,
                notes.get(content_hash),
                running.get(definition.id, 0),
            )
        )
    if draft_files is not None:
        deployed, _base = deployed_files(session)
        changed = {
            name for name in set(draft_files) | set(deployed) if draft_files.get(name) != deployed.get(name)
        }
        for row in rows.values():
            row.changed_in_draft = f"{row.process_id}.bpmn" in changed
    return list(rows.values())


def draft_of(session: Session, actor: Actor) -> DesignerDraft | None:
    return session.scalar(select(DesignerDraft).where(DesignerDraft.owner == actor.username))


def draft_changes(session: Session, draft: DesignerDraft) -> dict[str, str]:
    """file → added / changed / removed against what is deployed."""
    deployed, _base = deployed_files(session)
    changes = {}
    for name in sorted(set(draft.files) | set(deployed)):
        if name not in deployed:
            changes[name] = "added"
        elif name not in draft.files:
            changes[name] = "removed"
        elif draft.files[name] != deployed[name]:
            changes[name] = "changed"
    return changes


def lint_draft(draft: DesignerDraft) -> list[dict]:
    """The same located errors as ``jixiao lint``, as the page shows them."""
    return [
        {"file": e.file, "element": e.element, "message": e.message} for e in specs.lint(dict(draft.files))
    ]


def definition(session: Session, process_id: str, version: int) -> ProcessDefinition:
    found = session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version
        )
    )
    if found is None:
        raise NotFound(f"no version {version} of {process_id}")
    return found


def version_files(session: Session, process_id: str, version: int) -> dict[str, str]:
    return dict(definition(session, process_id, version).deployment.files)


@dataclass
class Comparison:
    process_id: str
    old: int
    new: int
    old_xml: str
    new_xml: str
    files: list[versions.FileDiff]

    @property
    def process_file(self) -> versions.FileDiff | None:
        return next((f for f in self.files if f.file == f"{self.process_id}.bpmn"), None)


def compare(session: Session, process_id: str, old: int, new: int) -> Comparison:
    """Two versions side by side: element changes of every file of their bundles."""
    before = version_files(session, process_id, old)
    after = version_files(session, process_id, new)
    name = f"{process_id}.bpmn"
    return Comparison(
        process_id,
        old,
        new,
        before.get(name, ""),
        after.get(name, ""),
        [d for d in versions.diff_bundles(before, after) if d.status != "same"],
    )


def running_instances(session: Session, process_id: str, limit: int = 500) -> list[ProcessInstance]:
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.process_id == process_id, ProcessInstance.status == "running")
            .order_by(ProcessInstance.id)
            .limit(limit)
        )
    )


def migration_preview(session: Session, instance_id: int, version: int | None = None):
    """(instance, target definition, plan): what moving the instance would do; changes nothing."""
    return plan_for(session, instance_id, version)


def changed_tables(
    session: Session, instance: ProcessInstance, target: ProcessDefinition
) -> list[tuple[str, str]]:
    """(decision id, name) of the DMN tables the instance's process (or one it calls) reads
    whose rules differ in the target version: after the move it decides by the new rules."""
    before = dict(instance.definition.deployment.files)
    after = dict(target.deployment.files)
    used = decision_refs.used_by(after, instance.process_id)
    names = decision_refs.decision_names(after)
    return [(d, names.get(d) or d) for d in decision_refs.changed_decisions(before, after) if d in used]


@dataclass
class InstanceName:
    id: int
    business_key: str | None
    project_code: str | None
    project_name: str | None

    @property
    def label(self) -> str:
        """WZ2026-003 红色文化展陈, else the business key, else #5."""
        key = self.project_code or self.business_key
        if key and self.project_name:
            return f"{key} {self.project_name}"
        return key or self.project_name or f"#{self.id}"


def instance_names(session: Session, instance_ids) -> dict[int, InstanceName]:
    """instance id → its business key and project, as the migration pages name it."""
    ids = list(instance_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, Project.code, Project.name)
        .outerjoin(Project, Project.id == ProcessInstance.project_id)
        .where(ProcessInstance.id.in_(ids))
    ).all()
    return {row[0]: InstanceName(*row) for row in rows}
