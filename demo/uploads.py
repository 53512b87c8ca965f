"""The files the demo's people upload before naming them in a form (评估报告附件).

A form's file field (``"x-widget": "file"``) takes only the name of a file uploaded to the
instance, so whoever fills it uploads the report first, through the same command as the task
page's 附件 box (:func:`workflows.commands.store_attachment`), then names it.
"""

from __future__ import annotations

from pathlib import Path

from workflows import commands
from workflows.commands import attachment_fields
from workflows.policy import Actor
from workflows.queries import tasks as task_queries
from workflows.store import Database, HumanTask

# a one-page PDF standing in for the report a unit writes offline
REPORT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def named_files(schema: dict | None, data: dict) -> list[str]:
    """The file names ``data``'s file fields give, in form order."""
    return [data[name] for name in attachment_fields.file_fields(schema) if data.get(name)]


def upload_named_files(
    db: Database, task_id: str, data: dict, *, actor: Actor, directory: Path | None = None
) -> None:
    """Upload a stand-in file under each name the task's file fields give that the instance
    does not hold yet (a report sent back and written again keeps its upload)."""
    with db.reading() as session:
        task = session.get(HumanTask, task_id)
        names = named_files(task_queries.form_schema(session, task), data)
        held = attachment_fields.uploaded_names(session, task.instance_id) if names else set()
    for name in dict.fromkeys(names):
        if name not in held:
            commands.store_attachment(db, task_id, name, REPORT_PDF, actor=actor, directory=directory)
