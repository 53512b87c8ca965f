"""Notices raised by BPMN (``notify``) become notification rows and mails, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows import commands, policy, timers
from workflows.errors import NotFound
from workflows.queries import notices
from workflows.store import AuditEvent, Notification, audit, outbox

from .conftest import T0, china, start_at


def _rows(db):
    with db.reading() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def _broken_notify_bundle(tmp_path, script):
    from .conftest import KINDS

    target = tmp_path / "bundle"
    target.mkdir()
    text = (KINDS / "deadline.bpmn").read_text(encoding="utf-8")
    old = 'notify = [{"task": "submit", "kind": "reminder", "message": "填报将于3天后截止"}]'
    assert old in text
    (target / "deadline.bpmn").write_text(text.replace(old, script), encoding="utf-8")
    (target / "kinds_submit.json").write_text((KINDS / "kinds_submit.json").read_text(encoding="utf-8"))
    return target


def test_a_notice_is_delivered_once_although_its_data_is_copied_forward(db, kinds, people):
    start_at(db, T0, "deadline", project_id=people.project_id)
    timers.run_due(db, china("2026-05-08T09:00:00+08:00"))
    timers.run_due(db, china("2026-05-12T09:00:00+08:00"))  # later saves see no old notify
    reminders = [(n.username, n.kind) for n in _rows(db) if n.kind == "reminder"]
    assert reminders == [("zhang.san", "reminder")]
    with db.reading() as s:
        instance, workflow = commands._persist.load_instance(s, 1)
        assert "notify" not in workflow.data
        assert all("notify" not in t.data for t in workflow.get_tasks())


def test_each_notice_is_in_the_audit_log_with_its_recipients(db, kinds, people):
    started = start_at(db, T0, "deadline", project_id=people.project_id)
    timers.run_due(db, china("2026-05-11T09:00:00+08:00"))
    with db.reading() as s:
        sent = [
            (e.data["to"], e.data["recipients"])
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "notification.sent", AuditEvent.instance_id == started.instance_id
                )
            )
        ]
    assert sent == [
        ({"task": "submit"}, ["zhang.san"]),
        ({"role": "unit_head"}, ["wang.wu"]),
        ({"role": "finance_reviewer"}, ["li.si"]),
    ]


def test_mail_leaves_only_after_the_commit(db, kinds, people, mails, monkeypatch):
    start_at(db, T0, "deadline", project_id=people.project_id)
    real_append = audit.append

    def fail_on_fired(session, **kwargs):
        if kwargs.get("action") == "timer.fired":
            raise RuntimeError("disk full")
        return real_append(session, **kwargs)

    monkeypatch.setattr(audit, "append", fail_on_fired)
    report = timers.run_due(db, china("2026-05-08T09:00:00+08:00"))
    assert len(report.incidents) == 1
    assert mails.sent == [] and _rows(db) == []


def test_a_malformed_notice_makes_the_timer_an_incident_not_a_lost_notice(db, deploy, people, tmp_path):
    deploy(_broken_notify_bundle(tmp_path, 'notify = [{"message": "给谁？"}]'))
    start_at(db, T0, "deadline", project_id=people.project_id)
    report = timers.run_due(db, china("2026-05-08T09:00:00+08:00"))
    assert report.fired == 0 and len(report.incidents) == 1
    assert _rows(db) == []


def test_a_notice_for_a_user_and_the_log_mailer(db, deploy, people, tmp_path):
    deploy(
        _broken_notify_bundle(tmp_path, 'notify = {"user": "li.si", "kind": "notice", "message": "请关注"}')
    )
    log = tmp_path / "mail.log"
    outbox.set_mailer(outbox.LogMailer(log))
    try:
        start_at(db, T0, "deadline", project_id=people.project_id)
        timers.run_due(db, china("2026-05-08T09:00:00+08:00"))
    finally:
        outbox.set_mailer(None)
    assert [(n.username, n.message) for n in _rows(db)] == [("li.si", "请关注")]
    assert '"to": "li@finance.example"' in log.read_text(encoding="utf-8")


def test_a_user_reads_only_their_own_notices(db, kinds, people):
    start_at(db, T0, "deadline", project_id=people.project_id)
    timers.run_due(db, T0 + timedelta(days=7))
    [notice] = _rows(db)
    with pytest.raises(NotFound):
        commands.mark_read(db, notice.id, actor=policy.Actor("li.si", frozenset({"finance_reviewer"})))
    commands.mark_read(db, notice.id, actor=people.submitter)
    with db.reading() as s:
        assert notices.for_user(s, "zhang.san", unread_only=True) == []
        assert [n.id for n in notices.for_user(s, "zhang.san")] == [notice.id]
