"""Drive the review paths with realistic data, for the demo and for scenario tests.

``advance(db, projects)`` starts ``project_lifecycle`` for each demo project and
completes tasks as the people in the roles would, until the project stands at the
stage wanted. The names and amounts follow DOMAIN.md section 8 (Wanzai county's four
third-party key evaluations, Korla's volumes). The process decides every route;
this module only fills in forms.

Stages ``advance`` knows (``STAGES``):

==================  ===================================================================
``ex_ante``         waiting for finance to review the ex-ante assessment (事前评估待审)
``targets``         performance targets submitted, waiting for finance (目标审核中)
``monitoring``      budgeted; the May monitoring report is due (绩效监控)
``rectification``   the May monitoring review failed; the unit owes rectification (整改)
``evaluation``      monitoring done; self-evaluation submitted, finance to review (绩效评价)
``results_applied`` the loop is closed: graded, budget cut applied, results published
``not_budgeted``    the ex-ante assessment concluded 不支持
==================  ===================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from workflows import clock
from workflows import commands as runtime
from workflows.config import settings
from workflows.engine import specs
from workflows.policy import Actor
from workflows.store import Database, HumanTask, Project, Timer
from workflows.timers import fire_due_timers

PROCESS = "project_lifecycle"
PATH_PROCESSES = (
    PROCESS,
    "ex_ante_assessment",
    "target_review",
    "monitoring_round",
    "evaluation",
    "results_application",
    "rectification",
)
# Other spellings a caller may use for the same stages.
STAGE_ALIASES = {
    "ex_ante_pending": "ex_ante",
    "targets_under_review": "targets",
    "target_review": "targets",
    "results": "results_applied",
    "results_application": "results_applied",
    "applied": "results_applied",
    "rejected": "not_budgeted",
}
STAGES = (
    "ex_ante",
    "targets",
    "monitoring",
    "rectification",
    "evaluation",
    "results_applied",
    "not_budgeted",
)

# DOMAIN 8: Wanzai county's third-party key evaluations (万元) and other plausible projects.
DEMO_PROJECTS = [
    ("万载县城区污水处理厂提标改造项目", 1261.22),
    ("农村人居环境整治项目", 362.0),
    ("红色文化展览馆布展项目", 118.4),
    ("智慧消防建设项目", 189.123),
    ("城乡义务教育营养改善计划", 420.5),
    ("高标准农田建设项目", 860.0),
]
EXPERTS = ["wang.expert", "zhao.expert", "sun.expert"]  # demo.data: the pool's experts


# --- form data -------------------------------------------------------------------------


def ex_ante_report(name: str, amount_wan: float) -> dict:
    return {
        "ea_necessity": f"{name}符合县委县政府年度重点工作部署，群众反映强烈，确有必要实施。",
        "ea_economy": "投入成本经市场询价和同类项目比对测算，单位成本处于合理区间。",
        "ea_target_reasonableness": "绩效目标与项目内容匹配，产出和效益指标均可量化、可考核。",
        "ea_feasibility": "实施方案明确了进度安排、责任分工和质量控制措施，具备实施条件。",
        "ea_funding_compliance": "资金来源为一般公共预算，符合预算管理和政府采购相关规定。",
        "ea_risks": "主要风险为施工期延误和材料价格波动，已制定应对预案。",
        "ea_requested_amount_wan": amount_wan,
        "ea_report_attachment": f"{name}事前绩效评估报告.pdf",
    }


def head_approval(agree: bool = True) -> dict:
    return {
        "ea_head_opinion": "同意报送" if agree else "退回修改",
        "ea_head_comment": "经单位班子会议研究同意。",
    }


def ex_ante_review(score: float, conclusion: str = "支持", next_step: str = "作出结论") -> dict:
    return {
        "ea_finance_score": score,
        "ea_finance_conclusion": conclusion,
        "ea_next_step": next_step,
        "ea_finance_comment": "评估报告内容完整，测算依据基本充分。",
    }


def expert_sheet(score: float, conclusion: str = "支持") -> dict:
    """One expert's score sheet; the rows add up to ``score``."""
    necessity = min(score, 30.0)
    rest = score - necessity
    feasibility = min(rest, 40.0)
    return {
        "expert_sheet": [
            {"criterion": "立项必要性", "max_points": 30, "score": necessity},
            {"criterion": "实施可行性", "max_points": 40, "score": feasibility},
            {"criterion": "绩效目标合理性", "max_points": 30, "score": round(rest - feasibility, 2)},
        ],
        "expert_conclusion": conclusion,
        "expert_opinion": "项目论证较充分，建议细化进度安排。",
    }


def performance_targets(name: str) -> dict:
    return {
        "tg_overall_goal": f"按期完成{name}建设任务，提升公共服务水平，群众满意度达到90%以上。",
        "tg_spending_basis": "按工程量清单和市场价格测算，详见支出测算表。",
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "完成建设任务",
                "direction": "≥",
                "target_value": "100",
                "unit": "%",
                "weight": 30,
            },
            {
                "level1": "产出指标",
                "level2": "质量指标",
                "name": "工程验收合格率",
                "direction": "=",
                "target_value": "100",
                "unit": "%",
                "weight": 20,
            },
            {
                "level1": "产出指标",
                "level2": "时效指标",
                "name": "按期完工率",
                "direction": "≥",
                "target_value": "95",
                "unit": "%",
                "weight": 10,
            },
            {
                "level1": "效益指标",
                "level2": "社会效益指标",
                "name": "受益群众人数",
                "direction": "≥",
                "target_value": "20000",
                "unit": "人",
                "weight": 30,
            },
            {
                "level1": "满意度指标",
                "level2": "服务对象满意度指标",
                "name": "群众满意度",
                "direction": "≥",
                "target_value": "90",
                "unit": "%",
                "weight": 10,
            },
        ],
    }


def targets_decision(decision: str = "通过") -> dict:
    return {
        "tg_decision": decision,
        "tg_comment": "指标设置完整，目标值合理。" if decision == "通过" else "指标不够量化，请调整。",
    }


def monitoring_report(amount_wan: float, share: float = 0.45) -> dict:
    return {
        "mn_executed_amount": round(amount_wan * share, 2),
        "mn_indicator_progress": [
            {
                "name": "完成建设任务",
                "target_value": "100%",
                "actual_value": "48%",
                "completion_rate": 48,
                "deviation_reason": "",
                "corrective_measures": "",
            },
            {
                "name": "按期完工率",
                "target_value": "95%",
                "actual_value": "进度滞后约半个月",
                "completion_rate": 40,
                "deviation_reason": "雨季影响施工",
                "corrective_measures": "增加施工班组，倒排工期",
            },
        ],
        "mn_deviation_summary": "总体进度基本符合序时要求。",
    }


def monitoring_review(passed: bool, payment: str = "正常拨付") -> dict:
    return {
        "mn_review_result": "通过" if passed else "不通过",
        "mn_review_comment": "执行进度符合要求。" if passed else "执行率明显偏低，偏差原因说明不充分。",
        "mn_payment_action": payment,
    }


def escalation(decision: str = "调减预算") -> dict:
    return {
        "escalation_decision": decision,
        "escalation_amount_wan": 50,
        "escalation_comment": "连续两次监控不合格，按规定处理。",
    }


def rectification_submit() -> dict:
    return {
        "rect_measures": "已补充偏差原因分析，调整实施计划并加快支付进度。",
        "rect_evidence": "整改报告及支付凭证.pdf",
    }


def rectification_verify(accepted: bool) -> dict:
    return {
        "rect_verdict": "通过" if accepted else "退回",
        "rect_comment": "整改到位。" if accepted else "佐证材料不足，请补充。",
    }


def self_evaluation(
    budget: float, executed: float, output: float = 45, outcome: float = 26, satisfaction: float = 9
) -> dict:
    """A self-evaluation table whose indicator scores add up to the given parts."""
    return {
        "ev_budget_amount": budget,
        "ev_executed_amount": executed,
        "ev_output_indicators": [
            {
                "name": "完成建设任务",
                "weight": 30,
                "target_value": "100%",
                "actual_value": "100%",
                "score": min(output, 30),
            },
            {
                "name": "工程验收合格率",
                "weight": 20,
                "target_value": "100%",
                "actual_value": "100%",
                "score": round(max(output - 30, 0), 2),
            },
        ],
        "ev_outcome_indicators": [
            {
                "name": "受益群众人数",
                "weight": 30,
                "target_value": "20000人",
                "actual_value": "18600人",
                "score": outcome,
            },
        ],
        "ev_satisfaction_indicators": [
            {
                "name": "群众满意度",
                "weight": 10,
                "target_value": "90%",
                "actual_value": "92%",
                "score": satisfaction,
            },
        ],
        "ev_report": "项目按计划实施，主要绩效目标基本完成。",
        "ev_problems": "个别子项目进度滞后。",
    }


def evaluation_review(score: float, **flags) -> dict:
    """A finance score sheet adding up to ``score``; flags: audit_findings, serious_misuse, ..."""
    decision = min(score, 20.0)
    process = min(score - decision, 20.0)
    rest = score - decision - process
    data = {
        "ev_score_sheet": [
            {"item": "决策", "max_points": 20, "score": decision},
            {"item": "过程", "max_points": 20, "score": process},
            {"item": "产出与效益", "max_points": 60, "score": round(rest, 2)},
        ],
        "ev_audit_findings": False,
        "ev_serious_misuse": False,
        "ev_false_report": False,
        "ev_needs_experts": False,
        "ev_select_third_party": False,
        "ev_review_comment": "自评结果基本真实，复核得分如表。",
    }
    data.update({f"ev_{k}": v for k, v in flags.items()})
    return data


def third_party_evaluation(score: float) -> dict:
    return {"tp_ev_score": score, "tp_ev_report": "按决策、过程、产出、效益四类指标独立评价，详见评价报告。"}


def results_feedback(
    problems: Iterable[tuple[str, str]] = (), disclose: bool = True, sensitive: bool = False
) -> dict:
    return {
        "ra_problems": [
            {"problem": p, "requirement": "限期整改并报送整改结果", "deadline": d} for p, d in problems
        ],
        "ra_disclose": disclose,
        "ra_sensitive": sensitive,
        "ra_comment": "评价结果已反馈单位。",
    }


# --- acting in roles -------------------------------------------------------------------


def actor_for(role: str, unit_id: int | None, assignee: str | None = None) -> Actor:
    if assignee:
        return Actor(assignee, frozenset({role}))
    return Actor(f"demo.{role}", frozenset({role}), unit_id=unit_id)


def open_tasks(db: Database, instance_id: int) -> list[HumanTask]:
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
                .order_by(HumanTask.created_at, HumanTask.id)
            )
        )
        session.expunge_all()
        return rows


def complete(db: Database, instance_id: int, task_spec: str, data: dict, unit_id: int | None = None):
    """Complete the (first) open task ``task_spec`` as a user holding its role."""
    for row in open_tasks(db, instance_id):
        if row.task_spec == task_spec:
            actor = actor_for(row.role or "", unit_id, row.assignee if row.role == "expert" else None)
            return runtime.complete_task(db, row.id, data, actor=actor)
    raise LookupError(f"instance {instance_id} has no open task {task_spec!r}: {open_specs(db, instance_id)}")


def open_specs(db: Database, instance_id: int) -> list[str]:
    return [row.task_spec for row in open_tasks(db, instance_id)]


def fire_timers(db: Database, instance_id: int, moment: datetime) -> int:
    clock.set_now(moment)
    return fire_due_timers(db, instance_id, now=moment)


# --- the demo -------------------------------------------------------------------------

# The task after which each stage is reached (the stage's waiting task), or None: completed.
_WAITING_AT = {
    "ex_ante": "ea_finance_review",
    "targets": "tg_review",
    "monitoring": "mn_report",
    "rectification": "rc_submit",
    "evaluation": "ev_finance_review",
    "results_applied": None,
    "not_budgeted": None,
}


def _when(spec: str, year: int) -> datetime | None:
    """When, in fiscal year ``year``'s calendar, a person would do this step (China time)."""
    months = {
        "ea_": f"{year - 1}-09-15",
        "tg_": f"{year - 1}-10-20",
        "ev_self": f"{year + 1}-03-20",
        "ev_": f"{year + 1}-05-20",
        "ra_": f"{year + 1}-06-10",
    }
    for prefix, day in months.items():
        if spec.startswith(prefix):
            return clock.parse_moment(f"{day}T09:00:00")
    return None


class _Plan:
    """What each role enters on the way to the wanted stage."""

    def __init__(self, stage: str, name: str, amount: float, year: int):
        self.stage, self.name, self.amount, self.year = stage, name, amount, year
        self.reports = 0
        low = stage == "not_budgeted"  # a panel that does not support it
        self.expert_scores = iter([72, 75.5, 70] if low else [88, 85.5, 90, 78, 74, 80])

    def data_for(self, spec: str) -> dict:
        amount = self.amount
        if spec == "ea_write":
            return ex_ante_report(self.name, amount)
        if spec == "ea_head":
            return head_approval()
        if spec == "ea_finance_review":
            return ex_ante_review(72.5 if self.stage == "not_budgeted" else 86.5)
        if spec in ("ea_expert_score", "ev_expert_score"):
            return expert_sheet(next(self.expert_scores))
        if spec == "tg_set":
            return performance_targets(self.name)
        if spec == "tg_review":
            return targets_decision("通过")
        if spec == "mn_report":
            self.reports += 1
            return monitoring_report(amount, 0.42 if self.reports == 1 else 0.71)
        if spec == "mn_review":
            failed = self.stage == "rectification" and self.reports == 1
            return monitoring_review(not failed, "暂缓拨付" if failed else "正常拨付")
        if spec == "ev_self":
            return self_evaluation(amount, round(amount * 0.96, 2), 46, 25, 9)
        if spec == "ev_finance_review":
            return evaluation_review(76.5)
        if spec == "ra_feedback":
            return results_feedback([("部分子项目进度滞后", f"{self.year + 1}-09-30")])
        if spec == "rc_submit":
            return rectification_submit()
        if spec == "rc_verify":
            return rectification_verify(True)
        if spec == "lc_escalation":
            return escalation()
        if spec == "rc_escalate":
            return {"rect_leadership_decision": "限期整改后结案", "rect_leadership_comment": "限期整改。"}
        raise LookupError(f"the demo has no data for task {spec!r}")


def normalise_stage(stage: str) -> str:
    """``"ex-ante pending"`` → ``"ex_ante"``; raises ValueError for a stage the demo cannot reach."""
    key = stage.strip().lower().replace("-", "_").replace(" ", "_")
    key = STAGE_ALIASES.get(key, key)
    if key not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; use one of {STAGES}")
    return key


def ensure_deployed(db: Database, actor: str = "demo") -> None:
    """Deploy ``bpmn/`` (with its forms) unless every path is already deployed."""
    with db.unit_of_work() as session:
        missing = [p for p in PATH_PROCESSES if specs.latest_definition(session, p, required=False) is None]
        if missing:
            specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor=actor)
            session.commit()


def advance(
    db: Database, projects: Iterable[tuple[int, int, str]], *, fiscal_year: int | None = None
) -> dict[int, int]:
    """Start ``project_lifecycle`` for each (project_id, unit_id, stage_wanted); returns {project: instance}.

    The clock walks through the project's fiscal year as people would (ex-ante and
    targets the autumn before, monitoring after each node, evaluation the spring after)
    and is restored afterwards. ``fiscal_year`` overrides the project's own. Deploys
    ``bpmn/`` first if the paths are not deployed yet.
    """
    ensure_deployed(db)
    previous = clock._fixed  # noqa: SLF001 - restore a clock the caller froze
    started: dict[int, int] = {}
    try:
        for project_id, unit_id, stage in projects:
            stage = normalise_stage(stage)
            started[project_id] = _advance_one(db, project_id, unit_id, stage, fiscal_year)
    finally:
        clock.set_now(previous)
    return started


def _advance_one(db: Database, project_id: int, unit_id: int, stage: str, fiscal_year: int | None) -> int:
    with db.reading() as session:
        project = session.get(Project, project_id)
        name, code = project.name, project.code
        amount = float(project.amount or 0) or 100.0
        year = fiscal_year or project.fiscal_year
        is_new = bool(project.is_new) or stage in ("ex_ante", "not_budgeted")
    clock.set_now(clock.parse_moment(f"{year - 1}-09-10T09:00:00"))
    result = runtime.start(
        db,
        PROCESS,
        actor=actor_for("unit_submitter", unit_id),
        data={
            "fiscal_year": year,
            "project_name": name,
            "amount_wan": amount,
            "is_new": is_new,
            "is_specialised": False,
            "experts": EXPERTS,
        },
        business_key=f"{code}-{year}",
        project_id=project_id,
    )
    iid = result.instance_id
    plan = _Plan(stage, name, amount, year)
    waiting_at = _WAITING_AT[stage]
    for _ in range(80):
        specs = open_specs(db, iid)
        if waiting_at is not None and waiting_at in specs:
            return iid
        if not specs:
            due = _next_timer(db, iid)
            if due is None:
                return iid  # completed (results applied, or not budgeted)
            fire_timers(db, iid, max(due + timedelta(minutes=1), clock.now()))
            continue
        spec = specs[0]
        moment = _when(spec, year)
        if moment is not None and moment > clock.now():
            clock.set_now(moment)
        complete(db, iid, spec, plan.data_for(spec), unit_id)
    raise RuntimeError(f"project {project_id} did not reach stage {stage!r}")


def _next_timer(db: Database, instance_id: int) -> datetime | None:
    with db.reading() as session:
        return session.scalar(select(func.min(Timer.due_at)).where(Timer.instance_id == instance_id))
