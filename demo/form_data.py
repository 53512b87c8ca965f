"""What people type into the review paths' forms: realistic Chinese content for the demo
and the scenario tests.

One function per form (``forms/*.json``), returning the data a user would submit. The names
and amounts follow DOMAIN.md section 8 (Wanzai county's third-party key evaluations).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from workflows import clock
from workflows.config import settings
from workflows.engine import forms as engine_forms


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
        "ea_truth_pledge": True,
    }


def head_approval(agree: bool = True) -> dict:
    return {
        "ea_head_opinion": "同意报送" if agree else "退回修改",
        "ea_head_comment": "经单位班子会议研究同意。",
    }


# the ex-ante review's aspects (R-EA-2) and their points, as forms/ex_ante_finance_review.json has them
EX_ANTE_ASPECTS = (
    ("ea_score_necessity", 20),
    ("ea_score_economy", 15),
    ("ea_score_targets", 20),
    ("ea_score_feasibility", 20),
    ("ea_score_funding", 15),
    ("ea_score_risk", 10),
)


def ex_ante_aspects(score: float) -> dict:
    """A score per aspect (R-EA-2), each in proportion to its points, adding up to ``score``."""
    scores = {key: round(points * score / 100, 1) for key, points in EX_ANTE_ASPECTS[:-1]}
    last, _points = EX_ANTE_ASPECTS[-1]
    scores[last] = round(score - sum(scores.values()), 1)
    return scores


def ex_ante_review(score: float, conclusion: str = "支持", next_step: str = "作出结论") -> dict:
    """The finance review of the ex-ante report: ``score`` is the total the aspects add up to
    (the form computes ``ea_finance_score`` from them; it is never typed)."""
    return {
        **ex_ante_aspects(score),
        "ea_finance_conclusion": conclusion,
        "ea_next_step": next_step,
        "ea_finance_comment": "评估报告内容完整，测算依据基本充分。",
    }


def ex_ante_expert_sheet(score: float, conclusion: str = "支持") -> dict:
    """One expert's ex-ante score sheet (forms/ex_ante_expert_score.json): the finance review's
    aspects and points (R-EA-2), scored on the expert's own, adding up to ``score``."""
    return {
        **{key.replace("ea_score_", "ex_score_"): value for key, value in ex_ante_aspects(score).items()},
        "expert_conclusion": conclusion,
        "expert_opinion": "项目论证较充分，建议细化进度安排。",
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


def performance_targets(
    name: str,
    amount_wan: float = 100,
    *,
    owner: str = "田志强",
    year: int | None = None,
    years: int = 1,
    other_wan: float = 0,
) -> dict:
    """The 申报表: its header (项目负责人, 项目属性, 项目期, 资金: 中期 and 年度, 其中 财政拨款 and 其他
    资金, which add up), 中长期 and 年度目标, and the indicators. ``year`` is the first year of
    the 项目期 (default: this year); ``years`` its length; ``amount_wan`` the year's funds."""
    first = year or clock.now().year
    return {
        "tg_owner_name": owner,
        "tg_project_kind": "新增项目" if years == 1 else "延续项目",
        "tg_period_start": first,
        "tg_period_end": first + years - 1,
        "tg_midterm_funds": round(amount_wan * years, 2),
        "tg_annual_funds": amount_wan,
        "tg_fiscal_funds": round(amount_wan - other_wan, 2),
        "tg_other_funds": other_wan,
        "tg_midterm_goal": f"项目期内建成并稳定运行{name}，相关公共服务水平和群众满意度持续提升。",
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


def _approved(indicators: list[dict] | None) -> list[dict]:
    """The approved 绩效指标 a report is filed against (the demo's targets unless given)."""
    return indicators if indicators is not None else performance_targets("")["indicators"]


def _prefilled(form: str, indicators: list[dict] | None) -> dict:
    """The rows the page pre-fills from the approved targets (``x-prefill``), as a person finds them."""
    schema = json.loads((settings().forms_dir / f"{form}.json").read_text(encoding="utf-8"))
    return engine_forms.prefilled(schema, {"indicators": _approved(indicators)})


def _progress(row: dict, share: float) -> dict:
    """What a unit reports on one approved indicator at a monitoring node, ``share`` of the year done."""
    target, unit = str(row.get("target_value") or ""), row.get("unit") or ""
    if row.get("level1") == "满意度指标" or not target.replace(".", "", 1).isdigit():
        return {"actual_value": "年底开展调查", "completion_rate": 0, "projected_value": f"{target}{unit}"}
    reached = float(target) * share
    shown = f"{reached:.0f}" if float(target) >= 10 else f"{reached:.1f}"
    return {
        "actual_value": f"{shown}{unit}",
        "completion_rate": round(share * 100),
        "projected_value": f"{target}{unit}",
    }


def outlook(behind: bool = False, reason: str = "", category: str = "其他") -> dict:
    """A monitoring row's 完成目标可能性 and 偏差原因 (national 绩效监控情况表): on course, 确定能
    with no deviation; behind, 有可能 with the deviation's category and explanation (the form
    requires both then)."""
    if not behind:
        return {"likelihood": "确定能", "deviation_reason": ""}
    return {"likelihood": "有可能", "deviation_category": category, "deviation_reason": reason}


def projected_amount(amount_wan: float, share: float) -> float:
    """全年预计执行数: what the unit expects to have spent by the year's end, within the budget
    and not below what it has spent by the node (the form checks both)."""
    return max(round(amount_wan * share, 2), round(amount_wan * 0.96, 2))


def monitoring_report(amount_wan: float, share: float = 0.45, indicators: list[dict] | None = None) -> dict:
    """The 绩效运行监控表: a row per approved indicator (pre-filled), the progress typed in."""
    rows = _prefilled("monitoring_report", indicators)["mn_indicator_progress"]
    for index, row in enumerate(rows):
        row.update(_progress(row, share))
        row.update(outlook(behind=index == 0 and share < 0.5, reason="雨季影响施工"))
        row["corrective_measures"] = "增加施工班组，倒排工期" if index == 0 and share < 0.5 else ""
    return {
        "mn_budget_amount": amount_wan,
        "mn_executed_amount": round(amount_wan * share, 2),
        "mn_projected_amount": projected_amount(amount_wan, share),
        "mn_indicator_progress": rows,
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


def _scored(rows: list[dict], points: float) -> list[dict]:
    """Self-evaluation rows scored ``points`` in all: each row up to its weight, in order."""
    left = Decimal(str(points))
    for row in rows:
        score = min(left, Decimal(str(row["weight"])))
        left -= score
        row["score"] = int(score) if score == score.to_integral_value() else float(score)
        target = f"{row.get('target_value') or ''}{row.get('unit') or ''}"
        row["actual_value"] = target if score == Decimal(str(row["weight"])) else f"未完全达到{target}"
        if score < Decimal(str(row["weight"])):
            row["deviation_reason"] = "受施工期影响，完成值略低于年度目标"
    return rows


def funding_by_source(budget: float, executed: float, other: float = 0) -> dict:
    """年初预算数, 全年预算数 and 全年执行数 by source as the 申报表 declared them: ``other`` 万元 of
    其他资金, the rest 财政拨款 (no 上年结转); each source executes its share of ``executed``. The
    form computes the totals."""
    fiscal = round(budget - other, 2)
    executed_fiscal = round(executed * fiscal / budget, 2) if budget else executed
    data = {
        "ev_budget_start_fiscal": fiscal,
        "ev_budget_fiscal": fiscal,
        "ev_executed_fiscal": executed_fiscal,
    }
    if other:
        executed_other = round(executed - executed_fiscal, 2)
        data.update(ev_budget_start_other=other, ev_budget_other=other, ev_executed_other=executed_other)
    return data


def self_evaluation(
    budget: float,
    executed: float,
    output: float = 45,
    outcome: float = 26,
    satisfaction: float = 9,
    indicators: list[dict] | None = None,
    other: float = 0,
) -> dict:
    """A self-evaluation table: 全年预算 ``budget`` and 执行 ``executed`` (万元; ``other`` of them
    其他资金, the rest 财政拨款, as the 申报表 declared; the form computes the totals, 执行率 and the
    10 points), the approved indicators (pre-filled, weights 50/30/10) scored so the indicator
    scores add up to the given parts."""
    tables = _prefilled("self_evaluation", indicators)
    return {
        **funding_by_source(budget, executed, other),
        "ev_goal_actual": "年度总体目标基本完成，主要建设内容已完工并投入使用。",
        "ev_output_indicators": _scored(tables.get("ev_output_indicators", []), output),
        "ev_outcome_indicators": _scored(tables.get("ev_outcome_indicators", []), outcome),
        "ev_satisfaction_indicators": _scored(tables.get("ev_satisfaction_indicators", []), satisfaction),
        "ev_report": "项目按计划实施，主要绩效目标基本完成。",
        "ev_problems": "个别子项目进度滞后。",
    }


def _standard_sheet(form: str, table: str, score: float) -> list[dict]:
    """The form's standard score sheet (决策/过程/产出/效益, ``x-prefill`` rows) as a reviewer
    scores it: every item the same share of its 分值, rounded to 0.5, the rounding put right on
    the items that have room so the items add up to ``score``."""
    schema = json.loads((settings().forms_dir / f"{form}.json").read_text(encoding="utf-8"))
    rows = engine_forms.prefilled(schema, {})[table]
    share = Decimal(str(score)) / 100
    for row in rows:
        row["score"] = (Decimal(str(row["max_points"])) * share * 2).quantize(Decimal(1)) / 2
    left = Decimal(str(score)) - sum(row["score"] for row in rows)
    for row in rows:
        room = Decimal(str(row["max_points"])) - row["score"]
        step = min(left, room) if left > 0 else max(left, -row["score"])
        row["score"] += step
        left -= step
    for row in rows:
        row["score"] = float(row["score"]) if row["score"] % 1 else int(row["score"])
        if row["score"] < row["max_points"]:
            row["note"] = "资料不够完整，酌情扣分"
    return rows


def evaluation_review(score: float, problems: Iterable[tuple[str, str]] = (), **flags) -> dict:
    """A finance score sheet on the standard indicator system adding up to ``score``, with its
    问题清单 (``(一级指标, 问题)`` pairs); flags: audit_findings, serious_misuse, ..."""
    data = {
        "ev_score_sheet": _standard_sheet("evaluation_review", "ev_score_sheet", score),
        "ev_problem_list": _problem_list(problems),
        "ev_audit_findings": False,
        "ev_serious_misuse": False,
        "ev_false_report": False,
        "ev_needs_experts": False,
        "ev_select_third_party": False,
        "ev_review_comment": "自评结果基本真实，复核得分如表。",
    }
    data.update({f"ev_{k}": v for k, v in flags.items()})
    return data


def _problem_list(problems: Iterable[tuple[str, str]]) -> list[dict]:
    return [
        {"level1": level1, "problem": problem, "suggestion": "限期整改，整改结果报财政部门"}
        for level1, problem in problems
    ]


def third_party_evaluation(score: float, problems: Iterable[tuple[str, str]] = ()) -> dict:
    """A third-party score sheet on the standard indicator system adding up to ``score`` (the
    评价得分 is its computed total)."""
    return {
        "tp_ev_score_sheet": _standard_sheet("third_party_evaluation", "tp_ev_score_sheet", score),
        "tp_ev_problem_list": _problem_list(problems),
        "tp_ev_report": "按决策、过程、产出、效益四类指标独立评价，详见评价报告。",
    }


def results_feedback(
    problems: Iterable[tuple[str, str]] = (), disclose: bool = True, sensitive: bool = False
) -> dict:
    return {
        "ra_problems": [
            {"problem": p, "requirement": "限期整改并报送整改结果", "deadline": d} for p, d in problems
        ],
        "ra_disclose": disclose and not sensitive,  # R-RA-4: a sensitive result is never published
        "ra_sensitive": sensitive,
        "ra_comment": "评价结果已反馈单位。",
    }
