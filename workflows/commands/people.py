"""Administration of people (role ``admin``): units, users, finance offices, the expert pool,
and passwords (an administrator's one-time password, the user's own at first sign-in).

Each command is one unit of work with its audit event; bad input raises
:class:`~workflows.errors.FormInvalid` per field and changes nothing.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, FormInvalid, NotFound
from ..policy import Actor
from ..store import BudgetUnit, Database, Expert, FinanceOffice, RoleGrant, User, audit, transaction
from . import accounts
from .accounts import ROLES, NewUser, _require_admin

Unit = Database | Session
MIN_PASSWORD_LENGTH = 8
REQUIRED = "此项为必填项"


def one_time_password() -> str:
    """A password an administrator hands over once; the user replaces it at first sign-in."""
    return secrets.token_urlsafe(9)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=accounts.password_method)


def _units_by_id(session: Session, unit_ids: Iterable[int], field: str) -> list[BudgetUnit]:
    ids = sorted(set(unit_ids))
    units = list(session.scalars(select(BudgetUnit).where(BudgetUnit.id.in_(ids)))) if ids else []
    if len(units) != len(ids):
        raise FormInvalid({field: ["预算单位不存在"]})
    return units


# --- units ---------------------------------------------------------------------------


def rename_unit(uow: Unit, unit_id: int, name: str, *, actor: Actor) -> None:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise FormInvalid({"name": [REQUIRED]})
    with transaction(uow) as session:
        unit = session.get(BudgetUnit, unit_id)
        if unit is None:
            raise NotFound(f"no unit {unit_id}")
        unit.name = name
        audit.append(
            session, action="unit.renamed", actor=actor.username, data={"unit": unit_id, "name": name}
        )


# --- finance offices (对口业务科室, DOMAIN R-RL-1) -------------------------------------


def save_office(
    uow: Unit, name: str, unit_ids: Sequence[int], *, actor: Actor, office_id: int | None = None
) -> int:
    """Create (or, given ``office_id``, change) a finance office and the units it reviews.

    A unit has one office: assigning it here takes it from the office that had it."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise FormInvalid({"name": [REQUIRED]})
    with transaction(uow) as session:
        same_name = session.scalar(select(FinanceOffice.id).where(FinanceOffice.name == name))
        if same_name is not None and same_name != office_id:
            raise FormInvalid({"name": [f"业务科室 {name} 已存在"]})
        if office_id is None:
            office = FinanceOffice(name=name)
            session.add(office)
            session.flush()
        else:
            office = session.get(FinanceOffice, office_id)
            if office is None:
                raise NotFound(f"no office {office_id}")
            office.name = name
        units = _units_by_id(session, unit_ids, "unit_ids")
        session.execute(
            update(BudgetUnit)
            .where(BudgetUnit.office_id == office.id, BudgetUnit.id.not_in([u.id for u in units]))
            .values(office_id=None)
        )
        moved = {u.code: u.office_id for u in units if u.office_id not in (None, office.id)}
        for unit in units:
            unit.office_id = office.id
        session.flush()
        audit.append(
            session,
            action="office.saved",
            actor=actor.username,
            data={"office": office.id, "name": name, "units": sorted(u.code for u in units), "moved": moved},
        )
        session.expire(office, ["units"])
        return office.id


def join_office(uow: Unit, username: str, office_name: str | None, *, actor: Actor) -> None:
    """Put a finance reviewer in an office (or none): they then review its units only (R-RL-1)."""
    _require_admin(actor)
    with transaction(uow) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username}")
        office_id = None
        if office_name:
            office_id = session.scalar(select(FinanceOffice.id).where(FinanceOffice.name == office_name))
            if office_id is None:
                raise FormInvalid({"office": ["业务科室不存在"]})
        user.office_id = office_id
        audit.append(
            session,
            action="user.office_set",
            actor=actor.username,
            data={"user": username, "office": office_name},
        )


# --- users -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UserChanges:
    display_name: str
    roles: tuple[str, ...]
    unit_code: str | None = None
    office_id: int | None = None
    email: str | None = None
    is_active: bool = True


def add_user(uow: Unit, new: NewUser, *, actor: Actor) -> tuple[int, str]:
    """An administrator adds a user with a one-time password; returns (id, that password)."""
    password = one_time_password()
    user_id = accounts.create_user(
        uow, dataclasses.replace(new, password=password, must_change_password=True), actor=actor
    )
    return user_id, password


def update_user(uow: Unit, user_id: int, changes: UserChanges, *, actor: Actor) -> None:
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    if not (changes.display_name or "").strip():
        errors["display_name"] = [REQUIRED]
    unknown = set(changes.roles) - ROLES
    if unknown:
        errors["roles"] = [f"未知角色 {', '.join(sorted(unknown))}"]
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        unit_id = None
        if changes.unit_code:
            unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == changes.unit_code))
            if unit_id is None:
                raise FormInvalid({"unit_code": ["预算单位不存在"]})
        if changes.office_id is not None and session.get(FinanceOffice, changes.office_id) is None:
            raise FormInvalid({"office_id": ["业务科室不存在"]})
        if user.username == actor.username and ("admin" not in changes.roles or not changes.is_active):
            raise FormInvalid({"roles": ["不能取消自己的管理员权限或停用自己"]})
        before = {"roles": sorted(user.roles), "unit": user.unit_id, "office": user.office_id}
        user.display_name = changes.display_name.strip()
        user.unit_id = unit_id
        user.office_id = changes.office_id
        user.email = changes.email or None
        user.is_active = changes.is_active
        kept = {g.role: g for g in user.grants}
        user.grants = [kept.get(r) or RoleGrant(role=r) for r in sorted(set(changes.roles))]
        session.flush()
        audit.append(
            session,
            action="user.updated",
            actor=actor.username,
            data={
                "user": user.username,
                "before": before,
                "roles": sorted(set(changes.roles)),
                "unit": unit_id,
                "office": changes.office_id,
                "active": changes.is_active,
            },
        )


def reset_password(uow: Unit, user_id: int, *, actor: Actor) -> str:
    """A new one-time password (the user sets their own at the next sign-in)."""
    _require_admin(actor)
    password = one_time_password()
    with transaction(uow) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        user.password_hash = _hash(password)
        user.must_change_password = True
        audit.append(
            session, action="user.password_reset", actor=actor.username, data={"user": user.username}
        )
    return password


def change_password(uow: Unit, username: str, current: str, new: str) -> None:
    """The user replaces their password (the one-time one at first sign-in, or their own)."""
    errors: dict[str, list[str]] = {}
    if len(new or "") < MIN_PASSWORD_LENGTH:
        errors["new_password"] = [f"新密码至少 {MIN_PASSWORD_LENGTH} 个字符"]
    elif new == current:
        errors["new_password"] = ["新密码不能与原密码相同"]
    with transaction(uow) as session:
        user = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
        if user is None or not check_password_hash(user.password_hash, current or ""):
            errors["password"] = ["原密码不正确"]
        if errors:
            raise FormInvalid(errors)
        user.password_hash = _hash(new)
        user.must_change_password = False
        audit.append(session, action="user.password_changed", actor=username, data={"user": username})


# --- the expert pool (专家库, DOMAIN R-EX-1) ---------------------------------------------


@dataclass(frozen=True)
class NewExpert:
    username: str
    display_name: str
    fields: tuple[str, ...]
    organisation: str = ""
    unit_code: str | None = None  # the unit the expert belongs to: never on its projects' panels
    email: str | None = None


def _expert_fields(fields: Iterable[str]) -> list[str]:
    cleaned = [f.strip() for f in fields if f and f.strip()]
    if not cleaned:
        raise FormInvalid({"fields": ["至少填写一个专业领域"]})
    return list(dict.fromkeys(cleaned))


def add_expert(uow: Unit, new: NewExpert, *, actor: Actor) -> tuple[int, str | None]:
    """Admit a person to the pool: an existing user gains the expert role, a new one is created
    with a one-time password. Returns (expert id, the one-time password or None)."""
    _require_admin(actor)
    fields = _expert_fields(new.fields)
    with transaction(uow) as session:
        unit_id = None
        if new.unit_code:
            unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == new.unit_code))
            if unit_id is None:
                raise FormInvalid({"unit_code": ["预算单位不存在"]})
        user = session.scalar(select(User).where(User.username == new.username))
        password = None
        if user is None:
            user_id, password = add_user(
                session,
                NewUser(new.username, new.display_name, "", ("expert",), email=new.email),
                actor=actor,
            )
            user = session.get(User, user_id)
        else:
            if session.scalar(select(Expert.id).where(Expert.user_id == user.id)) is not None:
                raise Conflict(f"{new.username} 已在专家库中")
            if "expert" not in user.roles:
                user.grants.append(RoleGrant(role="expert"))
        expert = Expert(
            user_id=user.id, fields=fields, organisation=(new.organisation or "").strip(), unit_id=unit_id
        )
        session.add(expert)
        session.flush()
        audit.append(
            session,
            action="expert.added",
            actor=actor.username,
            data={"expert": new.username, "fields": fields, "unit": new.unit_code},
        )
        return expert.id, password


def update_expert(
    uow: Unit,
    expert_id: int,
    *,
    fields: Sequence[str],
    organisation: str,
    unit_code: str | None,
    is_active: bool,
    actor: Actor,
) -> None:
    _require_admin(actor)
    cleaned = _expert_fields(fields)
    with transaction(uow) as session:
        expert = session.get(Expert, expert_id)
        if expert is None:
            raise NotFound(f"no expert {expert_id}")
        unit_id = None
        if unit_code:
            unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == unit_code))
            if unit_id is None:
                raise FormInvalid({"unit_code": ["预算单位不存在"]})
        expert.fields, expert.organisation = cleaned, (organisation or "").strip()
        expert.unit_id, expert.is_active = unit_id, is_active
        audit.append(
            session,
            action="expert.updated",
            actor=actor.username,
            data={"expert": expert.user.username, "fields": cleaned, "unit": unit_code, "active": is_active},
        )
