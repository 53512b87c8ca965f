"""One person's program on ``/api/v1``: their own bearer token, their inbox, their tasks."""

from __future__ import annotations

from demo import uploads
from tests.api_uploads import upload_request
from tests.journeys.conftest import OWN_PASSWORD


class Caller:
    """One person's program on ``/api/v1``, with their own bearer token."""

    def __init__(self, app, username: str, one_time: str):
        self.http = app.test_client()
        self.username = username
        refused = self.http.post("/api/v1/auth/token", json={"username": username, "password": one_time})
        assert refused.status_code == 403, refused.text  # a one-time password first sets one's own
        changed = self.http.post(
            "/api/v1/auth/password",
            json={"username": username, "password": one_time, "new_password": OWN_PASSWORD},
        )
        assert changed.status_code == 204, changed.text
        self.sign_in()

    def sign_in(self) -> None:
        response = self.http.post(
            "/api/v1/auth/token", json={"username": self.username, "password": OWN_PASSWORD}
        )
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json['token']}"}

    def call(self, method: str, url: str, status: int = 200, **kw):
        response = self.http.open(url, method=method, headers=self.headers, **kw)
        if response.status_code == 401:  # a token lives 12 hours; months pass here
            self.sign_in()
            response = self.http.open(url, method=method, headers=self.headers, **kw)
        assert response.status_code == status, (
            f"{self.username} {method} {url}: {response.status_code} {response.text}"
        )
        return response.get_json() if response.data else None

    def waiting(self) -> list[tuple[str, str | None]]:
        """(task_spec, project_code) of what waits for this person: assigned, or theirs to claim."""
        rows = []
        for scope in ("mine", "claimable"):
            rows += self.call("GET", f"/api/v1/tasks?scope={scope}")["items"]
        return [(r["task_spec"], r["project_code"]) for r in rows]

    def task(self, code: str, spec: str) -> dict:
        """The open task ``spec`` of project ``code``, in detail (form schema, data, context)."""
        for scope in ("mine", "claimable"):
            for row in self.call("GET", f"/api/v1/tasks?scope={scope}")["items"]:
                if row["task_spec"] == spec and row["project_code"] == code:
                    return self.call("GET", f"/api/v1/tasks/{row['id']}")
        raise AssertionError(f"{self.username} has no {spec}: {self.waiting()}")

    def complete(self, code: str, spec: str, data: dict, *, claim: bool = False) -> list[str]:
        """Complete the task ``spec`` of project ``code`` (claiming it first); returns the next tasks' specs."""
        task = self.task(code, spec)
        if claim:
            self.call("POST", f"/api/v1/tasks/{task['id']}/claim", 204)
        # 评估报告附件: each file the form names is uploaded to the task first, then named
        for name in uploads.named_files(task.get("form_schema"), data):
            self.call("POST", f"/api/v1/tasks/{task['id']}/attachments", 201, **upload_request(name))
        done = self.call("POST", f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
        return sorted(t["task_spec"] for t in done["next_tasks"])

    def notices(self, unread: bool = True) -> list[dict]:
        return self.call("GET", f"/api/v1/notifications?unread={'true' if unread else 'false'}")
