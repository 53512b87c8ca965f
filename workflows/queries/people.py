"""People as the administration pages and the panel choice read them: units with their office,
users with roles and office, finance offices with their units, the expert pool."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..commands import panels
from ..errors import NotFound, TaskNotFound
from ..policy import Actor
from ..store import BudgetUnit, Expert, FinanceOffice, HumanTask, User
from . import paging
from .exports import Column, _new_workbook, _saved, _Sheet
from .paging import Order, Page, Sorts, ordered, page_of


def units(session: Session) -> list[BudgetUnit]:
    return list(session.scalars(select(BudgetUnit).order_by(BudgetUnit.code)))


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)).unique())


# the users list's sortable columns (issue 12, item 7)
USER_SORTS = Sorts(
    {
        "username": User.username,
        "name": User.display_name,
        "unit": select(BudgetUnit.code).where(BudgetUnit.id == User.unit_id).scalar_subquery(),
        "office": select(FinanceOffice.name).where(FinanceOffice.id == User.office_id).scalar_subquery(),
        "active": User.is_active,
    },
    default=Order("username"),
    tiebreak=(User.id,),
)


def users_page(session: Session, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    return page_of(session, select(User), USER_SORTS, order, page=page, per_page=per_page)


# the units and expert-pool tables' sortable columns
UNIT_SORTS = Sorts(
    {
        "code": BudgetUnit.code,
        "name": BudgetUnit.name,
        "office": select(FinanceOffice.name)
        .where(FinanceOffice.id == BudgetUnit.office_id)
        .scalar_subquery(),
    },
    default=Order("code"),
    tiebreak=(BudgetUnit.id,),
)
EXPERT_SORTS = Sorts(
    {
        "username": select(User.username).where(User.id == Expert.user_id).scalar_subquery(),
        "name": select(User.display_name).where(User.id == Expert.user_id).scalar_subquery(),
        "organisation": Expert.organisation,
        "unit": select(BudgetUnit.code).where(BudgetUnit.id == Expert.unit_id).scalar_subquery(),
        "active": Expert.is_active,
    },
    default=Order("username"),
    tiebreak=(Expert.id,),
)


def units_page(session: Session, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    return page_of(session, select(BudgetUnit), UNIT_SORTS, order, page=page, per_page=per_page)


def experts_page(session: Session, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    return page_of(session, select(Expert), EXPERT_SORTS, order, page=page, per_page=per_page)


def users_count(session: Session) -> int:
    return paging.count(session, select(User))


USER_COLUMNS = (
    Column("用户名", 18),
    Column("姓名", 12),
    Column("角色", 30),
    Column("预算单位", 28),
    Column("业务科室", 18),
    Column("状态", 10),
)


def users_workbook(session: Session, order: Order, names: Mapping, progress=None) -> bytes:
    """用户清单: the users list in its order, roles by their Chinese names (``names["role"]``)."""
    role_name = names.get("role", str)
    book = _new_workbook()
    sheet = _Sheet(book, "用户清单", "用户清单", USER_COLUMNS)
    query = ordered(select(User), USER_SORTS, order)  # thousands at most: no streaming needed
    for done, user in enumerate(session.scalars(query).unique(), start=1):
        sheet.row(
            [
                user.username,
                user.display_name,
                "、".join(str(role_name(r)) for r in sorted(user.roles)),
                user.unit.name if user.unit else None,
                user.office.name if user.office else None,
                ("启用" if user.is_active else "停用") + (" · 待设密码" if user.must_change_password else ""),
            ]
        )
        if progress is not None and done % 1000 == 0:
            progress(done)
    return _saved(book)


def offices(session: Session) -> list[FinanceOffice]:
    return list(session.scalars(select(FinanceOffice).order_by(FinanceOffice.name)))


def experts(session: Session) -> list[Expert]:
    return list(session.scalars(select(Expert).join(User, User.id == Expert.user_id).order_by(User.username)))


def one(session: Session, model, row_id: int):
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {model.__tablename__} {row_id}")
    return row


def unit_json(unit: BudgetUnit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "office_id": unit.office_id}


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "unit_code": user.unit.code if user.unit else None,
        "office_id": user.office_id,
        "office": user.office.name if user.office else None,
        "email": user.email,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
    }


def office_json(office: FinanceOffice) -> dict:
    return {
        "id": office.id,
        "name": office.name,
        "unit_ids": [u.id for u in office.units],
        "unit_codes": [u.code for u in office.units],
    }


def expert_json(expert: Expert) -> dict:
    return {
        "id": expert.id,
        "username": expert.user.username,
        "display_name": expert.user.display_name,
        "fields": list(expert.fields or []),
        "organisation": expert.organisation,
        "unit_code": expert.unit.code if expert.unit else None,
        "is_active": expert.is_active,
    }


def panel_choices(session: Session, project_unit_id: int | None) -> list[tuple[str, str]]:
    """(username, label) of the pool experts a panel for this unit's project may include (R-EX-1)."""
    return [
        (
            e.username,
            f"{e.display_name}（{'、'.join(e.fields)}{' · ' + e.organisation if e.organisation else ''}）",
        )
        for e in panels.eligible(session, project_unit_id)
    ]


def panel_task(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """An open expert task whose member the actor may replace; otherwise not found (R-EX-1)."""
    task = session.get(HumanTask, task_id) if task_id and len(task_id) <= 36 else None
    if task is None or not policy.may_manage_panel(actor, task):
        raise TaskNotFound(f"no open expert task {task_id}")
    return task
