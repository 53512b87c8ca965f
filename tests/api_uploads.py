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


def waiting_task(client, code: str, spec: str) -> dict:
    """The one open task ``spec`` of project ``code`` waiting for the client (``/api/v1/tasks``):
    assigned to them (我的任务: a project's filer gets its report) or theirs to claim (待认领)."""
    for scope in ("mine", "claimable"):
        tasks = client.get(f"/api/v1/tasks?scope={scope}&q={code}").json["items"]
        found = [t for t in tasks if t["task_spec"] == spec]
        if found:
            [task] = found
            return task
    raise AssertionError(f"no {spec} of {code} waits for this client")


def complete_waiting(client, code: str, spec: str, data: dict) -> None:
    """Complete :func:`waiting_task` with ``data`` as a unit's client does: the files its form
    names (评估报告附件) uploaded first."""
    task_id = waiting_task(client, code, spec)["id"]
    upload_named_files(client, task_id, data)
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    assert response.status_code == 200, response.json
