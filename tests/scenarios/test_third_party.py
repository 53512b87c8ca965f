"""第三方机构库 the third-party pool (DOMAIN 5: R-TP-1..3, R-EV-4's engagement), through the real
``bpmn/third_party_rating.bpmn`` and its DMN."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from workflows import commands, policy
from workflows.commands import third_party as tp
from workflows.errors import BusinessRuleRefused, Conflict, FormInvalid
from workflows.store import ThirdPartyInstitution, ThirdPartyRating

from .conftest import YEAR

OFFICE = policy.Actor("scenario.office", frozenset({"performance_office"}))
LEADER = policy.Actor("scenario.leader", frozenset({"leadership"}))


def admit(db, name, code, admitted_on=date(YEAR - 2, 3, 1)) -> int:
    return tp.admit(db, tp.NewInstitution(name, code, "张经理 0795-8888888", admitted_on), actor=OFFICE)


def engage(db, institution_id, project_code, on, fee=18.5) -> int:
    new = tp.NewEngagement(institution_id, project_code, "公开招标", f"WZCG-{on.isoformat()}", fee, on)
    return tp.engage(db, new, actor=OFFICE)


def institution(db, institution_id) -> ThirdPartyInstitution:
    with db.reading() as session:
        row = session.get(ThirdPartyInstitution, institution_id)
        session.expunge(row)
        return row


def ratings(db, institution_id) -> list[ThirdPartyRating]:
    with db.reading() as session:
        rows = list(
            session.scalars(select(ThirdPartyRating).where(ThirdPartyRating.institution_id == institution_id))
        )
        session.expunge_all()
        return rows


def rate_year(paths, year, grades: dict[int, str]) -> int:
    """Run the year's rating: the office grades every institution, leadership approves."""
    iid = tp.start_rating(paths.db, year, actor=OFFICE)
    task = paths.tasks(iid, "tp_rate")[0]
    with paths.db.reading() as session:
        rows = tp.rating_rows(session, year)
    filled = [
        {
            **row,
            "grade": grades.get(row["institution_id"], "合格"),
            "score": 85.0,
            "remarks": "按合同完成评价",
        }
        for row in rows
    ]
    commands.complete_task(paths.db, task.id, {"ratings": filled}, actor=OFFICE)
    task = paths.tasks(iid, "tp_approve")[0]
    commands.complete_task(paths.db, task.id, {"tp_decision": "同意", "tp_comment": "同意公开"}, actor=LEADER)
    return iid


@pytest.fixture
def project_id(paths):
    """The code of a project of the scenarios' unit (an engagement names the project by its code)."""
    with paths.db.unit_of_work() as uow:
        paths.project(uow)
        uow.commit()
    return "WZ-2027-001"


def test_R_TP_1_two_idle_years_exclude_an_institution(paths, project_id):
    """R-TP-1: two years in a row without any evaluation work → 停用."""
    idle = admit(paths.db, "江西赣信绩效评价有限公司", "91360900MA35ABCD1X", date(YEAR - 1, 2, 1))
    busy = admit(paths.db, "江西中诚会计师事务所", "91360100MA35EFGH2Y", date(YEAR - 1, 2, 1))
    engage(paths.db, busy, project_id, date(YEAR, 5, 10))
    iid = rate_year(paths, YEAR, {})
    assert paths.status(iid) == "completed"
    assert institution(paths.db, idle).status == "停用"
    assert "连续两年未承担评价工作" in institution(paths.db, idle).status_reason
    assert institution(paths.db, busy).status == "在库"
    assert [r.published for r in ratings(paths.db, busy)] == [True]


def test_R_TP_1_one_idle_year_does_not_exclude(paths):
    """R-TP-1: one year without work is not yet two."""
    fresh = admit(paths.db, "宜春求实项目管理有限公司", "91360900MA35IJKL3Z", date(YEAR, 1, 5))
    rate_year(paths, YEAR, {})
    assert institution(paths.db, fresh).status == "在库"


def test_R_TP_1_a_failing_rating_excludes_the_institution(paths, project_id):
    """R-TP-1: a 不合格 rating → not used; the rating stays on the institution's history."""
    poor = admit(paths.db, "江西赣信绩效评价有限公司", "91360900MA35ABCD1X")
    engage(paths.db, poor, project_id, date(YEAR, 4, 1))
    rate_year(paths, YEAR, {poor: "不合格"})
    row = institution(paths.db, poor)
    assert (row.status, row.status_reason) == ("停用", f"{YEAR}年度：年度评级不合格")
    assert [r.grade for r in ratings(paths.db, poor)] == ["不合格"]
    with pytest.raises(BusinessRuleRefused, match="停用"):
        engage(paths.db, poor, project_id, date(YEAR + 1, 3, 1))


def test_R_TP_1_one_rating_process_per_year(paths):
    admit(paths.db, "江西中诚会计师事务所", "91360100MA35EFGH2Y")
    tp.start_rating(paths.db, YEAR, actor=OFFICE)
    with pytest.raises(Conflict):
        tp.start_rating(paths.db, YEAR, actor=OFFICE)


def test_R_TP_1_returned_ratings_are_not_published(paths):
    """R-TP-1: results are published only after approval; a return sends the table back."""
    firm = admit(paths.db, "江西中诚会计师事务所", "91360100MA35EFGH2Y")
    iid = tp.start_rating(paths.db, YEAR, actor=OFFICE)
    task = paths.tasks(iid, "tp_rate")[0]
    with paths.db.reading() as session:
        rows = [{**r, "grade": "合格", "score": 80.0} for r in tp.rating_rows(session, YEAR)]
    commands.complete_task(paths.db, task.id, {"ratings": rows}, actor=OFFICE)
    task = paths.tasks(iid, "tp_approve")[0]
    commands.complete_task(
        paths.db, task.id, {"tp_decision": "退回重评", "tp_comment": "评分依据不足"}, actor=LEADER
    )
    assert paths.open(iid) == ["tp_rate"]
    assert ratings(paths.db, firm) == []


def test_R_TP_2_fraud_blacklists_and_no_engagement_after(paths, project_id):
    """R-TP-2: fraud or false reports → 失信黑名单, permanently: no engagement, no rating exclusion
    turns it back, and a second blacklisting is refused."""
    cheat = admit(paths.db, "宜春求实项目管理有限公司", "91360900MA35IJKL3Z")
    engage(paths.db, cheat, project_id, date(YEAR, 3, 1))
    tp.blacklist(paths.db, cheat, "出具虚假评价报告", actor=OFFICE)
    row = institution(paths.db, cheat)
    assert (row.status, row.status_reason) == ("黑名单", "出具虚假评价报告")
    with pytest.raises(BusinessRuleRefused, match="黑名单.*虚假评价报告"):
        engage(paths.db, cheat, project_id, date(YEAR, 6, 1))
    with pytest.raises(Conflict):
        tp.blacklist(paths.db, cheat, "再次", actor=OFFICE)


def test_R_TP_2_blacklisting_needs_a_reason(paths):
    cheat = admit(paths.db, "宜春求实项目管理有限公司", "91360900MA35IJKL3Z")
    with pytest.raises(FormInvalid) as refused:
        tp.blacklist(paths.db, cheat, "  ", actor=OFFICE)
    assert "reason" in refused.value.fields


@pytest.mark.parametrize(
    ("grade", "coefficient", "bonus"), [("优秀", 1.1, 3), ("合格", 1.0, 0), ("不合格", 0.8, -5)]
)
def test_R_TP_3_ratings_set_fee_coefficient_and_tender_bonus_from_the_dmn(
    paths, project_id, grade, coefficient, bonus
):
    """R-TP-3: each grade's fee coefficient and tender bonus come from DMN third_party_rating."""
    firm = admit(paths.db, "江西中诚会计师事务所", "91360100MA35EFGH2Y")
    engage(paths.db, firm, project_id, date(YEAR, 4, 1))
    rate_year(paths, YEAR, {firm: grade})
    (rating,) = ratings(paths.db, firm)
    assert (float(rating.fee_coefficient), float(rating.tender_bonus)) == (coefficient, bonus)


def test_R_EV_4_engagement_is_bought_through_procurement(paths, project_id):
    """R-EV-4: an engagement records its government-procurement method and contract."""
    firm = admit(paths.db, "江西中诚会计师事务所", "91360100MA35EFGH2Y")
    new = tp.NewEngagement(firm, project_id, "私下约定", "", 0, date(YEAR, 4, 1))
    with pytest.raises(FormInvalid) as refused:
        tp.engage(paths.db, new, actor=OFFICE)
    assert set(refused.value.fields) == {"procurement_method", "contract_number", "fee"}
    with pytest.raises(FormInvalid) as refused:
        tp.engage(
            paths.db,
            tp.NewEngagement(firm, "NO-SUCH", "公开招标", "HT-1", 10, date(YEAR, 4, 1)),
            actor=OFFICE,
        )
    assert set(refused.value.fields) == {"project_code"}


def test_admission_checks_the_credit_code(paths):
    with pytest.raises(FormInvalid) as refused:
        tp.admit(paths.db, tp.NewInstitution("某机构", "123"), actor=OFFICE)
    assert "credit_code" in refused.value.fields


def test_idle_years_count_from_admission_or_last_work():
    assert tp.idle_years(2027, date(2027, 1, 1), []) == 1
    assert tp.idle_years(2027, date(2026, 1, 1), []) == 2
    assert tp.idle_years(2027, date(2020, 1, 1), [2026]) == 1
    assert tp.idle_years(2027, date(2020, 1, 1), [2027]) == 0
