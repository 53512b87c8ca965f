"""部门整体支出 demo: the demo's fiscal year opened through the command, every unit's cycle started.

The performance office opens the year (``commands.open_fiscal_year``) as the 年度 page does;
then a few units file their department-wide targets and their finance office reviews them,
through ``commands.complete_task`` as users would. The form data here is also what the
scenario tests submit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from workflows import clock, commands, policy
from workflows.store import BudgetUnit, Database, HumanTask, User

BUDGET_APPROVED_ON = "01-20"  # 部门预算批复: late January, as the seeds' counties do
BOUND = ("level1", "level2", "name", "direction", "target_value", "unit")  # a report row's approved columns


def targets(unit_name: str, budget_total: float = 1280.0) -> dict:
    """部门整体支出绩效目标申报表 (R-DW-1)."""
    return {
        "dw_duties": f"{unit_name}依法履行本部门职责，统筹本部门预算资金，保障年度重点工作任务落实。",
        "dw_annual_goal": "全面完成年度重点工作任务，预算执行率达到95%以上，服务对象满意度达到90%以上。",
        "dw_budget_total": budget_total,
        "indicators": [
            {
                "level1": "产出指标",
                "level2": "数量指标",
                "name": "年度重点工作任务完成数",
                "direction": "≥",
                "target_value": "12",
                "unit": "项",
                "weight": 40,
            },
            {
                "level1": "产出指标",
                "level2": "时效指标",
                "name": "预算执行率",
                "direction": "≥",
                "target_value": "95",
                "unit": "%",
                "weight": 20,
            },
            {
                "level1": "效益指标",
                "level2": "社会效益指标",
                "name": "公共服务覆盖率",
                "direction": "≥",
                "target_value": "98",
                "unit": "%",
                "weight": 30,
            },
            {
                "level1": "满意度指标",
                "level2": "服务对象满意度指标",
                "name": "服务对象满意度",
                "direction": "≥",
                "target_value": "90",
                "unit": "%",
                "weight": 10,
            },
        ],
    }


def review(prefix: str, decision: str = "通过", score: float = 92.0) -> dict:
    """Finance's review of a stage: ``dw_tr`` targets, ``dw_mr`` monitoring, ``dw_sr`` self-evaluation."""
    comment = "材料完整，目标明确，同意。" if decision == "通过" else "绩效指标不够量化，请修改后重报。"
    return {f"{prefix}_decision": decision, f"{prefix}_score": score, f"{prefix}_comment": comment}


def monitoring_report(
    budget_total: float = 1280.0, executed: float = 602.5, indicators: list[dict] | None = None
) -> dict:
    """部门整体支出绩效监控报告 at the end of June (R-MN-6): a row per approved indicator
    (pre-filled from ``indicators``, the demo's targets unless given), half the year done."""
    approved = indicators if indicators is not None else targets("")["indicators"]
    rows = [
        {
            **{key: i[key] for key in BOUND if key in i},
            "actual_value": _by_june(i),
            "projected_value": f"{i['target_value']}{i.get('unit') or ''}",
            "likelihood": "确定能",
            "deviation_reason": "",
        }
        for i in approved
    ]
    return {
        "dw_mn_budget_total": budget_total,
        "dw_mn_executed": executed,
        "dw_mn_progress": "上半年完成重点工作任务6项，总体进度符合年度目标。",
        "dw_mn_indicator_progress": rows,
        "dw_mn_deviation": "部分项目资金拨付较慢，已督促加快支付进度。",
    }


def _by_june(indicator: dict) -> str:
    """What half a year reached: half of a count or a rate, the level of a standard, no survey yet."""
    unit = indicator.get("unit") or ""
    if indicator["level1"] == "满意度指标":
        return "年底开展调查"
    try:
        target = float(indicator["target_value"])
    except ValueError:
        return "按计划推进"
    if indicator["level2"] in ("数量指标", "时效指标"):
        return f"{target / 2:g}{unit}"
    return f"{target:g}{unit}"


def self_evaluation(
    budget_total: float = 1280.0,
    executed: float = 1236.8,
    score: float = 91.0,
    indicators: list[dict] | None = None,
) -> dict:
    """部门整体支出绩效自评报告 of the year after it ends (R-DW-2): a row per approved indicator
    (pre-filled from ``indicators``, the demo's targets unless given) scored so the rows add up
    to ``score``; a row short of its 分值 reached less than its target and says why."""
    approved = indicators if indicators is not None else targets("")["indicators"]
    weights = [Decimal(str(i["weight"])) for i in approved]
    lost, rows = sum(weights) - Decimal(str(score)), []
    for index, (i, weight) in enumerate(zip(approved, weights, strict=True)):
        share = (lost * weight / sum(weights)).quantize(Decimal("0.1"))
        got = (
            weight - share
            if index < len(approved) - 1
            else Decimal(str(score)) - sum(Decimal(str(r["score"])) for r in rows)
        )
        rows.append({**{k: i[k] for k in (*BOUND, "weight") if k in i}, **_year_end(i, got, weight)})
    return {
        "dw_se_budget_total": budget_total,
        "dw_se_executed": executed,
        "dw_se_goal_completion": "年度重点工作任务全部完成，预算执行率96.6%，服务对象满意度92%。",
        "dw_se_indicators": rows,
        "dw_se_self_score": score,
        "dw_se_problems": "个别指标设置不够细化，下年度将进一步完善指标体系。",
    }


def _year_end(indicator: dict, got: Decimal, weight: Decimal) -> dict:
    """What the year reached on one indicator scored ``got`` of ``weight``: the target when full."""
    unit, target = indicator.get("unit") or "", str(indicator.get("target_value") or "")
    row: dict = {"score": int(got) if got == got.to_integral_value() else float(got)}
    if got >= weight:
        return {**row, "actual_value": f"{target}{unit}"}
    try:
        reached = float(target) * float(got / weight) if weight else 0.0
    except ValueError:
        return {**row, "actual_value": "部分完成", "deviation_reason": "部分工作受客观条件影响未全部完成"}
    shown = f"{reached:.0f}" if reached >= 10 else f"{reached:.1f}"
    return {**row, "actual_value": f"{shown}{unit}", "deviation_reason": "部分项目资金下达较晚，进度滞后"}


def load(db: Database, year: int) -> int:
    """Open ``year`` as the performance office did after the budget approval (January 25); the
    first unit files its targets and its finance office approves and scores them, the others are
    still at their targets (overdue by now, as the scheduler will find). Returns
    how many cycles were started (0 on a second load: nothing is started or filed twice)."""
    with db.reading() as session:
        actors = [policy.Actor.of(u) for u in session.scalars(select(User).where(User.is_active))]
    office = next((a for a in actors if "performance_office" in a.roles), None)
    if office is None:
        return 0
    month, day = (int(p) for p in BUDGET_APPROVED_ON.split("-"))
    with _clock_at(f"{year}-01-25T09:00:00"):
        opened = commands.open_fiscal_year(db, year, date(year, month, day), actor=office)
        started = sum(len(ids) for ids in opened.started.values())
        if not started:
            return 0
        with db.reading() as session:
            open_targets = session.execute(
                select(HumanTask.id, HumanTask.unit_id, BudgetUnit.name)
                .join(BudgetUnit, BudgetUnit.id == HumanTask.unit_id)
                .where(HumanTask.task_spec == "dw_targets", HumanTask.status == "open")
                .order_by(BudgetUnit.code)
            ).all()
        for number, (task_id, unit_id, unit_name) in enumerate(open_targets[:1]):
            submitter = _holder(actors, "unit_submitter", unit_id)
            if submitter is None:
                continue
            clock.set_now(clock.parse_moment(f"{year}-02-0{3 + number}T10:00:00"))
            commands.complete_task(db, task_id, targets(unit_name), actor=submitter)
            reviewer = _holder(actors, "finance_reviewer", unit_id)
            if number == 0 and reviewer is not None:
                clock.set_now(clock.parse_moment(f"{year}-02-06T15:00:00"))
                with db.reading() as session:
                    review_id = session.scalar(
                        select(HumanTask.id).where(
                            HumanTask.unit_id == unit_id,
                            HumanTask.task_spec == "dw_targets_review",
                            HumanTask.status == "open",
                        )
                    )
                commands.complete_task(db, review_id, review("dw_tr", "通过", 93.0), actor=reviewer)
    return started


@contextmanager
def _clock_at(when: str) -> Iterator[None]:
    """The demo's year as it happened; a clock the caller froze comes back after."""
    previous = clock._fixed  # noqa: SLF001 - restore a clock the caller froze
    clock.set_now(clock.parse_moment(when))
    try:
        yield
    finally:
        clock.set_now(previous)


def _holder(actors: list, role: str, unit_id: int):
    """Someone holding ``role`` for the unit: its own submitter, or a reviewer of its office (R-RL-1)."""
    for actor in actors:
        if role not in actor.roles:
            continue
        if role == "finance_reviewer" and unit_id in (actor.office_units or ()):
            return actor
        if role == "unit_submitter" and actor.unit_id == unit_id:
            return actor
    return None
