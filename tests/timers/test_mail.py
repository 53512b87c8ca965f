"""Notices leave as real mail: a local SMTP server (aiosmtpd) receives what the outbox sends."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from tests.timers.conftest import T0, china, start_at
from workflows import timers
from workflows.store import outbox

REMINDER = china("2026-05-08T09:00:00+08:00")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    outbox.set_mailer(outbox.SmtpMailer("127.0.0.1", controller.port, sender="jixiao@finance.example"))
    yield inbox
    outbox.set_mailer(None)
    controller.stop()


def _wait_for(inbox: Inbox, count: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_reminder_is_mailed_through_smtp_to_the_tasks_owner(db, kinds, people, smtp):
    start_at(db, T0, "deadline", project_id=people.project_id)
    assert timers.run_due(db, REMINDER).fired == 1
    _wait_for(smtp, 1)
    [(to, message)] = smtp.messages
    assert to == ["zhang@a.example"]
    assert message["From"] == "jixiao@finance.example"
    assert str(make_header(decode_header(message["Subject"]))).startswith("[绩效]")
    assert message.get_payload(decode=True).decode("utf-8").strip()


def test_nothing_is_mailed_when_the_transaction_rolls_back(db, kinds, people, smtp, monkeypatch):
    from workflows.store import audit

    start_at(db, T0, "deadline", project_id=people.project_id)
    real_append = audit.append

    def fail_on_fired(session, **kwargs):
        if kwargs.get("action") == "timer.fired":
            raise RuntimeError("disk full")
        return real_append(session, **kwargs)

    monkeypatch.setattr(audit, "append", fail_on_fired)
    timers.run_due(db, REMINDER)
    time.sleep(0.2)
    assert smtp.messages == []
