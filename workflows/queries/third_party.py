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


def institutions(session: Session) -> list[dict]:
    """Every institution with its engagement count and latest rating, by name."""
    engaged = (
        select(
            ThirdPartyEngagement.institution_id,
            func.count().label("n"),
            func.sum(ThirdPartyEngagement.fee).label("fees"),
        )
        .group_by(ThirdPartyEngagement.institution_id)
        .subquery()
    )
    rows = session.execute(
        select(ThirdPartyInstitution, engaged.c.n, engaged.c.fees)
        .outerjoin(engaged, engaged.c.institution_id == ThirdPartyInstitution.id)
        .order_by(ThirdPartyInstitution.name)
    ).all()
    latest = {
        r.institution_id: r for r in session.scalars(select(ThirdPartyRating).order_by(ThirdPartyRating.year))
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
