"""Form fields that name an uploaded file (``"x-widget": "file"``): 评估报告附件 and the like.

The form file declares such a field; its value is the file name of an attachment uploaded to
the same process instance (the task page's 附件 box, or the API's upload). On completion a
name that was never uploaded there is refused beside the field, so a typed-in name cannot
stand for a report nobody filed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Attachment, HumanTask

FILE_WIDGET = "file"
NOT_UPLOADED = "请选择已上传的附件"


def file_fields(schema: dict | None) -> list[str]:
    """The form's fields that name an uploaded file, in form order."""
    properties = (schema or {}).get("properties") or {}
    return [
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and prop.get("x-widget") == FILE_WIDGET
    ]


def unknown_files(schema: dict | None, data: dict, uploaded: set[str]) -> dict[str, list[str]]:
    """``{field: [message]}`` for each file field whose value is not among ``uploaded`` file names;
    an empty field is left to the form's own ``required``."""
    return {
        name: [NOT_UPLOADED]
        for name in file_fields(schema)
        if data.get(name) not in (None, "") and data.get(name) not in uploaded
    }


def uploaded_names(session: Session, instance_id: int) -> set[str]:
    """The names of the files uploaded to the instance (on any of its tasks)."""
    return set(session.scalars(select(Attachment.filename).where(Attachment.instance_id == instance_id)))


def check(session: Session, schema: dict | None, data: dict, *, task: HumanTask) -> dict[str, list[str]]:
    """The file fields of ``data`` naming no file uploaded to ``task``'s instance (see :func:`unknown_files`)."""
    if not file_fields(schema):
        return {}
    return unknown_files(schema, data, uploaded_names(session, task.instance_id))


def chosen_after_upload(schema: dict | None, data: dict, filename: str) -> dict | None:
    """The form data with the just-uploaded file chosen, when the form has exactly one file
    field and it is still empty; None when nothing is to change."""
    names = file_fields(schema)
    if len(names) != 1 or data.get(names[0]) not in (None, ""):
        return None
    return {**data, names[0]: filename}
