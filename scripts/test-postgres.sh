#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL cluster (pg_virtualenv creates it,
# exports PG* variables, and drops it afterwards). Arguments go to pytest.
set -euo pipefail
export JIXIAO_DATABASE_URL="postgresql+psycopg://"
exec pg_virtualenv -t sh -c ".venv/bin/pytest $*"
