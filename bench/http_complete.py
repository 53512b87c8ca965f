"""HTTP complete on SQLite (issue 14): ``POST /api/v1/tasks/<id>/complete`` through Flask's test
client, the whole request (bearer token, schema, command, answer) on the 8-step process of
``bench/engine_overhead.py``. Prints p50 and p95; goal p50 < 5 ms.

    .venv/bin/python bench/http_complete.py [--requests 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_overhead import eight_step_bpmn, pct  # noqa: E402

from server import create_app  # noqa: E402
from workflows import commands  # noqa: E402
from workflows.commands.accounts import NewUser  # noqa: E402
from workflows.engine import specs  # noqa: E402
from workflows.policy import Actor  # noqa: E402
from workflows.store import Database  # noqa: E402

PASSWORD = "bench-password-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-http-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    db = Database(url)
    db.migrate()
    with db.unit_of_work() as session:
        specs.deploy(session, {"eight_steps.bpmn": eight_step_bpmn()}, actor="bench")
        session.commit()
    admin = Actor.system("bench")
    commands.create_unit(db, "B01", "测试单位", actor=admin)
    commands.create_user(
        db, NewUser("bench.user", "测试用户", PASSWORD, ("unit_submitter",), unit_code="B01"), actor=admin
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret",
            "JIXIAO_DATABASE_URL": url,
            "JIXIAO_ATTACHMENTS_DIR": str(tmp / "attachments"),
        }
    )
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench.user", "password": PASSWORD})
    assert token.status_code == 201, token.text
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    actor = Actor("bench.user", frozenset({"unit_submitter"}))
    task_ids = [
        commands.start(db, "eight_steps", actor=actor, data={"amount": 120}).next_tasks[0].id
        for _ in range(args.requests + 20)
    ]
    times = []
    for n, task_id in enumerate(task_ids):
        t0 = time.perf_counter()
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=headers)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.text
        if n >= 20:  # the first requests warm caches (spec, form, token, compiled statements)
            times.append(elapsed)
    print(f"http_complete_requests={len(times)}")
    print(
        f"http_complete_sqlite_ms p50={statistics.median(times):.2f} p95={pct(times, 0.95):.2f}  (goal p50 < 5 ms)"
    )


if __name__ == "__main__":
    main()
