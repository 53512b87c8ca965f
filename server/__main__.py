"""``python -m server``: serve Jixiao on 127.0.0.1:5000 with the timer scheduler running."""

from __future__ import annotations

from server import create_app
from workflows.config import settings


def main() -> None:
    app = create_app({"JIXIAO_START_SCHEDULER": True})
    host, port = settings().host, settings().port
    print(f"Jixiao 绩效: http://{host}:{port}/  (demo users in README.md)")
    app.run(host=host, port=port, debug=False, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
