"""第三方机构库 the third-party pool (DOMAIN R-TP-1..3, R-EV-4): admit an institution, attach its
staff, engage it for a project through procurement, blacklist it, rate it, and run the year's
rating process (``bpmn/third_party_rating.bpmn``).

What a rating does to an institution (不合格 or idle years → 停用; fee coefficients and tender
bonuses) is decided by the DMN ``third_party_rating``; this module only applies its outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound
from ..policy import Actor
from ..store import Database, ProcessInstance, Project, RoleGrant, User, audit, transaction
from ..store.third_party import (
    ADMITTED,
    BLACKLISTED,
    EXCLUDED,
    GRADES,
    ThirdPartyEngagement,
    ThirdPartyInstitution,
    ThirdPartyMember,
    ThirdPartyRating,
)
from . import _completion, instances

Unit = Database | Session
RATING_PROCESS = "third_party_rating"
# DOMAIN 2: the performance office owns the third-party pool
POOL_OWNERS = frozenset({"performance_office", "admin"})
PROCUREMENT_METHODS = (
    "公开招标",
    "邀请招标",
    "竞争性谈判",
    "竞争性磋商",
    "单一来源采购",
    "询价",
    "框架协议采购",
)
_CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")  # 统一社会信用代码: 18 digits or capital letters


def may_manage_pool(actor: Actor) -> bool:
    return actor.is_admin or bool(actor.roles & POOL_OWNERS)


def _require_owner(actor: Actor) -> None:
    if not may_manage_pool(actor):
        raise Forbidden("只有绩效管理部门可以管理第三方机构库")


def idle_years(year: int, admitted_on: date, engaged_years: list[int]) -> int:
    """Years up to ``year`` in a row without any evaluation work, counted from admission (R-TP-1)."""
    worked = [y for y in engaged_years if y <= year]
    last = max(worked) if worked else admitted_on.year - 1
    return max(0, year - last)


@dataclass(frozen=True)
class NewInstitution:
    name: str
    credit_code: str
    contact: str = ""
    admitted_on: date | None = None


def admit(uow: Unit, new: NewInstitution, *, actor: Actor) -> int:
    """入库: an institution joins the pool (R-TP-1); returns its id."""
    _require_owner(actor)
    name, code = (new.name or "").strip(), (new.credit_code or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["此项为必填项"]
    if not _CREDIT_CODE.match(code):
        errors["credit_code"] = ["统一社会信用代码应为18位数字或大写字母"]
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        if session.scalar(select(ThirdPartyInstitution.id).where(ThirdPartyInstitution.name == name)):
            raise FormInvalid({"name": ["机构库中已有同名机构"]})
        if session.scalar(select(ThirdPartyInstitution.id).where(ThirdPartyInstitution.credit_code == code)):
            raise FormInvalid({"credit_code": ["该统一社会信用代码已在机构库中"]})
        row = ThirdPartyInstitution(
            name=name,
            credit_code=code,
            contact=(new.contact or "").strip(),
            admitted_on=new.admitted_on or clock.now().date(),
            status=ADMITTED,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="third_party.admitted",
            actor=actor.username,
            data={"institution": row.id, "name": name, "credit_code": code},
        )
        return row.id


def _institution(session: Session, institution_id: int) -> ThirdPartyInstitution:
    row = session.get(ThirdPartyInstitution, institution_id)
    if row is None:
        raise NotFound(f"第三方机构 {institution_id} 不存在")
    return row


def add_member(uow: Unit, institution_id: int, username: str, *, actor: Actor) -> None:
    """A ``third_party`` account works for the institution (it sees its institution's page)."""
    _require_owner(actor)
    with transaction(uow) as session:
        _institution(session, institution_id)
        user = session.scalar(select(User).where(User.username == username))
        if user is None or "third_party" not in user.roles:
            raise FormInvalid({"username": ["不是第三方机构角色的用户"]})
        member = session.get(ThirdPartyMember, user.id)
        if member is None:
            session.add(ThirdPartyMember(user_id=user.id, institution_id=institution_id))
        else:
            member.institution_id = institution_id
        audit.append(
            session,
            action="third_party.member_added",
            actor=actor.username,
            data={"institution": institution_id, "user": username},
        )


@dataclass(frozen=True)
class NewEngagement:
    institution_id: int
    project_code: str  # 项目编码
    procurement_method: str
    contract_number: str
    fee: Decimal  # 万元
    engaged_on: date | None = None


def engage(uow: Unit, new: NewEngagement, *, actor: Actor) -> int:
    """委托: an institution of the pool is engaged for a project, bought through government
    procurement (R-EV-4); an excluded or blacklisted institution is not used (R-TP-1, R-TP-2)."""
    _require_owner(actor)
    errors: dict[str, list[str]] = {}
    if new.procurement_method not in PROCUREMENT_METHODS:
        errors["procurement_method"] = ["应为政府采购方式之一：" + "、".join(PROCUREMENT_METHODS)]
    if not (new.contract_number or "").strip():
        errors["contract_number"] = ["此项为必填项"]
    if new.fee is None or Decimal(str(new.fee)) <= 0:
        errors["fee"] = ["委托费用应大于0"]
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        institution = _institution(session, new.institution_id)
        if institution.status != ADMITTED:
            raise BusinessRuleRefused(
                f"{institution.name}已{institution.status}，不能委托：{institution.status_reason or ''}".rstrip(
                    "："
                )
            )
        project_id = session.scalar(
            select(Project.id).where(Project.code == (new.project_code or "").strip())
        )
        if project_id is None:
            raise FormInvalid({"project_code": ["没有这个项目编码的项目"]})
        row = ThirdPartyEngagement(
            institution_id=institution.id,
            project_id=project_id,
            procurement_method=new.procurement_method,
            contract_number=new.contract_number.strip(),
            fee=Decimal(str(new.fee)).quantize(Decimal("0.01")),
            engaged_on=new.engaged_on or clock.now().date(),
            engaged_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="third_party.engaged",
            actor=actor.username,
            data={
                "engagement": row.id,
                "institution": institution.id,
                "project": project_id,
                "procurement_method": row.procurement_method,
                "contract_number": row.contract_number,
                "fee": str(row.fee),
            },
        )
        return row.id


def blacklist(uow: Unit, institution_id: int, reason: str, *, actor: Actor) -> None:
    """失信黑名单: fraud or false reports (R-TP-2); permanent, never re-admitted."""
    _require_owner(actor)
    if not (reason or "").strip():
        raise FormInvalid({"reason": ["请写明列入黑名单的原因"]})
    with transaction(uow) as session:
        institution = _institution(session, institution_id)
        if institution.status == BLACKLISTED:
            raise Conflict(f"{institution.name}已在黑名单中")
        previous = institution.status
        institution.status, institution.status_reason = BLACKLISTED, reason.strip()
        institution.status_changed_at = clock.now()
        audit.append(
            session,
            action="third_party.blacklisted",
            actor=actor.username,
            data={"institution": institution_id, "reason": reason.strip(), "previous": previous},
        )


def _exclude(session: Session, institution: ThirdPartyInstitution, reason: str, actor: Actor) -> None:
    if institution.status != ADMITTED:
        return  # a blacklisted institution stays blacklisted
    institution.status, institution.status_reason = EXCLUDED, reason
    institution.status_changed_at = clock.now()
    audit.append(
        session,
        action="third_party.excluded",
        actor=actor.username,
        data={"institution": institution.id, "reason": reason},
    )


@dataclass(frozen=True)
class Rating:
    institution_id: int
    year: int
    grade: str
    score: Decimal | None = None
    remarks: str = ""
    fee_coefficient: Decimal | None = None
    tender_bonus: Decimal | None = None
    published: bool = False


def record_rating(uow: Unit, rating: Rating, *, actor: Actor, instance_id: int | None = None) -> int:
    """The year's work-quality rating of one institution (R-TP-1), replacing an earlier one."""
    if rating.grade not in GRADES:
        raise FormInvalid({"grade": ["评级应为优秀、合格或不合格"]})
    with transaction(uow) as session:
        if not (actor.is_system or may_manage_pool(actor) or instance_id is not None):
            raise Forbidden("只有绩效管理部门可以评级")
        _institution(session, rating.institution_id)
        row = session.scalar(
            select(ThirdPartyRating).where(
                ThirdPartyRating.institution_id == rating.institution_id, ThirdPartyRating.year == rating.year
            )
        )
        if row is None:
            row = ThirdPartyRating(institution_id=rating.institution_id, year=rating.year)
            session.add(row)
        row.grade = rating.grade
        row.score = None if rating.score is None else Decimal(str(rating.score))
        row.remarks = rating.remarks or ""
        row.fee_coefficient = None if rating.fee_coefficient is None else Decimal(str(rating.fee_coefficient))
        row.tender_bonus = None if rating.tender_bonus is None else Decimal(str(rating.tender_bonus))
        row.published = rating.published
        row.instance_id = instance_id
        row.rated_by, row.rated_at = actor.username, clock.now()
        session.flush()
        audit.append(
            session,
            action="third_party.rated",
            actor=actor.username,
            instance_id=instance_id,
            data={"institution": rating.institution_id, "year": rating.year, "grade": rating.grade},
        )
        return row.id


def rating_rows(session: Session, year: int) -> list[dict]:
    """The rating table of a year: every admitted institution with its year's engagements."""
    institutions = session.scalars(
        select(ThirdPartyInstitution)
        .where(ThirdPartyInstitution.status == ADMITTED)
        .order_by(ThirdPartyInstitution.id)
    ).all()
    rows = []
    for institution in institutions:
        engaged = session.execute(
            select(ThirdPartyEngagement.engaged_on, ThirdPartyEngagement.fee).where(
                ThirdPartyEngagement.institution_id == institution.id
            )
        ).all()
        this_year = [e for e in engaged if e.engaged_on.year == year]
        rows.append(
            {
                "institution_id": institution.id,
                "institution": institution.name,
                "engagements": len(this_year),
                "fees": float(sum((e.fee for e in this_year), Decimal(0))),
                "idle_years": idle_years(year, institution.admitted_on, [e.engaged_on.year for e in engaged]),
            }
        )
    return rows


def start_rating(uow: Unit, year: int, *, actor: Actor) -> int:
    """Start the year's rating (one instance per year), its table pre-filled (R-TP-1)."""
    _require_owner(actor)
    key = f"TP-RATING-{year}"
    with transaction(uow) as session:
        taken = session.scalar(
            select(func.count(ProcessInstance.id)).where(
                ProcessInstance.process_id == RATING_PROCESS,
                ProcessInstance.business_key == key,
                ProcessInstance.status != "cancelled",
            )
        )
        if taken:
            raise Conflict(f"{year}年度的第三方机构评级已发起")
        rows = rating_rows(session, year)
        if not rows:
            raise BusinessRuleRefused("机构库中没有在库的第三方机构")
        started = instances.start(
            session,
            RATING_PROCESS,
            actor=actor,
            data={"rating_year": year, "ratings": rows},
            business_key=key,
        )
        return started.instance_id


@_completion.on_completed(RATING_PROCESS)
def _apply_ratings(session: Session, instance, data: dict, actor) -> None:
    """The approved year's ratings into the pool: recorded, published, and the DMN's exclusions
    applied (R-TP-1); the fee coefficients and tender bonuses kept with each rating (R-TP-3)."""
    if not data.get("tp_published"):
        return
    year = int(data["rating_year"])
    for effect in data.get("tp_effects") or []:
        institution = session.get(ThirdPartyInstitution, int(effect["institution_id"]))
        if institution is None:
            continue  # a row typed over: nothing to rate
        record_rating(
            session,
            Rating(
                institution.id,
                year,
                effect["grade"],
                effect.get("score"),
                effect.get("remarks") or "",
                effect.get("fee_coefficient"),
                effect.get("tender_bonus"),
                published=True,
            ),
            actor=actor,
            instance_id=instance.id,
        )
        if effect.get("status") == EXCLUDED:
            _exclude(session, institution, f"{year}年度：{effect.get('status_reason') or '评级结果'}", actor)


def members_query(institution_id: int):
    return (
        select(User)
        .join(ThirdPartyMember, ThirdPartyMember.user_id == User.id)
        .join(RoleGrant, (RoleGrant.user_id == User.id) & (RoleGrant.role == "third_party"))
        .where(ThirdPartyMember.institution_id == institution_id)
    )
