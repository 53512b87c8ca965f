"""The designer's pages use the web layer's fixtures: an app with demo users, logged-in clients."""

from tests.server.conftest import api, app, client, db_of, web  # noqa: F401
