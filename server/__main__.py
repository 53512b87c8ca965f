"""``python -m server``: serve Jixiao on 127.0.0.1:5000 (the embedded mode of ``make run``)."""

from __future__ import annotations

import os

from server import create_app


def main() -> None:
    app = create_app()
    host = os.environ.get("JIXIAO_HOST", "127.0.0.1")
    port = int(os.environ.get("JIXIAO_PORT", "5000"))
    app.run(host=host, port=port, debug=False, threaded=True)


if __name__ == "__main__":
    main()
