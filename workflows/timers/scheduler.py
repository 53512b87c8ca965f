"""The timer scheduler: an APScheduler job that sleeps until the earliest due timer (DESIGN 5).

Used inside the server process (:func:`start_background`) and by ``jixiao scheduler``
(:func:`run_forever`). Each wake-up is one :func:`workflows.timers.firing.run_due` pass in
real time; between passes the job reschedules itself for the earliest due time, bounded
by ``max_sleep`` as a fallback poll (other processes add timers we have not seen). Any
number of schedulers may run against one PostgreSQL database: row claims keep each
timer firing once.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from .. import clock
from ..store import Database
from . import firing, index

log = logging.getLogger(__name__)

JOB_ID = "jixiao-timers"
DEFAULT_MAX_SLEEP = 5.0
# After a pass that fired nothing although something looked due (another scheduler holds
# it, or a clock frozen by a test), wait at least this long instead of spinning.
IDLE_RETRY = 0.5


class TimerScheduler:
    def __init__(self, db: Database, max_sleep: float = DEFAULT_MAX_SLEEP, workers: int | None = None):
        self.db = db
        self.max_sleep = max_sleep
        # PostgreSQL: fire on two threads (firing waits on the database); SQLite: one writer anyway
        self.workers = workers if workers is not None else (1 if db.is_sqlite else 2)
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._lock = threading.Lock()
        self._stopping = False
        self.passes = 0
        self.fired = 0

    def start(self) -> TimerScheduler:
        self._scheduler.start()
        self._schedule(0)
        return self

    def shutdown(self, wait: bool = True) -> None:
        # APScheduler's shutdown holds its job-store lock while waiting for running jobs, and
        # our job reschedules itself (add_job takes that lock): stop rescheduling first, let
        # an in-flight pass finish, then shut down.
        self._stopping = True
        with self._lock:
            pass
        self._scheduler.shutdown(wait=wait)

    def wake(self) -> None:
        """Run a pass now (e.g. after a command created a timer due soon)."""
        if not self._stopping:
            self._schedule(0)

    def _schedule(self, delay_seconds: float) -> None:
        # APScheduler runs on wall time; our clock may be set (tests, catch-up), so wait a delay.
        when = datetime.now(UTC) + timedelta(seconds=max(0.0, delay_seconds))
        self._scheduler.add_job(
            self._pass,
            "date",
            run_date=when,
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def _pass(self) -> None:
        with self._lock:
            if self._stopping:
                return
            fired = 0
            try:
                report = firing.run_due(self.db, workers=self.workers)
                fired = report.fired
                self.passes += 1
                self.fired += fired
                if report.fired or report.incidents:
                    log.info(
                        "timers: fired %s in %s instance(s), %s incident(s), %s conflict(s)",
                        report.fired,
                        report.instances,
                        len(report.incidents),
                        report.conflicts,
                    )
            except Exception:  # keep the scheduler alive whatever one pass does
                log.exception("timer pass failed")
            finally:
                if not self._stopping:
                    self._schedule(self._next_delay(fired))

    def _next_delay(self, fired_last_pass: int) -> float:
        try:
            with self.db.reading() as session:
                due = index.next_due(session)
        except Exception:
            log.exception("reading the next due timer failed")
            return self.max_sleep
        if due is None:
            return self.max_sleep
        delay = (due - clock.now()).total_seconds()
        if delay <= 0 and not fired_last_pass:
            delay = IDLE_RETRY
        return min(self.max_sleep, max(0.0, delay))


def start_background(
    db: Database, max_sleep: float = DEFAULT_MAX_SLEEP, workers: int | None = None
) -> TimerScheduler:
    """Start the timer job in this process (the server calls this once at start-up)."""
    return TimerScheduler(db, max_sleep, workers).start()


def run_forever(
    db: Database,
    max_sleep: float = DEFAULT_MAX_SLEEP,
    stop: threading.Event | None = None,
    workers: int | None = None,
) -> None:
    """``jixiao scheduler``: run the timer job until SIGINT/SIGTERM (or ``stop`` is set)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    scheduler = start_background(db, max_sleep, workers)
    log.info("timer scheduler running (fallback poll every %ss)", max_sleep)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
