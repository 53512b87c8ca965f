"""People and access: budget units, user accounts with their roles, API tokens, signing in.

``jixiao demo load`` and the tests create units and users through these commands, as an
administrator's screen would; only a token's hash and a password's hash are stored.
Every password check of someone not yet signed in goes through :func:`sign_in` and its
login limits.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..errors import Conflict, Forbidden, FormInvalid, SignInLocked
from ..policy import Actor
from ..store import (
    ApiToken,
    BudgetUnit,
    Database,
    FinanceOffice,
    LoginFailure,
    RoleGrant,
    User,
    audit,
    transaction,
)

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


# --- login limits -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    """Failed sign-ins allowed within a sliding window, per account and per address.

    Per account, a password guesser is stopped after a few tries whatever address they use;
    per address, generously, so a bureau behind one NAT address signing in at 9 a.m. never
    locks itself out, while one address trying many accounts is still stopped.
    """

    per_account: int = 5
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class _Lockout:
    scope: str  # "account" or "address"
    until: datetime  # when the bucket has room again: its limit-th newest failure leaves the window


def sign_in(
    db: Database, username: str, password: str, *, address: str | None, limits: LoginLimits
) -> User | None:
    """The account whose password this is, or None; :class:`SignInLocked` once the account or
    the address has used up its failures (checked before the password, so a locked account
    answers the same whether the password is right, wrong, or the account does not exist).

    One way in for the login page, ``POST /api/v1/auth/token`` and ``POST /api/v1/auth/password``,
    so they share one bucket. The attempt is written and committed *before* the password is
    checked, and deleted again if it was right: every worker counts the attempts in flight,
    so parallel guesses cannot all slip under the limit, and successes never count. A success
    clears the account's failures. Takes a :class:`Database`, not a caller's unit of work: the
    attempt must be visible to other workers before this one counts.
    """
    account = (username or "").strip().lower()[:80]
    address = (address or "")[:64] or None
    now = clock.now()
    with transaction(db) as session:
        attempt = LoginFailure(account=account, address=address, at=now)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    with db.reading() as session:
        lockouts = _lockouts(session, account, address, now, limits, attempt_id)
        if not lockouts:
            user = _password_owner(session, username, password)
    if lockouts:
        with transaction(db) as session:  # a refused attempt tested no password: it is no failure
            session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))
        raise SignInLocked(max(1, math.ceil(max((lock.until - now).total_seconds() for lock in lockouts))))
    with transaction(db) as session:
        if user is not None:
            session.execute(
                delete(LoginFailure).where(
                    (LoginFailure.id == attempt_id) | (LoginFailure.account == account)
                )
            )
        else:
            _audit_new_lockouts(session, account, address, now, limits)
        # nothing older than the window counts any more
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - limits.window))
    return user


def _lockouts(session: Session, account, address, now, limits: LoginLimits, attempt_id) -> list[_Lockout]:
    """The buckets already full without this attempt (counting others' attempts in flight)."""
    found = []
    buckets = [("account", LoginFailure.account == account, limits.per_account)]
    if address is not None:
        buckets.append(("address", LoginFailure.address == address, limits.per_address))
    others = [LoginFailure.id != attempt_id] if attempt_id is not None else []
    for scope, condition, limit in buckets:
        newest = session.scalars(
            select(LoginFailure.at)
            .where(condition, LoginFailure.at > now - limits.window, *others)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        ).all()
        if len(newest) >= limit:
            # free again when the limit-th newest failure leaves the window
            found.append(_Lockout(scope, newest[-1] + limits.window))
    return found


_DUMMY_HASH = None


def _password_owner(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, loaded for use after the session closes."""
    global _DUMMY_HASH
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        # as long as a real check, so the answer's timing does not tell a missing account either
        _DUMMY_HASH = _DUMMY_HASH or generate_password_hash("jixiao", method=password_method)
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    _ = user.grants, user.unit, user.office and user.office.units
    return user


def _audit_new_lockouts(session: Session, account, address, now, limits: LoginLimits) -> None:
    """This failure filled a bucket (it was not full before it, or the attempt had been refused):
    the lockout is an audited event. The failures themselves are not: a guessing attack would
    flood the audit chain, and their rows say which account and address."""
    for lock in _lockouts(session, account, address, now, limits, None):
        audit.append(
            session,
            action="login.locked",
            actor=account or "-",
            data={"scope": lock.scope, "account": account, "ip": address, "until": lock.until.isoformat()},
        )
