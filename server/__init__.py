"""Jixiao's Flask application (DESIGN 6–8). Talks to ``workflows``, never to SpiffWorkflow."""

from __future__ import annotations

from flask import Flask, jsonify

from workflows import specs
from workflows.db import Database


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(JIXIAO_DATABASE_URL=None)
    if test_config:
        app.config.update(test_config)
    db = Database(app.config["JIXIAO_DATABASE_URL"])
    app.extensions["jixiao_db"] = db

    @app.get("/healthz")
    def healthz():
        with db.reading() as session:
            processes = [
                {"process_id": d.process_id, "version": d.version, "name": d.name}
                for d in specs.process_catalog(session)
            ]
        return jsonify(status="ok", processes=processes)

    return app
