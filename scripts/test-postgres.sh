#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL cluster (pg_virtualenv creates it,
# exports PG* variables, and drops it afterwards). Arguments go to pytest.
# A free port is chosen so several runs (or a developer's own server) do not collide.
set -euo pipefail
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export JIXIAO_DATABASE_URL="postgresql+psycopg://"
exec pg_virtualenv -t -c "-p $port" sh -c ".venv/bin/pytest $*"
