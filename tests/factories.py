"""Small factories for tests: units, users and projects made through ``workflows.commands``.

The same front door the pages use (never rows written into tables), so a fixture cannot
build data the product itself could not: a project always comes with the process
``create_project`` starts for it. Each factory takes a ``Database`` or an open unit of
work, like the commands.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import commands
from workflows.policy import Actor
from workflows.store import Database, User, transaction

Unit = Database | Session

# Accounts are set up by an administrator; the system stands in for one.
ADMIN = Actor.system("factory")
PASSWORD = "Jixiao@2026"  # the browser and API tests type it
# werkzeug's cheapest method: the suite creates hundreds of accounts (tests/conftest.py sets it).
CHEAP_PASSWORD_METHOD = "pbkdf2:sha256:1"


def unit(uow: Unit, code: str = "U-T", name: str | None = None) -> int:
    """A budget unit (预算单位); returns its id."""
    return commands.create_unit(uow, code, name or f"测试单位{code}", actor=ADMIN)


def user(
    uow: Unit,
    username: str,
    *roles: str,
    unit_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    office: str | None = None,
) -> Actor:
    """An active account holding ``roles`` (in ``unit_code``, or ``office`` for a finance reviewer:
    R-RL-1); returns the actor it signs in as."""
    new = commands.NewUser(
        username, display_name or username, password, tuple(roles), unit_code, email, office=office
    )
    commands.create_user(uow, new, actor=ADMIN)
    with transaction(uow) as session:  # read back in the same unit of work
        return Actor.of(session.scalar(select(User).where(User.username == username)))


def project(
    uow: Unit,
    code: str,
    *,
    actor: Actor,
    name: str = "农村人居环境整治项目",
    fiscal_year: int = 2026,
    amount: float | str | Decimal = "362.00",
    unit_id: int | None = None,
    is_new: bool = True,
    is_major: bool = False,
    process_id: str | None = None,
    owner_name: str | None = "刘建国",
    **header,
) -> commands.Created:
    """A project created by ``actor`` as on the new-project page, with the review path it starts.

    ``header``: the rest of the 申报表 header (owner_phone, competent_department,
    implementing_unit, period_start, period_end, fiscal_funds, other_funds); what is left out
    is derived by the command as for the page.
    """
    new = commands.NewProject(
        code=code,
        name=name,
        fiscal_year=fiscal_year,
        amount=Decimal(str(amount)),
        unit_id=unit_id,
        is_new=is_new,
        is_major=is_major,
        process_id=process_id,
        owner_name=owner_name,
        **header,
    )
    return commands.create_project(uow, new, actor=actor)
