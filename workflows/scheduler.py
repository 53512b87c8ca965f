"""The timer scheduler: an APScheduler job that sleeps until the earliest due timer.

Used inside the server process (``start_background``) and by ``jixiao scheduler``.
Each wake-up is one :func:`workflows.scheduling.run_due` pass; between passes the job
reschedules itself for the earliest due time, bounded by ``max_sleep`` as a fallback
poll (other processes may add timers we have not seen).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from . import clock, scheduling, timers
from .db import Database

log = logging.getLogger(__name__)

JOB_ID = "jixiao-timers"


class TimerScheduler:
    def __init__(self, db: Database, max_sleep: float = 5.0):
        self.db = db
        self.max_sleep = max_sleep
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._lock = threading.Lock()

    def start(self) -> TimerScheduler:
        self._scheduler.start()
        self._schedule(0)
        return self

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=True)

    def wake(self) -> None:
        """Run a pass now (e.g. after a command created a timer due soon)."""
        self._schedule(0)

    def _schedule(self, delay_seconds: float) -> None:
        # APScheduler runs on wall time; our clock may be set (tests, catch-up), so wait a delay.
        when = datetime.now(UTC) + timedelta(seconds=max(0.0, delay_seconds))
        self._scheduler.add_job(self._pass, "date", run_date=when, id=JOB_ID, replace_existing=True,
                                misfire_grace_time=None, coalesce=True)

    def _pass(self) -> None:
        with self._lock:
            try:
                report = scheduling.run_due(self.db)
                if report.fired or report.incidents:
                    log.info("timers: fired %s in %s instance(s), %s incident(s)", report.fired,
                             report.instances, len(report.incidents))
            except Exception:  # keep the scheduler alive whatever one pass does
                log.exception("timer pass failed")
            finally:
                with self.db.reading() as session:
                    due = timers.next_due(session)
                delay = self.max_sleep
                if due is not None:
                    delay = min(delay, (due - clock.now()).total_seconds())
                self._schedule(delay)


def start_background(db: Database, max_sleep: float = 5.0) -> TimerScheduler:
    return TimerScheduler(db, max_sleep).start()
