"""The demo as a 万载县 finance bureau clerk reads it (issue 10 item 6, DOMAIN 8): units with their
360922 codes, each project under the unit that spends it with its seed amount, indicators that
fit the project and pair 一级/二级 as R-TG-5 says, monitoring and self-evaluation figures that
agree with them, 重大项目 as the classification table decides, a reviewer of its own for each
finance office (R-RL-1), and people with Chinese names."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

import demo
from workflows.engine import specs
from workflows.store import (
    AuditEvent,
    BudgetUnit,
    FinanceOffice,
    HumanTask,
    PovertyIssue,
    ProcessInstance,
    Project,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
UNIT_CODE = re.compile(r"^360922-\d{3}$")  # 万载县's 行政区划代码 and the unit's number
PERSON = re.compile(r"^[\u4e00-\u9fff]{2,5}$")
# DOMAIN R-TG-5: the 二级指标 of each 一级指标
LEVEL2 = {
    "产出指标": {"数量指标", "质量指标", "时效指标", "成本指标"},
    "效益指标": {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"},
    "满意度指标": {"服务对象满意度指标"},
}
# DOMAIN 8: Wanzai's four 2020 key evaluations: the units that may spend them, the amount (万元,
# held to 0.01) and indicators each must report
KEY_PROJECTS = {
    "城市污水处理厂提标改造": (
        {"万载县住房和城乡建设局", "万载县城市管理局"},
        Decimal("1261.22"),
        {"日处理量", "出水达标率", "COD削减量", "运行成本"},
    ),
    "农村人居环境整治": (
        {"万载县农业农村局"},
        Decimal("362.00"),
        {"整治村庄数", "垃圾收运覆盖率", "群众满意度"},
    ),
    "红色文化展陈": (
        {"万载县文化广电新闻出版旅游局"},
        Decimal("118.40"),
        {"展陈面积", "年接待参观人次", "展陈按期开放"},
    ),
    "智慧消防建设": (
        {"万载县应急管理局", "万载县消防救援大队"},
        Decimal("189.12"),
        {"接入联网单位数", "火警响应时间", "系统在线率"},
    ),
}
GENERAL_ROWS = {"完成建设任务", "受益群众人数"}  # form_data's rows for a project the demo does not know


@pytest.fixture
def loaded(db):
    """``make run``: an empty migrated database, bpmn/ deployed, then ``jixiao demo load``."""
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    return demo.load(db)


def _filed(session, spec: str) -> dict[int, list[dict]]:
    """project id → the data of each completed ``spec`` task, in the order filed."""
    rows = session.execute(
        select(HumanTask.project_id, AuditEvent.data)
        .join(AuditEvent, AuditEvent.task_id == HumanTask.id)
        .where(HumanTask.task_spec == spec, AuditEvent.action == "task.completed")
        .order_by(AuditEvent.id)
    )
    filed: dict[int, list[dict]] = {}
    for project_id, data in rows:
        filed.setdefault(project_id, []).append(data["data"])
    return filed


def test_R_RL_1_demo_units_carry_360922_codes_each_office_its_own_reviewer_people_chinese_names(db, loaded):
    with db.reading() as session:
        units = list(session.scalars(select(BudgetUnit).order_by(BudgetUnit.code)))
        offices = list(session.scalars(select(FinanceOffice)))
        users = list(session.scalars(select(User)))
        finance_done = session.execute(
            select(HumanTask.unit_id, HumanTask.completed_by).where(
                HumanTask.role == "finance_reviewer", HumanTask.status == "completed"
            )
        ).all()
        for unit in units:  # the code is shown beside the name wherever a unit is listed
            assert UNIT_CODE.match(unit.code) and unit.name.startswith("万载县"), (unit.code, unit.name)
        # R-RL-1: every unit belongs to one office; each office has reviewers of its own
        reviewers = {
            o.id: {u.username for u in users if u.office_id == o.id and "finance_reviewer" in u.roles}
            for o in offices
        }
        assert all(reviewers.values()), reviewers
        assert sum(len(r) for r in reviewers.values()) == len(set().union(*reviewers.values()))
        assert len(offices) == len(units) and {u.office_id for u in units} == set(reviewers)
        office_of = {u.id: u.office_id for u in units}
        assert finance_done, "finance reviewed something"
        for unit_id, username in finance_done:  # each unit's work reviewed by its own office
            assert username in reviewers[office_of[unit_id]], (unit_id, username)
    for user in users:  # display names are people's names, nothing test-ish, no role in brackets
        assert PERSON.match(user.display_name), (user.username, user.display_name)
        assert user.display_name not in ("张三", "李四", "王五"), user.username


def test_R_TG_5_demo_projects_sit_under_their_units_with_seed_amounts_and_fitting_paired_indicators(
    db, loaded
):
    with db.reading() as session:
        projects = {p.name: p for p in session.scalars(select(Project))}
        targets = _filed(session, "tg_set")
        for name, (units, amount, indicators) in KEY_PROJECTS.items():
            project = projects[name]
            assert project.unit.name in units and project.amount == amount, (name, project.unit.name)
            [filed] = targets[project.id]
            assert indicators <= {row["name"] for row in filed["indicators"]}, name
        # R-AS-2: the poverty-fund demo files one project's targets badly on purpose (定性 values,
        # no 满意度指标) for the monthly evaluation to feed back; its rows are still its own
        poorly_filed = set(
            session.scalars(select(PovertyIssue.project_id).where(PovertyIssue.kind == "indicator"))
        )
        for project_id, filed in targets.items():
            rows = filed[-1]["indicators"]
            names = {row["name"] for row in rows}
            assert not names & GENERAL_ROWS, names
            for row in rows:  # R-TG-5 and the targets form's declared pairing check
                assert row["level2"] in LEVEL2[row["level1"]], row
            if project_id in poorly_filed:
                continue
            weights = {level: sum(r["weight"] for r in rows if r["level1"] == level) for level in LEVEL2}
            assert weights == {"产出指标": 60, "效益指标": 30, "满意度指标": 10}
        assert all(re.fullmatch(r"[\u4e00-\u9fff“”（）]+", name) for name in projects), sorted(projects)


def test_R_MN_2_demo_monitoring_and_self_evaluation_agree_with_the_approved_targets(db, loaded):
    """R-MN-2 and DOMAIN 7: reports over the approved rows, executed within the budget, progress
    between 0 and 100 %, the self-evaluation's weights 50/30/10 and scores within them."""
    with db.reading() as session:
        amounts = {p.id: p.amount for p in session.scalars(select(Project))}
        targets = {pid: filed[-1]["indicators"] for pid, filed in _filed(session, "tg_set").items()}
        reports, evaluations = _filed(session, "mn_report"), _filed(session, "ev_self")
    assert reports and evaluations
    for project_id, filed in reports.items():
        approved = {row["name"] for row in targets[project_id]}
        executed = [report["mn_executed_amount"] for report in filed]
        assert executed == sorted(executed), "spending only grows through the year"
        for report in filed:
            assert report["mn_executed_amount"] <= report["mn_budget_amount"] == float(amounts[project_id])
            assert [row["name"] for row in report["mn_indicator_progress"]] == [
                row["name"] for row in targets[project_id]
            ]
            for row in report["mn_indicator_progress"]:
                assert row["name"] in approved and 0 <= row["completion_rate"] <= 100, row
    tables = {
        "ev_output_indicators": "产出指标",
        "ev_outcome_indicators": "效益指标",
        "ev_satisfaction_indicators": "满意度指标",
    }
    for project_id, [filed] in evaluations.items():
        assert 0 < filed["ev_executed_amount"] <= filed["ev_budget_amount"] == float(amounts[project_id])
        for table, level1 in tables.items():
            expected = [row["name"] for row in targets[project_id] if row["level1"] == level1]
            assert [row["name"] for row in filed[table]] == expected, table
            assert all(0 <= row["score"] <= row["weight"] for row in filed[table])
        assert [round(sum(r["weight"] for r in filed[t]), 2) for t in tables] == [50, 30, 10]


def test_R_EA_3_demo_major_projects_are_what_the_classification_table_decides(db, loaded):
    """DOMAIN 3.1 local policy (bpmn/project_classification.dmn): each project's 重大项目 flag is
    what its lifecycle's classification decided for it (500 万元 and above)."""
    with db.reading() as session:
        lifecycles = dict(
            session.execute(
                select(ProcessInstance.id, ProcessInstance.project_id).where(
                    ProcessInstance.process_id == "project_lifecycle"
                )
            ).all()
        )
        decided = {
            lifecycles[e.instance_id]: e.data["outputs"]["is_major"]
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "engine.step"))
            if e.data.get("step") == "lc_classify" and e.instance_id in lifecycles
        }
        projects = list(session.scalars(select(Project)))
    assert len(decided) == len(projects)
    for project in projects:
        assert project.is_major == decided[project.id], (project.name, project.amount)
    assert {p.name for p in projects if p.is_major} >= {"城市污水处理厂提标改造", "应急物资储备库"}
    assert not {p.name for p in projects if p.is_major} & {"农村人居环境整治", "红色文化展陈", "智慧消防建设"}


def _wan(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def test_demo_self_evaluation_funding_by_source_agrees_with_the_targets(db, loaded):
    """The 自评表's 年初/全年预算数 by source (财政拨款, 上年结转, 其他资金) are what the 申报表 declared
    (其中 财政拨款 and 其他资金, adding up to 年度资金总额), and each source executes within its budget."""
    with db.reading() as session:
        targets, evaluations = _filed(session, "tg_set"), _filed(session, "ev_self")
        codes = dict(session.execute(select(Project.id, Project.code)).all())
    both = sorted(set(targets) & set(evaluations))
    assert both, "no demo project has both a 申报表 and a 自评表"
    for project_id in both:
        declared, evaluated = targets[project_id][-1], evaluations[project_id][-1]
        fiscal, other = _wan(declared["tg_fiscal_funds"]), _wan(declared["tg_other_funds"])
        assert fiscal + other == _wan(declared["tg_annual_funds"]), codes[project_id]
        for when in ("budget_start", "budget"):
            by_source = (
                _wan(evaluated.get(f"ev_{when}_fiscal")),
                _wan(evaluated.get(f"ev_{when}_carryover")) + _wan(evaluated.get(f"ev_{when}_other")),
            )
            assert by_source == (fiscal, other), (codes[project_id], when, by_source, (fiscal, other))
            if evaluated.get(f"ev_{when}_amount") is not None:
                assert _wan(evaluated[f"ev_{when}_amount"]) == fiscal + other, (codes[project_id], when)
        for source in ("fiscal", "carryover", "other"):
            executed, budget = (
                _wan(evaluated.get(f"ev_executed_{source}")),
                _wan(evaluated.get(f"ev_budget_{source}")),
            )
            assert executed <= budget, (codes[project_id], source, executed, budget)
