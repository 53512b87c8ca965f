"""Uploading over ``/api/v1`` the files a form then names (评估报告附件), as an API client does."""

from __future__ import annotations

from io import BytesIO

from demo import uploads


def upload_request(filename: str) -> dict:
    """The multipart body of ``POST /api/v1/tasks/<id>/attachments`` carrying a stand-in PDF."""
    return {"data": {"file": (BytesIO(uploads.REPORT_PDF), filename)}, "content_type": "multipart/form-data"}


def upload_named_files(client, task_id: str, data: dict) -> None:
    """Upload each file the task's file fields name in ``data`` (``client``: get/post with its token)."""
    schema = client.get(f"/api/v1/tasks/{task_id}").json["form_schema"]
    for name in uploads.named_files(schema, data):
        response = client.post(f"/api/v1/tasks/{task_id}/attachments", **upload_request(name))
        assert response.status_code == 201, response.text
