"""``make run-prod`` started for real (gunicorn workers + the scheduler process) on a fresh
database of the throwaway PostgreSQL cluster; driven from outside through ``bench/prodkit.py``."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES, PG_URL

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import prodkit  # noqa: E402
import seeding  # noqa: E402, F401  (for the tests: from .conftest import seeding)

pytestmark = [pytest.mark.prod, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def prod_database_url():
    """A database of its own (run-prod migrates and deploys it), dropped afterwards."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: run via make test-postgres")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"jixiao_prod_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def run_prod(prod_database_url, tmp_path_factory):
    """``python -m server.production`` with two workers and a 1 s scheduler poll."""
    server = prodkit.RunProd(prod_database_url, tmp_path_factory.mktemp("run-prod") / "instance", workers=2)
    with server:
        yield server
