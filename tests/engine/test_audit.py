"""The audit log is a hash chain: intact chains verify; edits and deletions are detected."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from workflows import commands
from workflows.cli import main
from workflows.store import AuditEvent, audit


@pytest.fixture
def history(db, deploy, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter)
    commands.complete_task(db, started.next_tasks[0].id, {"project_name": "甲", "amount": 3}, actor=submitter)
    return started.instance_id


def _events(db, instance_id):
    with db.reading() as s:
        return s.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        ).all()


def test_audit_chain_verifies_when_untouched(db, history):
    with db.reading() as s:
        assert audit.verify(s) == []
    result = CliRunner().invoke(main, ["--database-url", db.url, "audit", "verify"])
    assert result.exit_code == 0, result.output


def test_audit_verify_detects_an_edited_row(db, history):
    target = _events(db, history)[2]
    with db.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor="someone.else"))
    with db.reading() as s:
        problems = audit.verify(s)
    assert any(f"event id {target.id}" in p and "altered" in p for p in problems)
    result = CliRunner().invoke(main, ["--database-url", db.url, "audit", "verify"])
    assert result.exit_code == 1


def test_audit_verify_detects_a_deleted_row_in_the_middle(db, history):
    target = _events(db, history)[1]
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == target.id))
    with db.reading() as s:
        assert any("missing" in p for p in audit.verify(s))


def test_audit_verify_detects_a_deleted_last_row(db, history):
    target = _events(db, history)[-1]
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == target.id))
    with db.reading() as s:
        assert any("deleted" in p for p in audit.verify(s))


def test_every_state_change_of_an_instance_is_in_its_audit_history(db, history):
    actions = [e.action for e in _events(db, history)]
    assert actions == ["instance.started", "task.created", "task.completed", "task.created"]


def test_audit_data_is_stored_as_it_reads_back_from_json():
    # what is hashed and stored is the JSON form of the data, whether copied directly or round-tripped
    import enum
    from datetime import date
    from decimal import Decimal

    from workflows.store.audit import _canonical, _json_copy

    class Level(enum.IntEnum):
        HIGH = 2

    samples = [
        {"b": 1, "a": [1, 2.5, None, True], "c": {"z": "张三", "y": (1, "x")}},
        {"amount": Decimal("1380.00"), "day": date(2027, 6, 10), "level": Level.HIGH},
        {1: "int key", 2: float("nan")},
        [{"scores": [90, 85.5]}, ("t", {"n": None})],
        "text",
        3,
    ]
    for data in samples:
        copied = _canonical(data)
        assert json.dumps(copied, sort_keys=True) == json.dumps(_json_copy(data), sort_keys=True)
    assert list(_canonical(samples[0])) == ["a", "b", "c"]  # keys in order, as stored
