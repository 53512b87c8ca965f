"""``make run-prod`` smoke test: one session key for every worker, the API through the
workers, the scheduler as its own process (issue 14, production mode).

One test on purpose: run-prod takes seconds to start, and xdist would start it once per
test of a module otherwise."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from demo import form_data, uploads

from .conftest import prodkit, seeding

pytestmark = [pytest.mark.prod, pytest.mark.postgres, pytest.mark.slow]


def _sign_in(base: str, username: str) -> requests.Session:
    """The login page as a browser uses it: CSRF token from the form, then a cookie session."""
    browser = requests.Session()
    page = browser.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    answer = browser.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": prodkit.PASSWORD},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def _inbox_served_by_every_worker(server: prodkit.RunProd) -> None:
    browser = _sign_in(server.url, "load.u002")
    with ThreadPoolExecutor(8) as pool:  # concurrent pages: the workers share them out
        answers = list(
            pool.map(lambda _: browser.get(f"{server.url}/inbox", allow_redirects=False), range(24))
        )
    assert [a.status_code for a in answers] == [200] * 24  # never sent back to the login page
    assert "负荷测试项目L001-01" in answers[0].text  # the unit's ex-ante report waits in its inbox
    inbox_pids = set(re.findall(r'"GET /inbox HTTP/1.1" 200 \d+ \d+ms pid=<(\d+)>', server.log()))
    assert len(inbox_pids) == 2, server.log()[-2000:]  # both workers read the one session cookie


def _project_created_and_first_task_completed_through_the_api(server: prodkit.RunProd) -> None:
    submitter = seeding.Api(server.url, "load.u003")
    project = seeding.create_project(submitter, "SMOKE-1", amount=88.0)
    assert project["instances"][0]["process_id"] == "project_lifecycle"
    # the project's filer finds its report in 我的任务, already theirs
    mine = submitter.call("GET", "/tasks?scope=mine&q=SMOKE-1")["items"]
    assert [(t["task_spec"], t["assignee"]) for t in mine] == [("ea_write", "load.u003")]
    task_id = mine[0]["id"]
    report = form_data.ex_ante_report("冒烟测试项目", 88.0)
    # 评估报告附件: the report uploaded to the task first, then named
    upload = {"file": (report["ea_report_attachment"], uploads.REPORT_PDF, "application/pdf")}
    submitter.call("POST", f"/tasks/{task_id}/attachments", files=upload)
    done = submitter.call("POST", f"/tasks/{task_id}/complete", json={"data": report})
    assert [t["task_spec"] for t in done["next_tasks"]] == ["ea_head"]
    again = submitter.http.post(f"{server.url}/api/v1/tasks/{task_id}/complete", json={"data": {}})
    assert again.status_code == 409  # whichever worker answers, the task is done once
    head = seeding.Api(server.url, "load.u001")
    assert "ea_head" in [
        t["task_spec"] for t in head.call("GET", "/tasks?scope=claimable&q=SMOKE-1")["items"]
    ]


def _deadline_fired_by_the_scheduler_process(server: prodkit.RunProd, started: dict) -> None:
    office = seeding.Api(server.url, "load.office")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        instance = office.call("GET", f"/instances/{started['id']}")
        if [t["task_spec"] for t in instance["open_tasks"]] == ["late_report"]:
            break
        time.sleep(0.5)
    assert [t["task_spec"] for t in instance["open_tasks"]] == ["late_report"]  # the deadline fired
    assert server.log().count("timer scheduler running") == 1  # one scheduler: none in the workers


def test_run_prod_serves_a_session_the_api_and_timers_across_its_processes(run_prod):
    seeded = seeding.seed(run_prod, 6, projects_per_unit=1)
    office = seeding.Api(run_prod.url, "load.office")
    started = seeding.start_deadline(office, seeded.projects[0], 4, "smoke-deadline")  # fires meanwhile

    _inbox_served_by_every_worker(run_prod)
    _project_created_and_first_task_completed_through_the_api(run_prod)
    _deadline_fired_by_the_scheduler_process(run_prod, started)

    checks = prodkit.exactly_once_checks(run_prod.database_url)
    assert checks["audit verify"][0] and checks["audit once"][0], checks
    assert prodkit.once_counts(checks["audit once"][1]) == (1, 2)  # ea_write; the reminder and the deadline
