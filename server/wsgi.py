"""The WSGI application gunicorn's workers serve (``make run-prod``; ``server.production``).

No timer scheduler here: it runs as its own process beside the workers (``jixiao
scheduler``), so N workers do not mean N schedulers. The session key must already exist
(``JIXIAO_SECRET_KEY`` or the key file): a worker never makes its own.
"""

from __future__ import annotations

from server import create_app

app = create_app({"JIXIAO_PRODUCTION": True, "JIXIAO_START_SCHEDULER": False})
