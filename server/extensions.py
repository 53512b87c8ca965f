"""Flask extensions, created once and bound to the app in :func:`server.create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from workflows.store import Base

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Sign-in limits count failures per account and address in the database, shared by every
# worker (``commands.sign_in``): no per-process rate-limit store.

# Pages and API reads: ``db.session`` (one per request, closed at teardown), ``db.paginate``,
# ``db.get_or_404`` over the plain models of ``workflows.store``. ``model_class=Base`` shares
# Base's metadata and registry; the tables come from the Alembic migrations only, never from
# ``db.create_all()``. Nothing writes through ``db.session``: writes are commands, each in
# its own unit of work (``server.current.database()``).
db = SQLAlchemy(model_class=Base, session_options={"autoflush": False})
