"""Demo data of the third-party pool and a target change (DOMAIN R-TP-1..3, R-EV-4, R-TG-3).

Wanzai's four 2020 key evaluations (DOMAIN 8: sewage treatment, village environment, red-culture
exhibition, smart fire protection) were done by third parties: the demo admits five firms,
engages four of them for those projects through procurement, runs last year's rating (one idle
firm is excluded by the DMN), blacklists a firm found to have written a false report, and leaves
one target change request of the unit waiting for finance. All through the commands the pages call.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from workflows import commands
from workflows.commands import target_change, third_party
from workflows.engine import specs
from workflows.errors import JixiaoError
from workflows.policy import Actor, holders_query
from workflows.store import Database, HumanTask, Project, User
from workflows.store.third_party import ThirdPartyInstitution

from . import indicators, paths

log = logging.getLogger(__name__)

# (name, 统一社会信用代码, contact, years in the pool, staff username)
FIRMS = [
    ("江西华信资产评估有限公司", "91360900MA35HX0017", "黄文斌 0795-8881201", 4, "tp.audit"),
    ("江西中诚会计师事务所", "91360100MA35ZC0028", "邓丽萍 0791-8665302", 3, None),
    ("江西赣鑫工程咨询有限公司", "91360900MA35GX0039", "钟志明 0795-8662403", 3, None),
    ("宜春求实项目管理有限公司", "91360900MA35QS0040", "易国华 0795-3215504", 2, None),
    ("江西正信绩效评价有限公司", "91360100MA35ZX0051", "胡晓燕 0791-8772605", 3, None),
]
# DOMAIN 8, Wanzai 2020: project name → (firm, procurement, contract, fee 万元, month engaged)
ENGAGEMENTS = [
    ("城市污水处理厂提标改造", 0, "公开招标", "WZCG-{y}-031", "38.50", 5),
    ("农村人居环境整治", 1, "竞争性磋商", "WZCG-{y}-042", "12.60", 6),
    ("红色文化展陈", 2, "询价", "WZCG-{y}-047", "6.80", 6),
    ("智慧消防建设", 3, "竞争性磋商", "WZCG-{y}-055", "9.20", 7),
]
GRADES = {0: ("优秀", 93.0, "报告质量高，按期完成"), 3: ("合格", 72.0, "底稿不完整")}
FRAUD = (3, "出具虚假评价报告：评价底稿中的满意度问卷与现场核查不符")
CHANGE_PROJECT = "农村人居环境整治"


def _actor(db: Database, username: str) -> Actor | None:
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username))
        return Actor.of(user) if user else None


def _open_task(db: Database, instance_id: int, spec: str) -> str | None:
    with db.reading() as session:
        return session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.status == "open"
            )
        )


def load(db: Database) -> None:
    """Add the pool, its year and the change request once (kept when already there)."""
    try:
        _pool(db)
        _change_request(db)
    except (JixiaoError, LookupError) as exc:  # make run must still start; say why
        log.warning("third-party demo: %s", exc)


def _pool(db: Database) -> None:
    office, leader = _actor(db, "zhou.perf"), _actor(db, "liu.leader")
    with db.reading() as session:
        if office is None or session.scalar(select(ThirdPartyInstitution.id).limit(1)) is not None:
            return
        deployed = specs.latest_definition(session, third_party.RATING_PROCESS, required=False) is not None
        codes = {p.name: p.code for p in session.scalars(select(Project).order_by(Project.id))}
    this_year = paths.this_fiscal_year()
    last_year = this_year - 1
    ids = []
    for name, code, contact, years, staff in FIRMS:
        new = third_party.NewInstitution(name, code, contact, date(this_year - years, 3, 1))
        ids.append(third_party.admit(db, new, actor=office))
        if staff:
            third_party.add_member(db, ids[-1], staff, actor=office)
    for project, firm, method, contract, fee, month in ENGAGEMENTS:
        if project in codes:
            new = third_party.NewEngagement(
                ids[firm],
                codes[project],
                method,
                contract.format(y=last_year),
                fee,
                date(last_year, month, 18),
            )
            third_party.engage(db, new, actor=office)
    if deployed and leader is not None:
        instance_id = third_party.start_rating(db, last_year, actor=office)
        with db.reading() as session:
            rows = third_party.rating_rows(session, last_year)
        by_id = {institution_id: index for index, institution_id in enumerate(ids)}
        rated = []
        for row in rows:
            grade, score, remarks = GRADES.get(
                by_id.get(row["institution_id"]), ("合格", 82.0, "按合同完成评价工作")
            )
            rated.append({**row, "grade": grade, "score": score, "remarks": remarks})
        commands.complete_task(db, _open_task(db, instance_id, "tp_rate"), {"ratings": rated}, actor=office)
        approval = {"tp_decision": "同意", "tp_comment": "同意公开评级结果"}
        commands.complete_task(db, _open_task(db, instance_id, "tp_approve"), approval, actor=leader)
    third_party.blacklist(db, ids[FRAUD[0]], FRAUD[1], actor=office)


def _change_request(db: Database) -> None:
    """R-TG-3, R-TG-6: the unit asks to raise a target and the budget; waiting for finance."""
    with db.reading() as session:
        if specs.latest_definition(session, target_change.CHANGE_PROCESS, required=False) is None:
            return
        project = session.scalar(select(Project).where(Project.name == CHANGE_PROJECT))
        if project is None:
            return
        submitter, head = (
            session.scalars(holders_query(role, project.unit_id).limit(1)).first()
            for role in ("unit_submitter", "unit_head")
        )
        if submitter is None or head is None:
            return
        if target_change.open_request(session, project.id) is not None:
            return
        submitter, head = Actor.of(submitter), Actor.of(head)
        project_id, amount = project.id, float(project.amount)
    instance_id = target_change.request_change(db, project_id, actor=submitter)
    targets = indicators.performance_targets(CHANGE_PROJECT)
    raised = {"整治村庄数": "15", "农村户厕改造数": "1500"}
    for row in targets["indicators"]:
        row["target_value"] = raised.get(row["name"], row["target_value"])
    request = {
        "tc_reason": "县委县政府将整治范围由12个行政村扩大到15个，改厕户数相应调整为1500户；"
        "新增3个村按村均20万元、新增300户按每户1000元测算，资金需求增加90.00万元。",
        "tg_overall_goal": targets["tg_overall_goal"].replace("12个", "15个").replace("1200户", "1500户"),
        "indicators": targets["indicators"],
        "tc_new_amount": round(amount + 90, 2),
    }
    commands.complete_task(db, _open_task(db, instance_id, "tc_request"), request, actor=submitter)
    approval = {"tc_head_decision": "同意", "tc_head_comment": "经局党组会研究，同意报送。"}
    commands.complete_task(db, _open_task(db, instance_id, "tc_head"), approval, actor=head)
