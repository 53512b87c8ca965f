"""What people type into the review paths' forms: realistic Chinese content for the demo
and the scenario tests.

One function per form (``forms/*.json``), returning the data a user would submit. The names
and amounts follow DOMAIN.md section 8 (Wanzai county's third-party key evaluations).
"""

from __future__ import annotations

from collections.abc import Iterable


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
