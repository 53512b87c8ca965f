"""The locustfile of ``bench/load.py``: unit staff, finance reviewers and experts at work.

Each simulated person signs in as one of the people ``bench/prodkit.py`` imported (the JSON
file named by ``JIXIAO_LOAD_PEOPLE``) and then, with a pause between clicks, lists their
inbox (mine / claimable), opens a task, claims and completes it with the form data a person
of that role enters (``demo.form_data``), comments, and — unit submitters — creates a
project now and then. Statistics are named by action: list, open, claim, complete, comment,
create project, login. A 409 (someone else claimed or completed it first, a deadline fired
meanwhile) or a 404 on a task from an earlier list (a colleague's claim took it out of
sight) is the product answering correctly: counted as stale, not an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import FastHttpUser, between, events, task
from prodkit import PANEL

from demo import form_data, uploads

PEOPLE = json.loads(Path(os.environ["JIXIAO_LOAD_PEOPLE"]).read_text())
PASSWORD = os.environ.get("JIXIAO_LOAD_PASSWORD", "Load@2026pass")
WAIT = tuple(float(x) for x in os.environ.get("JIXIAO_LOAD_WAIT", "1,4").split(","))
AMOUNT = 120.5
_turn = itertools.count()
conflicts: dict[str, int] = {}


def data_for(spec: str) -> dict | None:
    """What a person of the task's role enters; None: not a task this load completes."""
    if spec == "ea_write":
        return form_data.ex_ante_report("负荷测试项目", AMOUNT)
    if spec == "ea_head":
        return form_data.head_approval()
    if spec == "ea_finance_review":
        if random.random() < 0.5:  # a panel drawn from the pool: work for the experts
            return {**form_data.ex_ante_review(86.5, next_step="专家评审"), "experts_draw": PANEL}
        return form_data.ex_ante_review(86.5)
    if spec == "ea_expert_score":
        return form_data.ex_ante_expert_sheet(random.choice([82, 86.5, 90]))
    if spec == "ev_expert_score":
        return form_data.expert_sheet(random.choice([82, 86.5, 90]))
    if spec == "tg_set":
        return form_data.performance_targets("负荷测试项目")
    if spec == "tg_review":
        return form_data.targets_decision("通过")
    if spec == "submit_report":
        return {"executed_amount": 48.2, "deviation_reason": "按序时进度执行。"}
    if spec == "late_report":
        return {"executed_amount": 48.2, "late_reason": "材料收集延误，现补报。"}
    return None


class Person(FastHttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        me = PEOPLE[next(_turn) % len(PEOPLE)]
        self.username, self.kind, self.role = me["username"], me["kind"], me["role"]
        self.tasks_seen: list[dict] = []
        self.headers = {}
        with self.client.post(
            "/api/v1/auth/token",
            json={"username": self.username, "password": PASSWORD},
            name="login",
            catch_response=True,
        ) as answer:
            if answer.status_code == 201:
                self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}
            else:
                answer.failure(f"{answer.status_code}")

    def _call(self, method: str, path: str, name: str, ok=(200, 201, 204), **kwargs):
        """One request; 409, and 404 on a listed task, count as stale (the product refusing a stale action)."""
        with self.client.request(
            method, path, name=name, headers=self.headers, catch_response=True, **kwargs
        ) as answer:
            if answer.status_code in ok:
                answer.success()
                return answer
            if answer.status_code == 409 or (answer.status_code == 404 and "/tasks/" in path):
                conflicts[name] = conflicts.get(name, 0) + 1
                answer.success()
                return None
            answer.failure(f"{answer.status_code} {(answer.text or '')[:200]}")
            return None

    @task(6)
    def list_inbox(self):
        scope = "mine" if self.kind == "expert" else random.choice(["mine", "claimable", "claimable"])
        answer = self._call("GET", f"/api/v1/tasks?scope={scope}&per_page=20", "list")
        if answer is not None:
            self.tasks_seen = answer.json()["items"]

    @task(3)
    def open_task(self):
        if self.tasks_seen:
            self._call("GET", f"/api/v1/tasks/{random.choice(self.tasks_seen)['id']}", "open")

    @task(3)
    def work_on_a_task(self):
        workable = [t for t in self.tasks_seen if data_for(t["task_spec"]) is not None]
        if not workable:
            return
        item = random.choice(workable)
        self.tasks_seen.remove(item)
        if item.get("assignee") != self.username:
            if self._call("POST", f"/api/v1/tasks/{item['id']}/claim", "claim") is None:
                return
        data = data_for(item["task_spec"])
        detail = self._call("GET", f"/api/v1/tasks/{item['id']}", "open")
        # 评估报告附件: each file the form names is uploaded to the task first, then named
        for name in uploads.named_files(detail.json().get("form_schema") if detail else None, data):
            files = {"file": (name, uploads.REPORT_PDF, "application/pdf")}
            self._call("POST", f"/api/v1/tasks/{item['id']}/attachments", "upload", files=files)
        self._call("POST", f"/api/v1/tasks/{item['id']}/complete", "complete", json={"data": data})

    @task(1)
    def comment(self):
        if self.tasks_seen:
            item = random.choice(self.tasks_seen)
            self._call(
                "POST", f"/api/v1/tasks/{item['id']}/comments", "comment", json={"body": "请补充支出明细。"}
            )

    @task(1)
    def new_project(self):
        if self.role == "unit_submitter" and random.random() < 0.3:
            code = f"LD-{uuid.uuid4().hex[:10]}"
            self._call(
                "POST",
                "/api/v1/projects",
                "create project",
                json={"code": code, "name": f"负荷测试项目{code}", "fiscal_year": 2026, "amount": AMOUNT},
            )


@events.quitting.add_listener
def _write_conflicts(environment, **_kwargs):
    target = os.environ.get("JIXIAO_LOAD_CONFLICTS")
    if target:
        Path(target).write_text(json.dumps(conflicts))
