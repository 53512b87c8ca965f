"""The third-party pool as its pages read it (DOMAIN R-TP-1..3): institutions with their
status and latest rating, one institution's engagements, rating history and staff."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..commands.third_party import RATING_PROCESS, may_manage_pool, members_query
from ..errors import NotFound
from ..policy import Actor
from ..store import ProcessInstance, Project, User
from ..store.third_party import (
    ThirdPartyEngagement,
    ThirdPartyInstitution,
    ThirdPartyMember,
    ThirdPartyRating,
)
from .exports import WAN, Column, _new_workbook, _saved, _Sheet
from .paging import Order, Page, Sorts, ordered, page_of


def institution_of(session: Session, username: str) -> int | None:
    """The institution a ``third_party`` user works for, if any."""
    return session.scalar(
        select(ThirdPartyMember.institution_id)
        .join(User, User.id == ThirdPartyMember.user_id)
        .where(User.username == username)
    )


def may_read_institution(session: Session, actor: Actor, institution_id: int) -> bool:
    """The performance office reads the whole pool; a firm's staff their own institution."""
    if may_manage_pool(actor) or actor.roles & {"leadership"}:
        return True
    return "third_party" in actor.roles and institution_of(session, actor.username) == institution_id


_ENGAGED = (
    select(
        ThirdPartyEngagement.institution_id,
        func.count().label("n"),
        func.sum(ThirdPartyEngagement.fee).label("fees"),
    )
    .group_by(ThirdPartyEngagement.institution_id)
    .subquery("engaged")
)
# the pool list's sortable columns (issue 12, item 7)
POOL_SORTS = Sorts(
    {
        "name": ThirdPartyInstitution.name,
        "credit_code": ThirdPartyInstitution.credit_code,
        "status": ThirdPartyInstitution.status,
        "engagements": func.coalesce(_ENGAGED.c.n, 0),
        "fees": func.coalesce(_ENGAGED.c.fees, 0),
    },
    default=Order("name"),
    tiebreak=(ThirdPartyInstitution.id,),
)


def _pool_query():
    return select(ThirdPartyInstitution, _ENGAGED.c.n, _ENGAGED.c.fees).outerjoin(
        _ENGAGED, _ENGAGED.c.institution_id == ThirdPartyInstitution.id
    )


def _rows(session: Session, rows) -> list[dict]:
    ids = [institution.id for institution, _n, _fees in rows]
    latest = {
        r.institution_id: r
        for r in session.scalars(
            select(ThirdPartyRating)
            .where(ThirdPartyRating.institution_id.in_(ids))
            .order_by(ThirdPartyRating.year)
        )
    }
    return [
        {
            "institution": institution,
            "engagements": n or 0,
            "fees": fees or 0,
            "latest_rating": latest.get(institution.id),
        }
        for institution, n, fees in rows
    ]


def institutions(session: Session, order: Order | None = None) -> list[dict]:
    """Every institution with its engagement count and latest rating, by name (or ``order``)."""
    return _rows(
        session, session.execute(ordered(_pool_query(), POOL_SORTS, order or POOL_SORTS.default)).all()
    )


def institutions_page(session: Session, order: Order, *, page: int = 1, per_page: int = 50) -> Page:
    """One page of the pool in ``order``, each row as :func:`institutions` gives it."""
    found = page_of(session, _pool_query(), POOL_SORTS, order, page=page, per_page=per_page, scalars=False)
    found.items = _rows(session, found.items)
    return found


POOL_COLUMNS = (
    Column("机构名称", 34),
    Column("统一社会信用代码", 22),
    Column("状态", 10),
    Column("委托项目", 10, "0"),
    Column("委托费用（万元）", 16, WAN),
    Column("最近评级", 14),
)


def pool_workbook(session: Session, order: Order, progress=None) -> bytes:
    """第三方机构库 in the order shown, one row an institution."""
    book = _new_workbook()
    sheet = _Sheet(book, "第三方机构库", "第三方机构库", POOL_COLUMNS)
    for done, row in enumerate(institutions(session, order), start=1):
        i, rating = row["institution"], row["latest_rating"]
        sheet.row(
            [
                i.name,
                i.credit_code,
                i.status,
                row["engagements"],
                float(row["fees"] or 0),
                f"{rating.year}年 {rating.grade}" if rating else None,
            ]
        )
        if progress is not None and done % 1000 == 0:
            progress(done)
    return _saved(book)


def institution(session: Session, institution_id: int) -> dict:
    """One institution's page: engagements (newest first), rating history, staff."""
    row = session.get(ThirdPartyInstitution, institution_id)
    if row is None:
        raise NotFound(f"第三方机构 {institution_id} 不存在")
    engagements = list(
        session.scalars(
            select(ThirdPartyEngagement)
            .where(ThirdPartyEngagement.institution_id == institution_id)
            .order_by(ThirdPartyEngagement.engaged_on.desc(), ThirdPartyEngagement.id.desc())
        )
    )
    ratings = list(
        session.scalars(
            select(ThirdPartyRating)
            .where(ThirdPartyRating.institution_id == institution_id)
            .order_by(ThirdPartyRating.year.desc())
        )
    )
    members = list(session.scalars(members_query(institution_id).order_by(User.username)).unique())
    return {"institution": row, "engagements": engagements, "ratings": ratings, "members": members}


def rating_rounds(session: Session) -> list[ProcessInstance]:
    """The yearly rating processes, newest first."""
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.process_id == RATING_PROCESS)
            .order_by(ProcessInstance.id.desc())
        )
    )


def institution_json(row: ThirdPartyInstitution) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "credit_code": row.credit_code,
        "contact": row.contact,
        "admitted_on": row.admitted_on,
        "status": row.status,
        "status_reason": row.status_reason,
    }


def detail_json(view: dict) -> dict:
    return {
        **institution_json(view["institution"]),
        "engagements": [
            {
                "id": e.id,
                "project_id": e.project_id,
                "project_code": e.project.code,
                "project_name": e.project.name,
                "procurement_method": e.procurement_method,
                "contract_number": e.contract_number,
                "fee": e.fee,
                "engaged_on": e.engaged_on,
            }
            for e in view["engagements"]
        ],
        "ratings": [
            {
                "year": r.year,
                "grade": r.grade,
                "score": r.score,
                "remarks": r.remarks,
                "fee_coefficient": r.fee_coefficient,
                "tender_bonus": r.tender_bonus,
                "published": r.published,
            }
            for r in view["ratings"]
        ],
        "members": [m.username for m in view["members"]],
    }


def project_codes(session: Session, limit: int = 500) -> list[tuple[str, str]]:
    """Project codes and names offered by the engagement form (a datalist; any code may be typed)."""
    return [
        tuple(r)
        for r in session.execute(select(Project.code, Project.name).order_by(Project.code).limit(limit))
    ]
