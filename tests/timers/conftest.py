"""Fixtures for the timer tests: the fixture bundle, a unit with people, time helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workflows import clock, commands, policy
from workflows.store import AuditEvent, BudgetUnit, FinanceOffice, Project, RoleGrant, Timer, User, outbox

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


def _user(session, username, unit_id, roles, email=None):
    user = User(
        username=username,
        display_name=username,
        password_hash="x",
        unit_id=unit_id,
        email=email,
        is_active=True,
    )
    user.grants = [RoleGrant(role=r) for r in roles]
    session.add(user)
    return user


@pytest.fixture
def people(db) -> People:
    """Unit 甲 with a submitter and a head, unit 乙 with its own head, one finance reviewer."""
    with db.unit_of_work() as s:
        unit = BudgetUnit(code="U-A", name="甲局")
        other = BudgetUnit(code="U-B", name="乙局")
        s.add_all([unit, other])
        s.flush()
        project = Project(
            code="P-2026-001",
            name="城区污水处理",
            unit_id=unit.id,
            fiscal_year=2026,
            amount=Decimal("1261.22"),
            created_at=clock.now(),
        )
        s.add(project)
        _user(s, "zhang.san", unit.id, ["unit_submitter"], "zhang@a.example")
        _user(s, "wang.wu", unit.id, ["unit_head"], "wang@a.example")
        _user(s, "zhao.liu", other.id, ["unit_head"], "zhao@b.example")
        office = FinanceOffice(name="经济建设科")  # R-RL-1: li.si's office reviews 甲局
        s.add(office)
        s.flush()
        unit.office_id = office.id
        _user(s, "li.si", None, ["finance_reviewer"], "li@finance.example").office_id = office.id
        s.flush()
        ids = (unit.id, other.id, project.id)
        s.commit()
    return People(ids[0], ids[1], ids[2], policy.Actor("zhang.san", frozenset({"unit_submitter"}), ids[0]))


@pytest.fixture
def kinds(deploy):
    """The fixture bundle with every timer kind (deadline, calendar, gateway, timer_start)."""
    return deploy(KINDS)


@pytest.fixture
def mails():
    box = outbox.MemoryMailer()
    outbox.set_mailer(box)
    yield box
    outbox.set_mailer(None)


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
