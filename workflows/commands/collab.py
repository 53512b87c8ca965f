"""Working together on a task: comments, attachments, saved inbox filters.

Each is one unit of work with its audit event. The commands check that the actor may
read the task (:func:`workflows.policy.may_read_task`) themselves, so the CLI and the
pages get the same answer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from .. import clock
from ..config import settings
from ..engine.values import text_problem
from ..errors import Forbidden, FormInvalid, TaskAlreadyCompleted, TaskNotFound
from ..policy import Actor, may_read_task
from ..store import Attachment, Comment, Database, HumanTask, SavedFilter, audit, transaction

Unit = Database | Session

MAX_COMMENT = 4000
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def _readable_task(session: Session, task_id: str, actor: Actor) -> HumanTask:
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or not may_read_task(actor, task):
        raise TaskNotFound(f"no task {task_id}")
    return task


def add_comment(uow: Unit, task_id: str, body: str, *, actor: Actor) -> Comment:
    body = (body or "").strip()
    if not body:
        raise FormInvalid({"body": ["此项为必填项"]})
    if len(body) > MAX_COMMENT:
        raise FormInvalid({"body": [f"不能超过 {MAX_COMMENT} 个字符"]})
    if text_problem(body):  # NUL, a lone surrogate: no column stores it (issue 9)
        raise FormInvalid({"body": [text_problem(body)]})
    with transaction(uow) as session:
        task = _readable_task(session, task_id, actor)
        comment = Comment(
            project_id=task.project_id,
            instance_id=task.instance_id,
            task_id=task.id,
            author=actor.username,
            body=body,
            created_at=clock.now(),
        )
        session.add(comment)
        session.flush()
        audit.append(
            session,
            action="comment.added",
            actor=actor.username,
            instance_id=task.instance_id,
            task_id=task.id,
            data={"comment": comment.id, "body": body[:500]},
        )
        return comment


def attachment_path(row: Attachment, directory: Path | None = None) -> Path:
    root = directory or settings().attachments_dir
    return Path(root) / row.sha256[:2] / row.sha256


def store_attachment(
    uow: Unit,
    task_id: str,
    filename: str,
    content: bytes,
    *,
    actor: Actor,
    directory: Path | None = None,
    max_bytes: int | None = None,
) -> Attachment:
    """Keep an uploaded file by its SHA-256 outside the web root; type- and size-limited; only
    on an open task.

    The file is written before the row: a rollback leaves at most an unreferenced file
    (content-addressed, so a retry reuses it), never a row without its file.
    """
    filename = Path(filename or "").name[:255]
    suffix = Path(filename).suffix.lower()
    if not filename or suffix not in ALLOWED_UPLOADS:
        raise FormInvalid({"file": ["仅支持 PDF、Office 文档和图片"]})
    if len(content) == 0:
        raise FormInvalid({"file": ["文件为空"]})
    if len(content) > (max_bytes or settings().max_attachment_bytes):
        raise FormInvalid({"file": ["文件过大"]})
    with transaction(uow) as session:
        task = _readable_task(session, task_id, actor)
        if task.status != "open":  # a finished step's files are the ones it was decided on
            raise TaskAlreadyCompleted(
                "该任务已办结，不能再上传附件" if task.status == "completed" else "该任务已取消"
            )
        digest = hashlib.sha256(content).hexdigest()
        row = Attachment(
            project_id=task.project_id,
            instance_id=task.instance_id,
            task_id=task.id,
            filename=filename,
            content_type=ALLOWED_UPLOADS[suffix],
            size=len(content),
            sha256=digest,
            uploaded_by=actor.username,
            uploaded_at=clock.now(),
        )
        target = attachment_path(row, directory)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(content)
            tmp.replace(target)
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="attachment.uploaded",
            actor=actor.username,
            instance_id=task.instance_id,
            task_id=task.id,
            data={"attachment": row.id, "filename": filename, "sha256": digest, "size": len(content)},
        )
        return row


def save_filter(uow: Unit, name: str, params: dict, *, actor: Actor) -> SavedFilter:
    name = (name or "").strip()[:80]
    if not name:
        raise FormInvalid({"name": ["此项为必填项"]})
    with transaction(uow) as session:
        row = SavedFilter(username=actor.username, name=name, params=params, created_at=clock.now())
        session.add(row)
        session.flush()
        audit.append(
            session, action="filter.saved", actor=actor.username, data={"name": name, "params": params}
        )
        return row


def delete_filter(uow: Unit, filter_id: int, *, actor: Actor) -> None:
    with transaction(uow) as session:
        row = session.get(SavedFilter, filter_id)
        if row is None or row.username != actor.username:
            raise Forbidden("不能删除他人的筛选")
        session.delete(row)
        audit.append(session, action="filter.deleted", actor=actor.username, data={"name": row.name})
