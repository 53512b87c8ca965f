"""schemathesis against /api/v1/openapi.json, bounded: no input ever gets a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 20


def test_no_input_gets_a_server_error(app):
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "zhou.perf", "password": "Jixiao@2026"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    calls = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case):
            response = case.call(headers=headers)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:200]))
            elif response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
                body = response.json()
                assert {"error", "message", "fields"} <= set(body), (case.method, case.formatted_path, body)

        exercise()
    assert failures == []
    assert len(calls) >= 5 * len(operations)
