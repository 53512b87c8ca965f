"""People and access: budget units, user accounts with their roles, API tokens.

``jixiao demo load`` and the tests create units and users through these commands, as an
administrator's screen would; only a token's hash and a password's hash are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from .. import clock
from ..errors import Conflict, Forbidden, FormInvalid
from ..policy import Actor
from ..store import ApiToken, BudgetUnit, Database, FinanceOffice, RoleGrant, User, audit, transaction

Unit = Database | Session

TOKEN_LIFETIME = timedelta(hours=12)
ROLES = frozenset(
    {
        "unit_submitter",
        "unit_head",
        "finance_reviewer",
        "performance_office",
        "expert",
        "third_party",
        "leadership",
        "designer",
        "admin",
    }
)
# werkzeug's default (scrypt) in production; tests set a cheap method (tests/factories.py).
password_method = "scrypt"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden(f"{actor.username} may not manage accounts")


def create_unit(uow: Unit, code: str, name: str, *, actor: Actor) -> int:
    """预算单位 a budget unit; its code is unique."""
    _require_admin(actor)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise FormInvalid({k: ["此项为必填项"] for k, v in (("code", code), ("name", name)) if not v})
    with transaction(uow) as session:
        if session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == code)) is not None:
            raise Conflict(f"单位编码 {code} 已存在")
        unit = BudgetUnit(code=code, name=name)
        session.add(unit)
        session.flush()
        audit.append(
            session, action="unit.created", actor=actor.username, data={"unit": unit.id, "code": code}
        )
        return unit.id


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    roles: tuple[str, ...]
    unit_code: str | None = None
    email: str | None = None
    office: str | None = None  # a finance reviewer's office (对口业务科室, R-RL-1), by name
    # set by an administrator: a one-time password the user replaces at first sign-in
    must_change_password: bool = False


def create_user(uow: Unit, new: NewUser, *, actor: Actor) -> int:
    _require_admin(actor)
    unknown = set(new.roles) - ROLES
    if unknown:
        raise FormInvalid({"roles": [f"未知角色 {', '.join(sorted(unknown))}"]})
    with transaction(uow) as session:
        if session.scalar(select(User.id).where(User.username == new.username)) is not None:
            raise Conflict(f"用户名 {new.username} 已存在")
        unit_id = None
        if new.unit_code:
            unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == new.unit_code))
            if unit_id is None:
                raise FormInvalid({"unit_code": ["预算单位不存在"]})
        office_id = None
        if new.office:
            office_id = session.scalar(select(FinanceOffice.id).where(FinanceOffice.name == new.office))
            if office_id is None:
                raise FormInvalid({"office": ["业务科室不存在"]})
        user = User(
            username=new.username,
            display_name=new.display_name,
            password_hash=generate_password_hash(new.password, method=password_method),
            unit_id=unit_id,
            email=new.email,
            office_id=office_id,
            must_change_password=new.must_change_password,
        )
        user.grants = [RoleGrant(role=r) for r in new.roles]
        session.add(user)
        session.flush()
        audit.append(
            session,
            action="user.created",
            actor=actor.username,
            data={
                "user": new.username,
                "roles": sorted(new.roles),
                "unit": new.unit_code,
                "office": new.office,
            },
        )
        return user.id


def issue_token(uow: Unit, *, actor: Actor) -> tuple[str, datetime]:
    """A 12-hour bearer token for the API; returns (token, expires_at); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction(uow) as session:
        row = ApiToken(
            token_hash=token_digest(token),
            username=actor.username,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
        session.add(row)
        audit.append(session, action="api_token.issued", actor=actor.username, data={})
        return token, row.expires_at


def record_login(uow: Unit, *, actor: Actor, address: str | None) -> None:
    """A user signed in (the audit log keeps who, when and from where)."""
    with transaction(uow) as session:
        audit.append(session, action="user.logged_in", actor=actor.username, data={"ip": address})
