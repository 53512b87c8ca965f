"""The process designer's drafts (草稿): edit, import, deploy with a change note (issue 13).

Each designer has one working draft: a copy of the deployed bundle (BPMN, DMN, forms)
they edit in the browser or import as a zip. A draft is never run; it becomes a version
only through :func:`deploy_draft`, which lints it first, and every change is audited.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..engine import specs
from ..engine.values import text_problem
from ..errors import Conflict, DeployRejected, Forbidden, FormInvalid, LocatedError
from ..policy import Actor, may_design
from ..store import Database, DesignerDraft, audit, transaction

Unit = Database | Session

# A file name a bundle may hold: no folders, one of the three kinds the engine reads.
FILE_NAME = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]{0,100}\.(bpmn|dmn|json)$")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_BUNDLE_BYTES = 10 * 1024 * 1024
MAX_FILES = 200
MAX_NOTE = 1000


def _require_designer(actor: Actor) -> None:
    if not may_design(actor):
        raise Forbidden(f"{actor.username} is not a process designer")


def deployed_files(session: Session) -> tuple[dict[str, str], int | None]:
    """The files behind every process's newest version (newer deployments win a shared name)."""
    files: dict[str, str] = {}
    newest = None
    catalog = sorted(specs.process_catalog(session), key=lambda d: d.deployment_id)
    for definition in catalog:
        files.update(definition.deployment.files)
        newest = definition.deployment_id
    return files, newest


def _draft(session: Session, actor: Actor, *, create: bool = True) -> DesignerDraft | None:
    draft = session.scalar(select(DesignerDraft).where(DesignerDraft.owner == actor.username))
    if draft is None and create:
        files, base = deployed_files(session)
        now = clock.now()
        draft = DesignerDraft(
            owner=actor.username, base_deployment_id=base, files=files, created_at=now, updated_at=now
        )
        session.add(draft)
        session.flush()
        audit.append(
            session,
            action="draft.opened",
            actor=actor.username,
            data={"base_deployment_id": base, "files": len(files)},
        )
    return draft


def check_file(name: str, text: str) -> None:
    """A file a draft may hold: a plain name of a known kind, within the size limit."""
    if not FILE_NAME.match(name or ""):
        raise FormInvalid(
            {"name": ["文件名只能包含字母、数字、下划线、点和短横线，并以 .bpmn、.dmn 或 .json 结尾"]}
        )
    problem = text_problem(text)  # NUL or a lone surrogate: no column stores it (issue 9)
    if problem is not None:
        raise FormInvalid({"text": [f"文件{problem}"]})
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FormInvalid({"text": [f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB"]})


def _bundle_bytes(files: dict[str, str]) -> int:
    return sum(len(text.encode("utf-8")) for text in files.values())


def open_draft(uow: Unit, *, actor: Actor) -> int:
    """The designer's draft id, made from the deployed bundle the first time."""
    _require_designer(actor)
    with transaction(uow) as session:
        return _draft(session, actor).id


def _store(session: Session, draft: DesignerDraft, files: dict[str, str], lock_version: int | None) -> int:
    if lock_version is not None and lock_version != draft.lock_version:
        raise Conflict("草稿已在其他窗口中修改，请刷新后再编辑")
    draft.files = files
    draft.updated_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("草稿已在其他窗口中修改，请刷新后再编辑") from None
    return draft.lock_version


def save_file(uow: Unit, name: str, text: str, *, actor: Actor, lock_version: int | None = None) -> int:
    """Save one file of the draft (autosave); returns the draft's new lock version."""
    _require_designer(actor)
    check_file(name, text)
    with transaction(uow) as session:
        draft = _draft(session, actor)
        if draft.files.get(name) == text:
            return draft.lock_version
        files = dict(draft.files)
        if name not in files and len(files) >= MAX_FILES:
            raise FormInvalid({"name": [f"草稿最多 {MAX_FILES} 个文件"]})
        files[name] = text
        if _bundle_bytes(files) > MAX_BUNDLE_BYTES:
            raise FormInvalid(
                {"text": [f"草稿的文件合计超过 {MAX_BUNDLE_BYTES // 1024 // 1024} MB，请先删除不用的文件"]}
            )
        version = _store(session, draft, files, lock_version)
        audit.append(
            session,
            action="draft.saved",
            actor=actor.username,
            data={"file": name, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
        return version


def delete_file(uow: Unit, name: str, *, actor: Actor) -> None:
    _require_designer(actor)
    with transaction(uow) as session:
        draft = _draft(session, actor)
        if name not in draft.files:
            return
        files = dict(draft.files)
        del files[name]
        _store(session, draft, files, None)
        audit.append(session, action="draft.file_deleted", actor=actor.username, data={"file": name})


def discard_draft(uow: Unit, *, actor: Actor) -> None:
    """Throw the draft's edits away: it starts again from what is deployed."""
    _require_designer(actor)
    with transaction(uow) as session:
        draft = _draft(session, actor)
        files, base = deployed_files(session)
        draft.base_deployment_id = base
        _store(session, draft, files, None)
        audit.append(
            session, action="draft.discarded", actor=actor.username, data={"base_deployment_id": base}
        )


# --- bundles as zip files ----------------------------------------------------------


def bundle_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def read_bundle_zip(data: bytes) -> dict[str, str]:
    """The files of an uploaded bundle; refuses folders, unknown kinds, bombs and oversize."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except zipfile.BadZipFile:
        raise FormInvalid({"bundle": ["不是有效的 zip 文件"]}) from None
    if len(entries) > MAX_FILES:
        raise FormInvalid({"bundle": [f"zip 中文件过多（最多 {MAX_FILES} 个）"]})
    if sum(e.file_size for e in entries) > MAX_BUNDLE_BYTES:
        raise FormInvalid({"bundle": [f"解压后超过 {MAX_BUNDLE_BYTES // 1024 // 1024} MB"]})
    files = {}
    for entry in entries:
        name = entry.filename.rsplit("/", 1)[-1]
        if not FILE_NAME.match(name):
            raise FormInvalid({"bundle": [f"不支持的文件：{entry.filename}"]})
        with archive.open(entry) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise FormInvalid({"bundle": [f"{name} 超过 {MAX_FILE_BYTES // 1024 // 1024} MB"]})
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FormInvalid({"bundle": [f"{name} 不是 UTF-8 文本"]}) from None
        check_file(name, text)
        files[name] = text
    if not files:
        raise FormInvalid({"bundle": ["zip 中没有 .bpmn、.dmn 或 .json 文件"]})
    if _bundle_bytes(files) > MAX_BUNDLE_BYTES:  # the sizes a zip declares may lie
        raise FormInvalid({"bundle": [f"解压后超过 {MAX_BUNDLE_BYTES // 1024 // 1024} MB"]})
    return files


def import_bundle(uow: Unit, data: bytes, *, actor: Actor) -> int:
    """Replace the draft's files by an uploaded zip (nothing is deployed); returns file count."""
    _require_designer(actor)
    files = read_bundle_zip(data)
    with transaction(uow) as session:
        draft = _draft(session, actor)
        _store(session, draft, files, None)
        audit.append(
            session,
            action="draft.imported",
            actor=actor.username,
            data={"files": sorted(files), "content_hash": specs.content_hash(files)},
        )
        return len(files)


# --- deploying ---------------------------------------------------------------------


def deploy_draft(uow: Unit, note: str, *, actor: Actor) -> specs.DeployResult:
    """Deploy the draft as new immutable versions; the change note (why) is required.

    Lint runs again here whatever the page showed: a draft never becomes a version with
    an error. New instances take the new versions; running ones keep theirs.
    """
    _require_designer(actor)
    note = (note or "").strip()
    if not note:
        raise FormInvalid({"note": ["请填写变更说明（为什么修改）"]})
    if len(note) > MAX_NOTE:
        raise FormInvalid({"note": [f"变更说明最多 {MAX_NOTE} 字"]})
    with transaction(uow) as session:
        draft = _draft(session, actor, create=False)
        if draft is None:
            raise DeployRejected([LocatedError("<draft>", None, "no draft to deploy")])
        result = specs.deploy(session, dict(draft.files), actor=actor.username, note=note)
        draft.base_deployment_id = result.deployment_id
        draft.updated_at = clock.now()
        session.flush()
        return result
