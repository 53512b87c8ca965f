"""Production mode's start-up rules: one session key for every worker, PostgreSQL required."""

from __future__ import annotations

import pytest

from server import MissingSecretKey, create_app, production, write_key_file
from workflows.config import reload_settings


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean JIXIAO_* environment with its instance folder under tmp_path."""
    monkeypatch.delenv("JIXIAO_SECRET_KEY", raising=False)
    monkeypatch.delenv("JIXIAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("JIXIAO_INSTANCE_DIR", str(tmp_path / "instance"))

    def settings(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(f"JIXIAO_{name}", value)
        return reload_settings()

    yield settings
    monkeypatch.undo()
    reload_settings()


def _app(database_url, **config):
    return create_app({"JIXIAO_DATABASE_URL": database_url, **config})


def test_a_production_worker_without_a_key_refuses_to_start_rather_than_make_its_own(
    environment, database_url, tmp_path
):
    environment()
    with pytest.raises(MissingSecretKey, match="JIXIAO_SECRET_KEY"):
        _app(database_url, JIXIAO_PRODUCTION=True)
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_every_production_worker_signs_with_the_one_key_file(environment, database_url, tmp_path):
    environment()
    key_file = tmp_path / "instance" / "secret_key"
    assert write_key_file(key_file) is True
    assert write_key_file(key_file) is False  # a second maker keeps the first key
    keys = {_app(database_url, JIXIAO_PRODUCTION=True).secret_key for _ in range(2)}
    assert keys == {key_file.read_text().strip()}


def test_the_environment_key_wins_over_the_file(environment, database_url):
    environment(SECRET_KEY="from-the-environment")
    assert _app(database_url, JIXIAO_PRODUCTION=True).secret_key == "from-the-environment"


def test_the_embedded_mode_still_makes_its_key_file(environment, database_url, tmp_path):
    environment()
    app = _app(database_url)
    assert app.secret_key == (tmp_path / "instance" / "secret_key").read_text().strip()
    assert app.config["JIXIAO_START_SCHEDULER"] is False  # only python -m server starts one


def test_run_prod_needs_a_postgresql_url_and_says_so(environment):
    environment()
    with pytest.raises(SystemExit, match="JIXIAO_DATABASE_URL is required"):
        production.database_url()
    environment(DATABASE_URL="sqlite:///jixiao.db")
    with pytest.raises(SystemExit, match="runs on PostgreSQL"):
        production.database_url()
    environment(DATABASE_URL="postgresql+psycopg://jixiao@db/jixiao")
    assert production.database_url() == "postgresql+psycopg://jixiao@db/jixiao"


def test_workers_is_a_setting(environment):
    config = environment(WORKERS="3")
    assert config.workers == 3
    command = production.gunicorn_command()
    assert command[command.index("--workers") + 1] == "3" and command[-1] == "server.wsgi:app"
