"""Configuration: every ``JIXIAO_*`` environment variable, read once into :class:`Settings`.

The app, the CLI and the scheduler all read :func:`settings`; nothing else looks at the
environment. Safe defaults are for the embedded mode: an SQLite file under ``instance/``.
Tests that change a variable call :func:`reload_settings` afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str  # empty: sqlite:///<instance_dir>/jixiao.db
    bpmn_dir: Path
    forms_dir: Path
    # CPU-time bound for one BPMN script (seconds); conditions are bounded by iteration budget.
    script_time_limit: float
    timezone: str
    host: str
    port: int
    secret_key: str | None  # None: the key kept in secret_key_file
    secret_key_file: Path  # made on first use in the embedded mode; production only reads it
    secure_cookies: bool
    # login limits (failed sign-ins in a sliding window): per account, per address, the window
    login_account_failures: int
    login_address_failures: int
    login_window_minutes: float
    proxies: int  # reverse proxies in front whose X-Forwarded-For is trusted (the address limit's key)
    attachments_dir: Path
    max_attachment_bytes: int
    # bad input (issue 9): a form's string without its own maxLength, and a request body
    max_text_length: int  # a single-line text field
    max_textarea_length: int  # a textarea (x-widget: textarea)
    max_body_bytes: int  # a JSON body or a page's form post (uploads have max_attachment_bytes)
    scheduler_max_sleep: float
    export_direct_rows: int  # a list this long downloads at once; longer: a background export
    smtp_host: str | None  # None: mail goes to instance/mail.log
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    workers: int  # gunicorn worker processes in production (``make run-prod``)
    bureau_name: str = "万载县财政局"  # who issues the annual reports (JIXIAO_BUREAU_NAME)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        def env(name: str, default: str) -> str:
            return environ.get(f"JIXIAO_{name}", default)

        instance_dir = Path(env("INSTANCE_DIR", str(PROJECT_ROOT / "instance")))
        return cls(
            instance_dir=instance_dir,
            database_url=env("DATABASE_URL", ""),
            bpmn_dir=Path(env("BPMN_DIR", str(PROJECT_ROOT / "bpmn"))),
            forms_dir=Path(env("FORMS_DIR", str(PROJECT_ROOT / "forms"))),
            script_time_limit=float(env("SCRIPT_TIME_LIMIT", "1.0")),
            timezone=env("TIMEZONE", "Asia/Shanghai"),
            host=env("HOST", "127.0.0.1"),
            port=int(env("PORT", "5000")),
            secret_key=env("SECRET_KEY", "") or None,
            secret_key_file=Path(env("SECRET_KEY_FILE", str(instance_dir / "secret_key"))),
            secure_cookies=env("SECURE_COOKIES", "0") == "1",
            login_account_failures=int(env("LOGIN_ACCOUNT_FAILURES", "5")),
            login_address_failures=int(env("LOGIN_ADDRESS_FAILURES", "50")),
            login_window_minutes=float(env("LOGIN_WINDOW_MINUTES", "15")),
            proxies=int(env("PROXIES", "0")),
            attachments_dir=Path(env("ATTACHMENTS_DIR", str(instance_dir / "attachments"))),
            max_attachment_bytes=int(env("MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))),
            max_text_length=int(env("MAX_TEXT_LENGTH", "2000")),
            max_textarea_length=int(env("MAX_TEXTAREA_LENGTH", "20000")),
            max_body_bytes=int(env("MAX_BODY_BYTES", str(6 * 1024 * 1024))),
            scheduler_max_sleep=float(env("SCHEDULER_MAX_SLEEP", "5.0")),
            export_direct_rows=int(env("EXPORT_DIRECT_ROWS", "2000")),
            smtp_host=env("SMTP_HOST", "") or None,
            smtp_port=int(env("SMTP_PORT", "25")),
            smtp_user=env("SMTP_USER", "") or None,
            smtp_password=env("SMTP_PASSWORD", "") or None,
            smtp_starttls=env("SMTP_STARTTLS", "0") == "1",
            mail_from=env("MAIL_FROM", "jixiao@localhost"),
            workers=int(env("WORKERS", "0")) or 2 * (os.cpu_count() or 1),
            bureau_name=env("BUREAU_NAME", "万载县财政局"),
        )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir / 'jixiao.db'}"


_settings: Settings | None = None


def settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_environ(os.environ)
    return _settings


def reload_settings() -> Settings:
    """Read the environment again (tests, and the CLI after ``--database-url``)."""
    global _settings
    _settings = None
    return settings()
