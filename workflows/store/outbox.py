"""Mail that leaves only after the transaction that wrote its notice commits (the outbox).

A command queues a :class:`Mail` on its session (:func:`queue`); the write sessions of
:class:`~workflows.store.database.Database` hand the queue to the mailer after commit and
drop it on rollback. Only those sessions are hooked, never every SQLAlchemy session of
the process. The mailer is an adapter: SMTP when ``JIXIAO_SMTP_HOST`` is set, else a log
file (``instance/mail.log``) in the embedded mode; a list in tests.
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from .. import clock
from ..config import settings

log = logging.getLogger(__name__)
_OUTBOX = "jixiao_outbox"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


class LogMailer:
    """The embedded mode's mailer: one JSON line per mail in a log file (instance/mail.log)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else settings().instance_dir / "mail.log"
        self._lock = threading.Lock()

    def send(self, mail: Mail) -> None:
        line = json.dumps(
            {"at": clock.now().isoformat(), "to": mail.to, "subject": mail.subject, "body": mail.body},
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


class SmtpMailer:
    """Mail through an SMTP server (``JIXIAO_SMTP_HOST`` and friends)."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "jixiao@localhost",
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class MemoryMailer:
    """Keeps mails in a list (tests)."""

    def __init__(self):
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


_mailer: Mailer | None = None


def mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        config = settings()
        if config.smtp_host:
            _mailer = SmtpMailer(
                config.smtp_host,
                config.smtp_port,
                config.mail_from,
                config.smtp_user,
                config.smtp_password,
                config.smtp_starttls,
            )
        else:
            _mailer = LogMailer()
    return _mailer


def set_mailer(new: Mailer | None) -> None:
    """Replace the mail adapter (``None``: back to the log file)."""
    global _mailer
    _mailer = new


def queue(session: Session, mail: Mail) -> None:
    """Send ``mail`` once this session's transaction commits."""
    session.info.setdefault(_OUTBOX, []).append(mail)


def send_after_commit(session: Session) -> None:
    for mail in session.info.pop(_OUTBOX, []):
        try:
            mailer().send(mail)
        except Exception:  # a mail server down must not undo a committed command
            log.exception("sending mail to %s failed", mail.to)


def mark(session: Session) -> int:
    """How much mail this transaction has queued so far, to go back to with :func:`rewind` when a
    savepoint is rolled back (the mail of the work before it stays)."""
    return len(session.info.get(_OUTBOX) or ())


def rewind(session: Session, marked: int) -> None:
    queued = session.info.get(_OUTBOX)
    if queued is not None:
        del queued[marked:]


def drop_after_rollback(session: Session) -> None:
    session.info.pop(_OUTBOX, None)
