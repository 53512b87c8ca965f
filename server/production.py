"""``make run-prod`` (``python -m server.production``): Jixiao as a bureau runs it.

On PostgreSQL only (``JIXIAO_DATABASE_URL``). Before any worker starts, once: the session
key (``JIXIAO_SECRET_KEY``, else the key file, made here if missing), ``jixiao db upgrade``
and ``jixiao deploy`` of ``bpmn/``. Then two children, supervised:

- gunicorn serving :mod:`server.wsgi` with ``JIXIAO_WORKERS`` worker processes (default
  2 × cores); gunicorn respawns a worker that dies;
- ``jixiao scheduler``, the timer scheduler as its own process (the workers run none);
  restarted here when it dies (timers it had claimed stay due: firing is exactly once).

SIGTERM or SIGINT stops both. When gunicorn exits, the scheduler is stopped and this
process exits with gunicorn's code. Each child's pid is printed (``scheduler pid N``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from workflows.config import PROJECT_ROOT, settings

# remote address, request, status, bytes, milliseconds, worker pid (which worker served it)
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
SCHEDULER_RESTART_DELAY = 1.0  # seconds; doubled while it keeps dying young, up to the cap
SCHEDULER_RESTART_CAP = 30.0
STOP_TIMEOUT = 30.0


class NotConfigured(SystemExit):
    def __init__(self, message: str):
        super().__init__(f"make run-prod: {message}")


def database_url() -> str:
    """The PostgreSQL URL production runs on; a clear refusal otherwise."""
    url = settings().database_url
    if not url:
        raise NotConfigured(
            "JIXIAO_DATABASE_URL is required, e.g. "
            "JIXIAO_DATABASE_URL=postgresql+psycopg://jixiao:secret@localhost/jixiao make run-prod "
            "(make run serves the embedded SQLite mode)"
        )
    if make_url(url).get_backend_name() != "postgresql":
        raise NotConfigured(
            f"production runs on PostgreSQL; JIXIAO_DATABASE_URL is {make_url(url).get_backend_name()} "
            "(make run serves SQLite)"
        )
    return url


def ensure_secret_key() -> str:
    """Where the one session key every worker reads comes from (made once, here, if missing)."""
    from server import write_key_file

    config = settings()
    if config.secret_key:
        return "JIXIAO_SECRET_KEY"
    created = write_key_file(config.secret_key_file)
    return f"{config.secret_key_file}{' (created)' if created else ''}"


def jixiao(*args: str) -> list[str]:
    return [sys.executable, "-m", "workflows.cli", *args]


def prepare() -> None:
    """``jixiao db upgrade`` and ``jixiao deploy bpmn/`` once, in this process, before any
    worker starts (workers never migrate). A refused bundle stops here (exit 1)."""
    from workflows.cli import main as jixiao_main

    jixiao_main(["db", "upgrade"], standalone_mode=False)
    bpmn = settings().bpmn_dir
    if bpmn.is_dir():
        jixiao_main(["deploy", str(bpmn), "--note", "make run-prod"], standalone_mode=False)
    else:
        print(f"no {bpmn} folder: nothing to deploy", flush=True)


def gunicorn_command() -> list[str]:
    config = settings()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(config.workers),
        "--bind",
        f"{config.host}:{config.port}",
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        "--chdir",
        str(PROJECT_ROOT),
        "--no-control-socket",  # one per user otherwise: a second instance on the machine collides
    ]
    if Path("/dev/shm").is_dir():  # worker heartbeats off the disk
        command += ["--worker-tmp-dir", "/dev/shm"]
    return command + ["server.wsgi:app"]


def scheduler_command() -> list[str]:
    return jixiao("scheduler", "--max-sleep", str(settings().scheduler_max_sleep))


class Supervisor:
    """Runs gunicorn and the scheduler; restarts the scheduler; stops both on a signal."""

    def __init__(self):
        self.stopping = False
        self.gunicorn: subprocess.Popen | None = None
        self.scheduler: subprocess.Popen | None = None
        self.scheduler_started = 0.0
        self.restart_delay = SCHEDULER_RESTART_DELAY

    def start_scheduler(self) -> None:
        self.scheduler = subprocess.Popen(scheduler_command())
        self.scheduler_started = time.monotonic()
        print(f"scheduler pid {self.scheduler.pid}", flush=True)

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        self.start_scheduler()
        self.gunicorn = subprocess.Popen(gunicorn_command())
        print(f"gunicorn pid {self.gunicorn.pid} ({settings().workers} workers)", flush=True)
        try:
            while not self.stopping:
                code = self.gunicorn.poll()
                if code is not None:
                    print(f"gunicorn exited with {code}: stopping", flush=True)
                    return code
                if self.scheduler.poll() is not None:
                    self._restart_scheduler()
                time.sleep(0.2)
            return 0
        finally:
            self._shutdown()

    def _restart_scheduler(self) -> None:
        lived = time.monotonic() - self.scheduler_started
        self.restart_delay = (
            min(self.restart_delay * 2, SCHEDULER_RESTART_CAP) if lived < 10 else SCHEDULER_RESTART_DELAY
        )
        print(
            f"scheduler pid {self.scheduler.pid} exited with {self.scheduler.returncode}; "
            f"restarting in {self.restart_delay:g} s",
            flush=True,
        )
        deadline = time.monotonic() + self.restart_delay
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if not self.stopping:
            self.start_scheduler()

    def _stop(self, signum, _frame) -> None:
        self.stopping = True

    def _shutdown(self) -> None:
        children = [p for p in (self.gunicorn, self.scheduler) if p is not None and p.poll() is None]
        for child in children:
            child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def main() -> int:
    config = settings()
    url = database_url()
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    print(f"session key: {ensure_secret_key()}", flush=True)
    # sign-in limits count in the database (login_failure): every worker sees the same counts
    prepare()
    print(f"Jixiao 绩效 (production): http://{config.host}:{config.port}/", flush=True)
    return Supervisor().run()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
