"""Browser tests: Flask served on 127.0.0.1 (port 0) in a thread, Debian's Chromium via Playwright."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.server.conftest import app  # noqa: F401  (the same app fixture as the test-client tests)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_server(app):  # noqa: F811
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
