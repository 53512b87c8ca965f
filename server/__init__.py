"""Jixiao's Flask application (DESIGN 6–8). Talks to ``workflows``, never to SpiffWorkflow."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, request, send_from_directory, session
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from workflows.commands import LoginLimits
from workflows.commands.designer import MAX_BUNDLE_BYTES
from workflows.config import PROJECT_ROOT, settings
from workflows.engine import specs

from . import errors, formatting, jsonbody, labels, readable, step_words
from .current import init_database
from .extensions import babel, csrf, db, login_manager


class DatabaseId(IntegerConverter):
    """``<int:...>`` in URLs: ids a database column can hold; anything larger is simply 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


NODE_MODULES = PROJECT_ROOT / "node_modules"
# Only the prebuilt browser bundles are served, never the rest of node_modules.
VENDOR_DIRS = {
    "bpmn-js": NODE_MODULES / "bpmn-js" / "dist",
    "dmn-js": NODE_MODULES / "dmn-js" / "dist",
    "bpmn-js-properties-panel": NODE_MODULES / "bpmn-js-properties-panel" / "dist",
    "properties-panel": NODE_MODULES / "@bpmn-io" / "properties-panel" / "dist",
    "echarts": NODE_MODULES / "echarts" / "dist",
}


class MissingSecretKey(RuntimeError):
    """Production without a shared signing key: each worker would sign sessions differently."""


def _secret_key(create: bool) -> str:
    """``JIXIAO_SECRET_KEY``, else the key file (``JIXIAO_SECRET_KEY_FILE``).

    Sessions and CSRF tokens are signed cookies, so every process serving the app must use
    one key. The embedded mode makes the file on first use (``create``); production never
    does (a worker making its own key would sign what the others refuse): ``make run-prod``
    makes it once before any worker starts, or the key comes from the environment.
    """
    config = settings()
    if config.secret_key:
        return config.secret_key
    path = config.secret_key_file
    if not path.exists():
        if not create:
            raise MissingSecretKey(
                f"no session key: set JIXIAO_SECRET_KEY or create {path} (make run-prod does) "
                "so that every worker signs sessions with the same key"
            )
        write_key_file(path)
    return path.read_text().strip()


def write_key_file(path: Path) -> bool:
    """Create the key file unless it exists; atomic, so racing processes end with one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(secrets.token_hex(32))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # fails if another process made it first: theirs is kept
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _compile_translations(target: Path) -> Path:
    """Compile the English catalogue into the instance folder (no binary files in git)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source_root = Path(__file__).parent / "translations"
    for po in source_root.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(source_root).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as src:
                catalog = read_po(src)
            tmp = mo.with_suffix(f".{os.getpid()}.tmp")  # workers compiling at once
            with tmp.open("wb") as out:
                write_mo(out, catalog)
            tmp.replace(mo)
    return target


def _locale():
    chosen = session.get("lang") if request else None
    return chosen or "zh_CN"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.request_class = jsonbody.Request  # body limits by kind, strict JSON (issue 9)
    app.json = jsonbody.JSONProvider(app)
    app.url_map.converters["int"] = DatabaseId
    config = settings()
    instance_dir = config.instance_dir
    app.config.from_mapping(
        JIXIAO_DATABASE_URL=None,
        JIXIAO_ATTACHMENTS_DIR=str(config.attachments_dir),
        JIXIAO_MAX_ATTACHMENT_BYTES=config.max_attachment_bytes,
        JIXIAO_LOGIN_LIMITS=LoginLimits(
            per_account=config.login_account_failures,
            per_address=config.login_address_failures,
            window=timedelta(minutes=config.login_window_minutes),
        ),
        JIXIAO_START_SCHEDULER=False,
        # an upload (attachment or designer bundle) with room for the multipart framing;
        # any other body is held to JIXIAO_MAX_BODY_BYTES (server/jsonbody.py)
        MAX_CONTENT_LENGTH=max(config.max_attachment_bytes, MAX_BUNDLE_BYTES) + 1024 * 1024,
        JIXIAO_MAX_BODY_BYTES=config.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=config.max_body_bytes,
        JIXIAO_PRODUCTION=False,  # server/wsgi.py: gunicorn workers (make run-prod)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        API_TITLE="Jixiao 绩效 API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearerAuth": []}],
        },
    )
    if config.proxies:  # behind a reverse proxy: the client's address (the login limit's key) from it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxies, x_proto=config.proxies)
    if config.secure_cookies:  # behind HTTPS in production
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(create=not app.config["JIXIAO_PRODUCTION"])
    translations = _compile_translations(
        Path(app.config.get("JIXIAO_TRANSLATIONS_DIR") or instance_dir / "translations")
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)

    database = init_database(app)

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=_locale)
    api = Api(app)
    app.extensions["jixiao_api"] = api
    api.register_converter(
        DatabaseId, lambda converter: {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    )
    errors.register(app)
    formatting.register(app)
    labels.register(app)
    readable.register(app)
    step_words.register(app)

    from . import (
        admin,
        admin_api,
        assessment,
        assessment_api,
        audit_log,
        auth,
        designer,
        designer_trial,
        inbox,
        list_exports,
        listing,
        notices,
        ops,
        poverty_api,  # R-AS-2
        projects,
        public,
        reports,
        tasks,
        third_party,
        third_party_api,
    )
    from . import api as api_views
    from . import poverty as poverty_pages  # R-AS-2
    from . import score_table_api as score_table_api  # R-EV-3, R-EV-7
    from . import years as year_pages
    from . import years_api as year_api
    from .score_table import bp as score_table_bp
    from .selection import bp as selection_pages
    from .selection_api import exempt_blueprints as selection_api_exempt
    from .selection_api import register as register_selection_api

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(projects.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(designer.bp)
    app.register_blueprint(designer_trial.bp)  # 试运行
    app.register_blueprint(reports.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.panels_bp)
    app.register_blueprint(year_pages.bp)
    app.register_blueprint(assessment.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(third_party.bp)
    app.register_blueprint(selection_pages)
    app.register_blueprint(score_table_bp)  # R-EV-3, R-EV-7
    app.register_blueprint(list_exports.bp)  # issue 12 item 7: long exports in the background
    listing.init_app(app)
    app.register_blueprint(poverty_pages.bp)  # R-AS-2
    app.register_blueprint(audit_log.bp)  # 审计日志
    score_table_api.register(api)
    csrf.exempt(score_table_api.exempt_blueprints())
    api_views.register(api)
    admin_api.register(api)
    year_api.register(api)
    assessment_api.register(api)
    third_party_api.register(api)
    register_selection_api(api)
    poverty_api.register(api)
    csrf.exempt(poverty_api.exempt_blueprints())
    csrf.exempt(api_views.exempt_blueprints())
    csrf.exempt(admin_api.exempt_blueprints())
    csrf.exempt(year_api.exempt_blueprints())
    csrf.exempt(assessment_api.exempt_blueprints())
    csrf.exempt(third_party_api.exempt_blueprints())
    csrf.exempt(selection_api_exempt())
    from . import annual

    annual.register(app, api)
    csrf.exempt(annual.blp)

    @app.get("/healthz")
    def healthz():
        processes = [
            {"process_id": d.process_id, "version": d.version, "name": d.name}
            for d in specs.process_catalog(db.session)
        ]
        return jsonify(status="ok", processes=processes)

    @app.get("/favicon.ico")
    def favicon():
        # what a browser asks for on its own; pages name the same icon in base.html
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)

    @app.get("/vendor/<package>/<path:filename>")
    def vendor(package: str, filename: str):
        root = VENDOR_DIRS.get(package)
        if root is None or not root.is_dir():
            return errors.error_response(404, "not_found", "未找到")
        return send_from_directory(root, filename, max_age=86400)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    if app.config["JIXIAO_START_SCHEDULER"]:
        from workflows.timers.scheduler import start_background

        app.extensions["jixiao_scheduler"] = start_background(database, max_sleep=config.scheduler_max_sleep)
    return app
