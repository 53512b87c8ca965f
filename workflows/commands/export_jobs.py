"""Long exports as background jobs (issue 12, item 7): asked for on a list page, written by a
worker thread with its progress in ``export_job``, downloaded by the user who asked.

``request_export`` records the job (and the audit event: who exported which list with which
filters). ``run_export`` writes the file: the caller hands it ``build(progress)``, the list's
workbook builder; ``progress(done)`` is saved at most every half second, each in its own short
transaction, so the page polling the job sees it move while the rows stream. A job that
failed says so; one whose worker died stays "running" until ``STALE_AFTER`` without progress,
then reads as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from .. import clock
from ..errors import NotFound
from ..policy import Actor
from ..store import Database, ExportJob, audit, transaction

STALE_AFTER = timedelta(minutes=10)
_SAVE_EVERY = 0.5  # seconds between saved progress figures


def request_export(
    target: Database, kind: str, params: dict, file_name: str, total: int, *, actor: Actor
) -> int:
    """A queued export of list ``kind`` (``params``: the page's filters and order) for ``actor``."""
    now = clock.now()
    with transaction(target) as session:
        job = ExportJob(
            owner=actor.username,
            kind=kind,
            params=params,
            file_name=file_name,
            status="queued",
            total=total,
            done=0,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        session.flush()
        audit.append(
            session,
            action="export.requested",
            actor=actor.username,
            data={"job": job.id, "kind": kind, "params": params, "rows": total},
        )
        job_id = job.id
    return job_id


def _update(db: Database, job_id: int, **values) -> None:
    with db.unit_of_work() as session:
        job = session.get(ExportJob, job_id)
        if job is None:
            raise NotFound(f"no export job {job_id}")
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = clock.now()
        session.commit()


def run_export(db: Database, job_id: int, build: Callable[[Callable[[int], None]], bytes]) -> None:
    """Write job ``job_id``'s file with ``build``; record its progress, then the file or the error."""
    _update(db, job_id, status="running")
    last = [0.0]

    def progress(done: int) -> None:
        if time.monotonic() - last[0] >= _SAVE_EVERY:
            last[0] = time.monotonic()
            _update(db, job_id, done=done)

    try:
        content = build(progress)
    except Exception as exc:  # noqa: BLE001  (the job records why; the page says it failed)
        _update(
            db, job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:500], finished_at=clock.now()
        )
        raise
    with db.unit_of_work() as session:
        job = session.get(ExportJob, job_id)
        job.status, job.content, job.done = "done", content, job.total
        job.updated_at = job.finished_at = clock.now()
        audit.append(
            session,
            action="export.written",
            actor=job.owner,
            data={"job": job.id, "kind": job.kind, "rows": job.total, "bytes": len(content)},
        )
        session.commit()
