"""One scheduler pass: fire every due timer, each instance in its own unit of work (DESIGN 5).

A pass lists due instances in batches (earliest first; instances parked by an open
timer incident are left out) and calls :func:`workflows.runtime.fire_due_timers` for
each. Exactly once:

- the firing transaction claims the instance's due rows first (``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, the write lock on SQLite), so two schedulers never fire the
  same timer; the loser claims nothing and moves on;
- the instance's optimistic lock (``lock_version``) still turns any other concurrent
  write (a user completing the task at the deadline) into a :class:`Conflict`: that
  instance is skipped and retried on the next pass;
- the fired rows disappear in the same commit that writes the ``timer.fired`` audit
  events; a crash before that commit leaves them due for the next pass.

A failure in one instance becomes a ``timer`` incident on that instance (visible to
administrators) and does not stop the others; its timers stay due but are not refired
while the incident is open. :func:`retry_incident` resolves it and fires again.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import OperationalError

from . import clock, runtime, timers
from .db import Database
from .errors import Conflict, InstanceNotFound

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    fired: int = 0
    instances: int = 0
    conflicts: int = 0
    incidents: list[int] = field(default_factory=list)


def _fire_one(db: Database, instance_id: int, moment: datetime | None, report: PassReport) -> PassReport:
    """Fire one instance, adding what happened to ``report`` (returned)."""
    actor = runtime.Actor.system("scheduler")
    try:
        fired = runtime.fire_due_timers(db, instance_id, now=moment, actor=actor)
    except (Conflict, OperationalError):
        # someone else wrote the instance (or the database refused a concurrent write):
        # nothing was committed; the rows are still due for the next pass
        report.conflicts += 1
        return report
    except InstanceNotFound:
        return report
    except Exception as exc:  # one broken instance must not stop the rest
        message = f"{type(exc).__name__}: {exc}"
        log.warning("timer incident on instance %s: %s", instance_id, message)
        report.incidents.append(
            runtime.record_incident(db, instance_id, timers.INCIDENT_KIND, message, actor=actor)
        )
        return report
    if fired:
        report.instances += 1
        report.fired += fired
    return report


def run_due(db: Database, as_of: datetime | None = None, batch: int = 500, workers: int = 1) -> PassReport:
    """Fire everything due at ``as_of`` (a catch-up, clock frozen per step) or now (real time).

    ``workers`` > 1 fires a batch's instances on that many threads (real time only: a
    catch-up freezes the process-wide clock, so it stays on one thread). Useful on
    PostgreSQL, where firing waits on the database; SQLite serializes writers anyway.
    """
    report = PassReport()
    tried: set[int] = set()
    threads = workers if as_of is None and workers > 1 else 1
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="jixiao-timer") if threads > 1 else None
    try:
        while True:
            moment = as_of or clock.now()
            with db.reading() as session:
                ids = [i for i in timers.due_instances(session, moment, batch + len(tried)) if i not in tried]
            if not ids:
                return report
            chunk = ids[:batch]
            tried.update(chunk)  # each instance once per pass: a pass always ends
            if pool is None:
                for instance_id in chunk:
                    _fire_one(db, instance_id, as_of, report)
            else:
                partial = list(pool.map(lambda i: _fire_one(db, i, None, PassReport()), chunk))
                for part in partial:
                    report.fired += part.fired
                    report.instances += part.instances
                    report.conflicts += part.conflicts
                    report.incidents.extend(part.incidents)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def retry_incident(
    db: Database, incident_id: int, *, actor: runtime.Actor, as_of: datetime | None = None
) -> PassReport:
    """Resolve a timer incident and fire the instance's due timers again (one more incident if it fails)."""
    from .store import Incident

    with db.reading() as session:
        incident = session.get(Incident, incident_id)
        instance_id = incident.instance_id if incident is not None else None
    runtime.resolve_incident(db, incident_id, actor=actor)
    report = PassReport()
    if instance_id is not None:
        _fire_one(db, instance_id, as_of, report)
    return report
