"""Fixtures for the timer tests: the fixture bundle, a unit with people, time helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from workflows import clock, commands, policy
from workflows.store import AuditEvent, Timer

HERE = Path(__file__).parent
KINDS = HERE / "fixtures" / "kinds"
REPO = HERE.parent.parent

# 2026-05-01 09:00 in China (+08:00): the moment most tests start their instances.
T0 = datetime.fromisoformat("2026-05-01T09:00:00+08:00")


def china(text: str) -> datetime:
    return clock.parse_moment(text)


@dataclass
class People:
    unit_id: int
    other_unit_id: int
    project_id: int
    submitter: policy.Actor


@pytest.fixture
def people(db) -> People:
    """Unit 甲 with a submitter and a head, unit 乙 with its own head, one finance reviewer.

    甲's project is created by its submitter while no review path (``project_lifecycle``,
    ``ex_ante_assessment``, ``target_review``) is deployed, so it has no process of its own:
    each test starts the processes it is about.
    """
    with db.unit_of_work() as uow:
        unit = factories.unit(uow, "U-A", "甲局")
        other = factories.unit(uow, "U-B", "乙局")
        submitter = factories.user(
            uow, "zhang.san", "unit_submitter", unit_code="U-A", email="zhang@a.example"
        )
        factories.user(uow, "wang.wu", "unit_head", unit_code="U-A", email="wang@a.example")
        factories.user(uow, "zhao.liu", "unit_head", unit_code="U-B", email="zhao@b.example")
        commands.save_office(uow, "经济建设科", [unit], actor=factories.ADMIN)  # R-RL-1: li.si reviews 甲局
        factories.user(uow, "li.si", "finance_reviewer", email="li@finance.example", office="经济建设科")
        created = factories.project(uow, "P-2026-001", actor=submitter, name="城区污水处理", amount="1261.22")
        assert created.instance_id is None, "a review path is deployed: the project started it"
        uow.commit()
    return People(unit, other, created.project_id, submitter)


@pytest.fixture
def kinds(deploy):
    """The fixture bundle with every timer kind (deadline, calendar, gateway, timer_start)."""
    return deploy(KINDS)


def timer_rows(db, instance_id=None) -> list[Timer]:
    with db.reading() as s:
        query = select(Timer).order_by(Timer.due_at)
        if instance_id is not None:
            query = query.where(Timer.instance_id == instance_id)
        return list(s.scalars(query))


def fired_events(db, instance_id=None) -> list[AuditEvent]:
    with db.reading() as s:
        query = select(AuditEvent).where(AuditEvent.action == "timer.fired").order_by(AuditEvent.id)
        if instance_id is not None:
            query = query.where(AuditEvent.instance_id == instance_id)
        return list(s.scalars(query))


def count_fired(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == "timer.fired"))


def start_at(db, moment, process_id, *, data=None, project_id=None, actor=None, business_key=None):
    with clock.frozen(moment):
        return commands.start(
            db,
            process_id,
            actor=actor or policy.Actor.system("test"),
            data=data,
            project_id=project_id,
            business_key=business_key,
        )


def days(n: float) -> timedelta:
    return timedelta(days=n)
