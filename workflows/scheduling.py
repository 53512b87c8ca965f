"""One scheduler pass: fire every due timer, each instance in its own unit of work.

A failure in one instance becomes an incident on that instance and does not stop the
others. Firing is exactly-once by the instance's optimistic lock: a second scheduler
that fires the same instance concurrently gets a conflict and skips it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import clock, runtime, timers
from .db import Database
from .errors import Conflict, JixiaoError


@dataclass
class PassReport:
    fired: int = 0
    instances: int = 0
    conflicts: int = 0
    incidents: list[int] = field(default_factory=list)


def run_due(db: Database, as_of: datetime | None = None, batch: int = 500) -> PassReport:
    """Fire everything due at ``as_of`` (default: now)."""
    moment = as_of or clock.now()
    report = PassReport()
    skipped: set[int] = set()
    while True:
        with db.reading() as session:
            ids = [i for i in timers.due_instances(session, moment, batch + len(skipped)) if i not in skipped]
        if not ids:
            return report
        for instance_id in ids:
            actor = runtime.Actor.system("scheduler")
            try:
                fired = runtime.fire_due_timers(db, instance_id, now=moment, actor=actor)
            except Conflict:
                report.conflicts += 1
                skipped.add(instance_id)
                continue
            except (JixiaoError, Exception) as exc:  # one broken instance must not stop the rest
                report.incidents.append(
                    runtime.record_incident(
                        db, instance_id, "timer", f"{type(exc).__name__}: {exc}", actor=actor
                    )
                )
                skipped.add(instance_id)
                continue
            report.instances += 1
            report.fired += fired
            if fired == 0:
                skipped.add(instance_id)
