"""Drive ``make run-prod`` from outside: start it, look at its processes, run locust against
it, check exactly once afterwards (``jixiao audit verify`` / ``once``). People and work:
``bench/seeding.py``.

Used by ``bench/load.py`` (the load test) and ``tests/prod/`` (smoke and crash tests).
No locust import here (it patches the whole process with gevent): it runs as its own process.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Load@2026pass"  # every simulated person's own password, set after the one-time one
PANEL = 2  # experts a finance reviewer asks to be drawn (bench/people.py); the pool holds at least this many
FISCAL_YEAR = 2026


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jixiao(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a ``jixiao`` command against ``database_url``."""
    env = {**os.environ, "JIXIAO_DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "workflows.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=check,
    )


# --- make run-prod ------------------------------------------------------------------------


@dataclass
class RunProd:
    """``python -m server.production`` (what ``make run-prod`` runs) on its own port and instance dir."""

    database_url: str
    instance_dir: Path
    workers: int = 2
    scheduler_max_sleep: float = 1.0
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.instance_dir / "run-prod.log"

    def start(self, timeout: float = 90.0) -> RunProd:
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "JIXIAO_DATABASE_URL": self.database_url,
            "JIXIAO_INSTANCE_DIR": str(self.instance_dir),
            "JIXIAO_PORT": str(self.port),
            "JIXIAO_WORKERS": str(self.workers),
            "JIXIAO_SCHEDULER_MAX_SLEEP": str(self.scheduler_max_sleep),
            # every simulated person signs in from 127.0.0.1: the per-address limit would stop them
        }
        env.pop("JIXIAO_SECRET_KEY", None)  # the key file run-prod makes, shared by the workers
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.production"],
            env=env,
            cwd=REPO,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped as a group, never by name
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"run-prod exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok and self.scheduler_pid():
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"run-prod did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def scheduler_pid(self) -> int | None:
        """The scheduler process running now (the supervisor prints each one it starts)."""
        pids = [int(p) for p in re.findall(r"^scheduler pid (\d+)$", self.log(), re.M)]
        return pids[-1] if pids else None

    def gunicorn_pid(self) -> int | None:
        found = re.findall(r"^gunicorn pid (\d+)", self.log(), re.M)
        return int(found[-1]) if found else None

    def worker_pids(self) -> list[int]:
        master = self.gunicorn_pid()
        if master is None:
            return []
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def served_by(self) -> set[int]:
        """Worker pids that answered requests (the access log names each)."""
        return {int(p) for p in re.findall(r" pid=<(\d+)>$", self.log(), re.M)}

    def __enter__(self) -> RunProd:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def write_people(path: Path, people: list) -> None:
    """What the load's simulated people sign in as (bench/people.py reads it)."""
    path.write_text(
        json.dumps(
            [{"username": p.username, "kind": p.kind, "role": p.role} for p in people if p.kind != "office"]
        )
    )


# --- afterwards ---------------------------------------------------------------------------


def exactly_once_checks(database_url: str) -> dict[str, tuple[bool, str]]:
    """``jixiao audit verify`` and ``jixiao audit once`` (side by side): (passed, what it printed)."""
    with ThreadPoolExecutor(2) as pool:
        done = dict(
            zip(
                ("verify", "once"),
                pool.map(lambda name: jixiao(database_url, "audit", name, check=False), ("verify", "once")),
                strict=True,
            )
        )
    return {f"audit {name}": (d.returncode == 0, (d.stdout + d.stderr).strip()) for name, d in done.items()}


def once_counts(printed: str) -> tuple[int, int]:
    """(task completions, timer firings) from what ``jixiao audit once`` printed."""
    found = re.search(r"(\d+) task completion\(s\), (\d+) timer firing\(s\)", printed)
    return (int(found[1]), int(found[2])) if found else (0, 0)


# --- the load (locust, in its own process) ------------------------------------------------


def start_locust(server: RunProd, people: list, users: int, seconds: int, out: Path, *, spawn_rate=None):
    """``locust --headless`` with bench/people.py against ``server`` (returns the process)."""
    out.mkdir(parents=True, exist_ok=True)
    people_file = out / "people.json"
    write_people(people_file, people)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "JIXIAO_LOAD_PEOPLE": str(people_file),
        "JIXIAO_LOAD_PASSWORD": PASSWORD,
        "JIXIAO_LOAD_CONFLICTS": str(out / "conflicts.json"),
    }
    command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "people.py"), "--headless"]
    rate = spawn_rate or max(1, users // 30)  # sign-ins (scrypt) spread over ~30 s, as people arrive
    command += ["--users", str(users), "--spawn-rate", str(rate)]
    command += ["--run-time", f"{seconds}s", "--host", server.url, "--csv", str(out / "load")]
    command += ["--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"]
    return subprocess.Popen(
        command, env=env, cwd=REPO, stdout=(out / "locust.log").open("w"), stderr=subprocess.STDOUT
    )


@dataclass
class Action:
    name: str
    count: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


def load_summary(out: Path) -> tuple[list[Action], dict[str, int], list[str]]:
    """Per action (and the aggregate, last): counts and percentiles; conflicts; failures."""
    actions = []
    with (out / "load_stats.csv").open() as fh:
        for row in csv.DictReader(fh):
            actions.append(
                Action(
                    row["Name"],
                    int(row["Request Count"]),
                    int(row["Failure Count"]),
                    float(row["Requests/s"]),
                    float(row["50%"] if row["50%"] != "N/A" else 0),
                    float(row["95%"] if row["95%"] != "N/A" else 0),
                    float(row["99%"] if row["99%"] != "N/A" else 0),
                )
            )
    conflicts_file = out / "conflicts.json"
    conflicts = json.loads(conflicts_file.read_text()) if conflicts_file.exists() else {}
    failures = []
    failures_file = out / "load_failures.csv"
    if failures_file.exists():
        with failures_file.open() as fh:
            failures = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(fh)]
    return actions, conflicts, failures
