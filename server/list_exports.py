"""Background exports of long lists (issue 12, item 7): start one, poll its progress, download it.

``POST /exports/<kind>`` (the page's export button, with the page's query string) records the
job through ``commands.request_export`` and writes the file in a worker thread
(``commands.run_export``); ``GET /exports/jobs/<id>`` answers its progress as JSON for
``static/list_export.js``; ``GET /exports/jobs/<id>/file`` downloads it. A job is its owner's
only: anyone else gets 404.
"""

from __future__ import annotations

import threading
from io import BytesIO
from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for
from flask_login import login_required

from workflows import clock
from workflows.commands import export_jobs
from workflows.config import settings
from workflows.queries import exports, list_exports
from workflows.store import ExportJob

from . import labels
from .auth import page_user
from .current import database

bp = Blueprint("list_exports", __name__)


def direct_rows() -> int:
    """A list this long or shorter downloads at once (``JIXIAO_EXPORT_DIRECT_ROWS``, 2,000; the
    app's config key of that name overrides it, as the tests do)."""
    return int(current_app.config.get("JIXIAO_EXPORT_DIRECT_ROWS") or settings().export_direct_rows)


def _names() -> dict:
    return {
        "stage": labels.stage_name,
        "fund": labels.fund_name,
        "role": labels.role_name,
        "action": labels.action_name,
        "process": labels.process_name,
        "person": labels.person_name,
    }


def _work(app, job_id: int, kind: list_exports.ListExport, actor, params: dict) -> None:
    with app.app_context():
        db = database()
        try:
            with db.reading() as session:
                export_jobs.run_export(
                    db, job_id, lambda progress: kind.build(session, actor, params, progress, _names())
                )
        except Exception:  # recorded on the job (failed); the log keeps the trace
            app.logger.exception("export job %s failed", job_id)


def _job(job_id: int) -> ExportJob:
    with database().reading() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.owner != page_user().username:
            abort(404)
        session.expunge(job)
        return job


def _status(job: ExportJob) -> dict:
    status = job.status
    if status in ("queued", "running") and clock.now() - job.updated_at > export_jobs.STALE_AFTER:
        status = "failed"  # its worker died (a restart): the page offers a new try
    percent = 100 if status == "done" else (min(99, job.done * 100 // job.total) if job.total else 0)
    return {
        "id": job.id,
        "status": status,
        "done": job.total if status == "done" else job.done,
        "total": job.total,
        "percent": percent,
        "file_name": job.file_name,
        "status_url": url_for("list_exports.status", job_id=job.id),
        "download_url": url_for("list_exports.download", job_id=job.id) if status == "done" else None,
    }


@bp.post("/exports/<kind>")
@login_required
def start(kind: str):
    found = list_exports.KINDS.get(kind)
    user = page_user()
    if found is None or not found.may(user.actor):
        abort(404)
    params = dict(parse_qsl(request.form.get("args", ""))[:40])
    with database().reading() as session:
        total = found.count(session, user.actor, params)
    job_id = export_jobs.request_export(
        database(), kind, params, found.file_name(params), total, actor=user.actor
    )
    app = current_app._get_current_object()  # noqa: SLF001  (the thread needs the app, not the proxy)
    threading.Thread(target=_work, args=(app, job_id, found, user.actor, params), daemon=True).start()
    return jsonify(_status(_job(job_id))), 202


@bp.get("/exports/jobs/<int:job_id>")
@login_required
def status(job_id: int):
    return jsonify(_status(_job(job_id)))


@bp.get("/exports/jobs/<int:job_id>/file")
@login_required
def download(job_id: int):
    with database().reading() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.owner != page_user().username or job.status != "done":
            abort(404)
        data, name = job.content, job.file_name
    return send_file(BytesIO(data), mimetype=exports.XLSX, as_attachment=True, download_name=name)


@bp.app_context_processor
def _export_limit():
    return {"export_direct_rows": direct_rows}
