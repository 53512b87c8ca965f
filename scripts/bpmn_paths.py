"""Write the review paths (bpmn/*.bpmn) and their decision tables (bpmn/*.dmn).

Run ``.venv/bin/python scripts/bpmn_paths.py`` to regenerate; then ``jixiao lint bpmn/``.
The generated files are the process knowledge the engine deploys; the thresholds,
deadlines and routes in them cite DOMAIN.md. A designer may edit the files directly
(bpmn-js); do not regenerate over such edits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).parent))
from bpmn_layout import Process  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "bpmn"

# Policy variables a starter may override; otherwise the process sets the default.
# A try/except reads "use the value the instance was started with, if any".
DEFAULT = "try:\n    {name}\nexcept Exception:\n    {name} = {value}\n"


def defaults(**pairs) -> str:
    return "".join(DEFAULT.format(name=k, value=v) for k, v in pairs.items())


# --- rectification 整改 -------------------------------------------------------------


def rectification() -> Process:
    p = Process(
        "rectification",
        "整改 Rectification",
        ["unit_submitter", "finance_reviewer", "leadership"],
        "DOMAIN R-RC-1, R-RC-2: the unit states measures and evidence, the reviewer verifies; "
        "each return is recorded; after rectification_max_rounds returns (default 3) it escalates.",
    )
    p.start("StartEvent_rc", "需要整改", "unit_submitter")
    p.script(
        "rc_init",
        "整改开始",
        "unit_submitter",
        defaults(
            rectification_max_rounds=3,
            rect_subject='"整改"',
            rect_reasons='""',
            rect_due_at="None",
            project_stage='"rectification"',
        )
        + 'rect_previous_stage = project_stage\nproject_stage = "rectification"\n'
        "rect_returns = 0\nrect_log = []\nrectification_result = None\n",
    )
    p.user(
        "rc_submit",
        "提交整改措施及佐证 Submit rectification",
        "unit_submitter",
        "rectification_submit.json",
        {"dueAt": "rect_due_at"},
    )
    p.user("rc_verify", "核实整改情况 Verify rectification", "finance_reviewer", "rectification_verify.json")
    p.script(
        "rc_record",
        "记录整改轮次",
        "finance_reviewer",
        'rect_log = rect_log + [{"round": len(rect_log) + 1, "verdict": rect_verdict, '
        '"comment": rect_comment}]\n'
        'if rect_verdict == "退回":\n    rect_returns = rect_returns + 1\n'
        "    rect_reasons = rect_comment\n",
    )
    p.gateway("gw_rc_verdict", "整改是否通过?", "finance_reviewer", default="Flow_rc_returned")
    p.script(
        "rc_accepted",
        "整改通过",
        "finance_reviewer",
        'rectification_result = "accepted"\nrectification_rounds = len(rect_log)\n'
        "project_stage = rect_previous_stage\n",
    )
    p.end("EndEvent_rc_accepted", "整改完成", "finance_reviewer")
    p.user(
        "rc_escalate",
        "整改超过轮次上限：领导决定 Escalation",
        "leadership",
        "rectification_escalation.json",
    )
    p.script(
        "rc_escalated",
        "记录领导决定",
        "leadership",
        'rectification_result = "escalated"\nrectification_rounds = len(rect_log)\n'
        "project_stage = rect_previous_stage\n",
    )
    p.end("EndEvent_rc_escalated", "已上报领导", "leadership")
    p.chain("StartEvent_rc", "rc_init", "rc_submit", "rc_verify", "rc_record", "gw_rc_verdict")
    p.flow("gw_rc_verdict", "rc_accepted", 'rect_verdict == "通过"', name="通过")
    # R-RC-2: bounded rounds — the (max+1)-th return goes to leadership
    p.flow(
        "gw_rc_verdict",
        "rc_escalate",
        'rect_verdict == "退回" and rect_returns > rectification_max_rounds',
        name="超过轮次上限",
    )
    p.flow("gw_rc_verdict", "rc_submit", id="Flow_rc_returned", name="退回再整改")
    p.chain("rc_accepted", "EndEvent_rc_accepted")
    p.chain("rc_escalate", "rc_escalated", "EndEvent_rc_escalated")
    return p


# --- ex-ante assessment 事前绩效评估 ---------------------------------------------------

EXPERT_POSTSCRIPT = (
    '{out} = {{"expert": expert, "score": total([row["score"] for row in expert_sheet]), '
    '"conclusion": expert_conclusion, "opinion": expert_opinion}}'
)


def ex_ante_assessment() -> Process:
    p = Process(
        "ex_ante_assessment",
        "事前绩效评估 Ex-ante assessment",
        ["unit_submitter", "unit_head", "finance_reviewer", "expert", "third_party"],
        "DOMAIN R-EA-1..4: report → unit head → finance scores; major/specialised → expert panel "
        "or third party; DMN ex_ante_decision: 80 passes, below 80 or 不支持 blocks.",
    )
    p.start("StartEvent_ea", "新增项目申报", "unit_submitter")
    p.script(
        "ea_init",
        "准备事前评估",
        "unit_submitter",
        defaults(rectification_max_rounds=3, experts="[]", is_major="False")
        + "ea_head_returns = 0\nea_finance_returns = 0\nea_panel_score = None\nea_panel_conclusion = None\n"
        "tp_ea_score = None\ntp_ea_conclusion = None\nea_route = None\n",
    )
    p.user("ea_write", "编制事前绩效评估报告 Write assessment", "unit_submitter", "ex_ante_report.json")
    p.user("ea_head", "单位负责人审核 Unit head approval", "unit_head", "ex_ante_head_approval.json")
    p.gateway("gw_ea_head", "负责人同意?", "unit_head", default="Flow_ea_head_returned")
    p.script("ea_head_count", "记录退回", "unit_head", "ea_head_returns = ea_head_returns + 1\n")
    p.gateway("gw_ea_head_limit", "退回次数超限?", "unit_head", default="Flow_ea_rewrite")
    p.script(
        "ea_no_report",
        "未报送评估报告",
        "unit_head",
        # R-EA-4: no report → not budgeted
        'ea_supported = False\nea_decision = "未报送事前绩效评估报告"\nea_final_score = None\n',
    )
    p.end("EndEvent_ea_no_report", "不进入预算", "unit_head")
    p.user(
        "ea_finance_review",
        "财政审核评分 Finance review",
        "finance_reviewer",
        "ex_ante_finance_review.json",
    )
    p.script(
        "ea_route_decide",
        "确定评审路径",
        "finance_reviewer",
        # R-EA-3: major or specialised projects get the expert panel; finance may return once per round
        'if ea_next_step == "退回整改" and ea_finance_returns < rectification_max_rounds:\n'
        '    ea_route = "rectify"\n'
        'elif (is_major or ea_next_step == "专家评审") and len(experts) > 0:\n'
        '    ea_route = "experts"\n'
        'elif ea_next_step == "第三方复核":\n'
        '    ea_route = "third_party"\n'
        "else:\n"
        '    ea_route = "decide"\n',
    )
    p.gateway("gw_ea_route", "评审路径", "finance_reviewer", default="Flow_ea_decide")
    p.script(
        "ea_prepare_rect",
        "退回整改",
        "finance_reviewer",
        'ea_finance_returns = ea_finance_returns + 1\nrect_subject = "事前绩效评估"\n'
        "rect_reasons = ea_finance_comment\nrect_due_at = None\n",
    )
    p.call("call_ea_rect", "整改 Rectification", "finance_reviewer", "rectification")
    p.gateway("gw_ea_rect", "整改通过?", "finance_reviewer", default="Flow_ea_rect_failed")
    p.script(
        "ea_rect_failed",
        "整改未通过",
        "finance_reviewer",
        'ea_finance_conclusion = "不支持"\n',
    )
    p.user(
        "ea_expert_score",
        "专家评审打分 Expert scoring",
        "expert",
        "expert_score_sheet.json",
        {"assignee": "expert"},
        mi=("experts", "expert", "ea_expert_reviews", "ea_expert_review"),
        postscript=EXPERT_POSTSCRIPT.format(out="ea_expert_review"),
    )
    p.script(
        "ea_panel_inputs",
        "汇总专家意见",
        "finance_reviewer",
        'ea_panel_scores = [r["score"] for r in ea_expert_reviews]\n'
        "panel_expert_count = len(ea_panel_scores)\n"
        'panel_oppose_share = len([r for r in ea_expert_reviews if r["conclusion"] == "不支持"]) '
        "/ panel_expert_count\n",
    )
    p.rule("ea_panel_rule", "专家组计分规则 (DMN)", "finance_reviewer", "expert_panel")
    p.script(
        "ea_panel_result",
        "计算专家组得分",
        "finance_reviewer",
        "ea_panel_score = aggregate(panel_method, ea_panel_scores)\nea_panel_conclusion = panel_conclusion\n",
    )
    p.user(
        "ea_third_party",
        "第三方复核评估 Third-party re-assessment",
        "third_party",
        "third_party_assessment.json",
    )
    p.gateway("gw_ea_merge", "", "finance_reviewer")
    p.script(
        "ea_final",
        "确定最终得分与结论",
        "finance_reviewer",
        "ea_final_score = ea_finance_score\nea_final_conclusion = ea_finance_conclusion\n"
        "if ea_panel_score is not None:\n    ea_final_score = ea_panel_score\n"
        '    if ea_panel_conclusion == "不支持":\n        ea_final_conclusion = "不支持"\n'
        "if tp_ea_score is not None:\n    ea_final_score = tp_ea_score\n"
        '    if tp_ea_conclusion == "不支持":\n        ea_final_conclusion = "不支持"\n',
    )
    p.rule("ea_decide", "事前评估结论 (DMN)", "finance_reviewer", "ex_ante_decision")
    p.end("EndEvent_ea", "评估完成", "finance_reviewer")

    p.chain("StartEvent_ea", "ea_init", "ea_write", "ea_head", "gw_ea_head")
    p.flow("gw_ea_head", "ea_finance_review", 'ea_head_opinion == "同意报送"', name="同意报送")
    p.flow("gw_ea_head", "ea_head_count", id="Flow_ea_head_returned", name="退回修改")
    p.chain("ea_head_count", "gw_ea_head_limit")
    p.flow("gw_ea_head_limit", "ea_no_report", "ea_head_returns > rectification_max_rounds", name="超限")
    p.flow("gw_ea_head_limit", "ea_write", id="Flow_ea_rewrite", name="修改报告")
    p.chain("ea_no_report", "EndEvent_ea_no_report")
    p.chain("ea_finance_review", "ea_route_decide", "gw_ea_route")
    p.flow("gw_ea_route", "ea_prepare_rect", 'ea_route == "rectify"', name="退回整改")
    p.flow("gw_ea_route", "ea_expert_score", 'ea_route == "experts"', name="专家评审")
    p.flow("gw_ea_route", "ea_third_party", 'ea_route == "third_party"', name="第三方复核")
    p.flow("gw_ea_route", "gw_ea_merge", id="Flow_ea_decide", name="作出结论")
    p.chain("ea_prepare_rect", "call_ea_rect", "gw_ea_rect")
    p.flow("gw_ea_rect", "ea_finance_review", 'rectification_result == "accepted"', name="重新审核")
    p.flow("gw_ea_rect", "ea_rect_failed", id="Flow_ea_rect_failed", name="整改未通过")
    p.chain("ea_rect_failed", "gw_ea_merge")
    p.chain("ea_expert_score", "ea_panel_inputs", "ea_panel_rule", "ea_panel_result", "gw_ea_merge")
    p.chain("ea_third_party", "gw_ea_merge")
    p.chain("gw_ea_merge", "ea_final", "ea_decide", "EndEvent_ea")
    return p


# --- performance targets 绩效目标审核 ------------------------------------------------------


def target_review() -> Process:
    p = Process(
        "target_review",
        "绩效目标审核 Target review",
        ["unit_submitter", "finance_reviewer"],
        "DOMAIN R-TG-1..3, R-TG-5: the unit sets indicators; finance approves, returns for "
        "adjustment, or (only after a return) refuses; approved targets are published with the budget.",
    )
    p.start("StartEvent_tg", "编制预算", "unit_submitter")
    p.script(
        "tg_init",
        "准备目标申报",
        "unit_submitter",
        defaults(rectification_max_rounds=3) + "tg_returns = 0\n",
    )
    p.user("tg_set", "填报绩效目标 Set targets", "unit_submitter", "performance_targets.json")
    p.script(
        "tg_summarize",
        "汇总指标",
        "unit_submitter",
        'tg_indicator_count = len(indicators)\ntg_weight_total = total([i["weight"] for i in indicators])\n',
    )
    p.user("tg_review", "财政审核绩效目标 Review targets", "finance_reviewer", "targets_review.json")
    p.gateway("gw_tg", "审核结论", "finance_reviewer", default="Flow_tg_return")
    p.script(
        "tg_approved",
        "批复目标并随预算公开",
        "finance_reviewer",
        # R-TG-3: approved targets go with the draft budget to the congress and are published
        'targets_approved = True\ntargets_status = "已批复"\ntargets_publish_with_budget = True\n'
        "targets_report_to_congress = True\n",
    )
    p.script("tg_return", "退回调整", "finance_reviewer", "tg_returns = tg_returns + 1\n")
    p.gateway("gw_tg_limit", "退回次数超限?", "finance_reviewer", default="Flow_tg_adjust")
    p.script(
        "tg_refused",
        "不予安排预算",
        "finance_reviewer",
        # R-TG-2: unreasonable targets not adjusted → no budget
        'targets_approved = False\ntargets_status = "不予安排预算"\n',
    )
    p.end("EndEvent_tg_approved", "目标已批复", "finance_reviewer")
    p.end("EndEvent_tg_refused", "不予安排", "finance_reviewer")
    p.chain("StartEvent_tg", "tg_init", "tg_set", "tg_summarize", "tg_review", "gw_tg")
    p.flow("gw_tg", "tg_approved", 'tg_decision == "通过"', name="通过")
    # R-TG-2: targets are returned for adjustment before they can be refused
    p.flow("gw_tg", "tg_refused", 'tg_decision == "不予安排" and tg_returns > 0', name="不予安排")
    p.flow("gw_tg", "tg_return", id="Flow_tg_return", name="退回调整")
    p.chain("tg_return", "gw_tg_limit")
    p.flow("gw_tg_limit", "tg_refused", "tg_returns > rectification_max_rounds", name="多次退回未调整")
    p.flow("gw_tg_limit", "tg_set", id="Flow_tg_adjust", name="调整目标")
    p.chain("tg_approved", "EndEvent_tg_approved")
    p.chain("tg_refused", "EndEvent_tg_refused")
    return p


# --- monitoring 绩效运行监控 -----------------------------------------------------------


def monitoring_round() -> Process:
    p = Process(
        "monitoring_round",
        "绩效监控 Monitoring round",
        ["unit_submitter", "finance_reviewer"],
        "DOMAIN R-MN-1..3, R-MN-5: at the node the unit reports execution and target completion "
        "by the 10th of the next month; finance passes or fails; a failure goes to rectification.",
    )
    p.start("StartEvent_mn", "监控节点", "unit_submitter")
    p.script(
        "mn_prepare",
        "计算监控节点与报送期限",
        "unit_submitter",
        # R-MN-2: the report is due the 10th of the month after the node
        "mn_month = int(monitoring_node[0:2])\n"
        'mn_node_at = f"{fiscal_year}-{monitoring_node}T18:00:00+08:00"\n'
        "mn_due_year = fiscal_year + 1 if mn_month == 12 else fiscal_year\n"
        "mn_due_month = 1 if mn_month == 12 else mn_month + 1\n"
        'mn_report_due = f"{mn_due_year}-{mn_due_month:02d}-10T23:59:59+08:00"\n'
        "mn_overdue = False\n",
    )
    p.timer_catch("mn_node_reached", "到达监控节点", "unit_submitter", "mn_node_at")
    p.user(
        "mn_report",
        "填报绩效监控情况 Monitoring report",
        "unit_submitter",
        "monitoring_report.json",
        {"dueAt": "mn_report_due"},
    )
    p.boundary_timer("mn_report_deadline", "报送期限(次月10日)", "mn_report", "mn_report_due")
    p.script("mn_mark_overdue", "标记逾期", "unit_submitter", "project_overdue = True\nmn_overdue = True\n")
    p.end("EndEvent_mn_overdue", "已标记逾期", "unit_submitter")
    p.script(
        "mn_execution",
        "计算预算执行率",
        "unit_submitter",
        "mn_execution_rate = round2(mn_executed_amount / amount_wan * 100) if amount_wan else 0\n",
    )
    p.user("mn_review", "财政审核监控情况 Review monitoring", "finance_reviewer", "monitoring_review.json")
    p.gateway("gw_mn", "审核通过?", "finance_reviewer", default="Flow_mn_failed")
    p.script(
        "mn_passed",
        "监控通过",
        "finance_reviewer",
        "monitoring_passed = True\npayment_status = mn_payment_action\n",
    )
    p.script(
        "mn_failed",
        "监控不通过",
        "finance_reviewer",
        # R-MN-3: a failed review returns the report to the unit for rectification
        "monitoring_passed = False\npayment_status = mn_payment_action\n"
        'rect_subject = "绩效监控"\nrect_reasons = mn_review_comment\nrect_due_at = None\n',
    )
    p.call("call_mn_rect", "整改 Rectification", "finance_reviewer", "rectification")
    p.end("EndEvent_mn_passed", "本轮监控通过", "finance_reviewer")
    p.end("EndEvent_mn_failed", "本轮监控不通过", "finance_reviewer")
    p.chain(
        "StartEvent_mn", "mn_prepare", "mn_node_reached", "mn_report", "mn_execution", "mn_review", "gw_mn"
    )
    p.chain("mn_report_deadline", "mn_mark_overdue", "EndEvent_mn_overdue")
    p.flow("gw_mn", "mn_passed", 'mn_review_result == "通过"', name="通过")
    p.flow("gw_mn", "mn_failed", id="Flow_mn_failed", name="不通过")
    p.chain("mn_passed", "EndEvent_mn_passed")
    p.chain("mn_failed", "call_mn_rect", "EndEvent_mn_failed")
    p.place("mn_failed", "call_mn_rect", "EndEvent_mn_failed")
    return p


# --- evaluation 绩效评价 ------------------------------------------------------------------


def evaluation() -> Process:
    p = Process(
        "evaluation",
        "绩效评价 Evaluation",
        ["unit_submitter", "finance_reviewer", "expert", "third_party"],
        "DOMAIN R-EV-1, R-EV-3..7, section 7: self-evaluation (total computed) → finance score sheet "
        "→ experts for key/specialised projects → optional third party → grade by DMN with caps.",
    )
    p.start("StartEvent_ev", "年度评价", "unit_submitter")
    p.script(
        "ev_prepare",
        "准备绩效评价",
        "unit_submitter",
        defaults(experts="[]", is_major="False", project_grade_cap="None", amount_wan="0")
        # DOMAIN section 7: budget execution rate weighs 10 points (the unit may weight otherwise)
        + "ev_execution_weight = 10\n"
        # R-EV-1: self-evaluation by end of March (002); R-EV-3: finance review by end of May (002)
        + 'ev_self_due = f"{fiscal_year + 1}-03-31T23:59:59+08:00"\n'
        'ev_review_due = f"{fiscal_year + 1}-05-31T23:59:59+08:00"\n'
        # R-EV-4: third-party key evaluations by end of August (002)
        'ev_third_party_due = f"{fiscal_year + 1}-08-31T23:59:59+08:00"\n'
        "ev_panel_score = None\ntp_ev_score = None\n",
    )
    p.user(
        "ev_self",
        "填报绩效自评表 Self-evaluation",
        "unit_submitter",
        "self_evaluation.json",
        {"dueAt": "ev_self_due"},
    )
    p.boundary_timer("ev_self_deadline", "自评期限(次年3月底)", "ev_self", "ev_self_due")
    p.script("ev_self_overdue", "标记逾期", "unit_submitter", "project_overdue = True\n")
    p.end("EndEvent_ev_overdue", "已标记逾期", "unit_submitter")
    p.script(
        "ev_self_total",
        "计算自评总分",
        "unit_submitter",
        # DOMAIN section 7: the total is computed, never typed
        "ev_execution_rate = round2(min(ev_executed_amount / ev_budget_amount, 1) * 100) "
        "if ev_budget_amount else 0\n"
        "ev_execution_points = round2(ev_execution_rate / 100 * ev_execution_weight)\n"
        'ev_output_points = total([min(r["score"], r["weight"]) for r in ev_output_indicators])\n'
        'ev_outcome_points = total([min(r["score"], r["weight"]) for r in ev_outcome_indicators])\n'
        'ev_satisfaction_points = total([min(r["score"], r["weight"]) for r in ev_satisfaction_indicators])\n'
        "ev_self_total = total([ev_execution_points, ev_output_points, ev_outcome_points, "
        "ev_satisfaction_points])\n",
    )
    p.user(
        "ev_finance_review",
        "财政复核评分 Finance review",
        "finance_reviewer",
        "evaluation_review.json",
        {"dueAt": "ev_review_due"},
    )
    p.script(
        "ev_finance_total",
        "计算复核得分",
        "finance_reviewer",
        'ev_finance_score = total([min(r["score"], r["max_points"]) for r in ev_score_sheet])\n',
    )
    p.gateway("gw_ev_experts", "需专家评审?", "finance_reviewer", default="Flow_ev_no_experts")
    p.user(
        "ev_expert_score",
        "专家评审打分 Expert scoring",
        "expert",
        "expert_score_sheet.json",
        {"assignee": "expert"},
        mi=("experts", "expert", "ev_expert_reviews", "ev_expert_review"),
        postscript=EXPERT_POSTSCRIPT.format(out="ev_expert_review"),
    )
    p.script(
        "ev_panel_inputs",
        "汇总专家意见",
        "finance_reviewer",
        'ev_panel_scores = [r["score"] for r in ev_expert_reviews]\n'
        "panel_expert_count = len(ev_panel_scores)\n"
        'panel_oppose_share = len([r for r in ev_expert_reviews if r["conclusion"] == "不支持"]) '
        "/ panel_expert_count\n",
    )
    p.rule("ev_panel_rule", "专家组计分规则 (DMN)", "finance_reviewer", "expert_panel")
    p.script(
        "ev_panel_result",
        "计算专家组得分",
        "finance_reviewer",
        "ev_panel_score = aggregate(panel_method, ev_panel_scores)\n",
    )
    p.gateway("gw_ev_tp", "第三方重点评价?", "finance_reviewer", default="Flow_ev_no_tp")
    p.user(
        "ev_third_party",
        "第三方重点评价 Third-party evaluation",
        "third_party",
        "third_party_evaluation.json",
        {"dueAt": "ev_third_party_due"},
    )
    p.gateway("gw_ev_merge", "", "finance_reviewer")
    p.script(
        "ev_final",
        "确定最终得分",
        "finance_reviewer",
        "ev_final_score = ev_finance_score\n"
        "if ev_panel_score is not None:\n    ev_final_score = ev_panel_score\n"
        "if tp_ev_score is not None:\n    ev_final_score = tp_ev_score\n"
        "project_score = ev_final_score\n",
    )
    p.rule("ev_band", "评价等级 (DMN)", "finance_reviewer", "grade_band")
    p.rule("ev_cap", "等级上限 (DMN)", "finance_reviewer", "grade_cap")
    p.script(
        "ev_record",
        "记录评价结果",
        "finance_reviewer",
        # R-EV-7: a false self-evaluation is a one-vote veto: funds recovered, people accountable
        "ev_grade = project_grade\nfunds_recovered = ev_false_report\naccountability_required = ev_false_report\n",
    )
    p.end("EndEvent_ev", "评价完成", "finance_reviewer")
    p.chain(
        "StartEvent_ev", "ev_prepare", "ev_self", "ev_self_total", "ev_finance_review", "ev_finance_total"
    )
    p.chain("ev_self_deadline", "ev_self_overdue", "EndEvent_ev_overdue")
    p.chain("ev_finance_total", "gw_ev_experts")
    # R-EV-3: key or specialised projects get expert review
    p.flow(
        "gw_ev_experts",
        "ev_expert_score",
        "(is_major or ev_needs_experts) and len(experts) > 0",
        name="专家评审",
    )
    p.flow("gw_ev_experts", "gw_ev_tp", id="Flow_ev_no_experts", name="无需专家")
    p.chain("ev_expert_score", "ev_panel_inputs", "ev_panel_rule", "ev_panel_result", "gw_ev_tp")
    # R-EV-4: finance picks key projects for third-party evaluation
    p.flow("gw_ev_tp", "ev_third_party", "ev_select_third_party", name="第三方评价")
    p.flow("gw_ev_tp", "gw_ev_merge", id="Flow_ev_no_tp", name="不需要")
    p.chain("ev_third_party", "gw_ev_merge")
    p.chain("gw_ev_merge", "ev_final", "ev_band", "ev_cap", "ev_record", "EndEvent_ev")
    return p


# --- results application 结果应用 ----------------------------------------------------------


def results_application() -> Process:
    p = Process(
        "results_application",
        "结果应用 Results application",
        ["performance_office", "finance_reviewer"],
        "DOMAIN R-RA-1..4: a score below 80 cuts next year's budget by the DMN ratio; problems "
        "become rectification items with deadlines; results are disclosed and reported.",
    )
    p.start("StartEvent_ra", "评价结果", "performance_office")
    p.rule("ra_cut", "预算调减比例 (DMN)", "performance_office", "budget_cut")
    p.script(
        "ra_amounts",
        "计算下年度预算调减",
        "performance_office",
        defaults(amount_wan="0") + "ra_cut_amount = round2(amount_wan * project_budget_cut_ratio)\n"
        "ra_next_year_ceiling = round2(amount_wan - ra_cut_amount)\n",
    )
    p.user(
        "ra_feedback",
        "反馈评价结果及整改要求 Feedback",
        "performance_office",
        "results_feedback.json",
    )
    p.gateway("gw_ra_problems", "发现问题?", "performance_office", default="Flow_ra_no_problems")
    p.script(
        "ra_prepare_rect",
        "下达整改要求",
        "performance_office",
        # R-RA-2: problems go back to the unit with a deadline; finance verifies
        'rect_subject = "评价结果整改"\n'
        'rect_reasons = "；".join([r["problem"] for r in ra_problems])\n'
        'rect_due_at = min([r["deadline"] for r in ra_problems]) + "T23:59:59+08:00"\n',
    )
    p.call("call_ra_rect", "整改 Rectification", "finance_reviewer", "rectification")
    p.gateway("gw_ra_merge", "", "performance_office")
    p.script(
        "ra_publish",
        "公开并报告结果",
        "performance_office",
        # R-RA-4: published with the final accounts (sensitive items excepted), reported upward
        "results_disclosed = ra_disclose and not ra_sensitive\n"
        "results_reported_to_government = True\nresults_reported_to_congress = True\n",
    )
    p.end("EndEvent_ra", "结果已应用", "performance_office")
    p.chain("StartEvent_ra", "ra_cut", "ra_amounts", "ra_feedback", "gw_ra_problems")
    p.flow("gw_ra_problems", "ra_prepare_rect", "len(ra_problems) > 0", name="有问题")
    p.flow("gw_ra_problems", "gw_ra_merge", id="Flow_ra_no_problems", name="无问题")
    p.chain("ra_prepare_rect", "call_ra_rect", "gw_ra_merge")
    p.chain("gw_ra_merge", "ra_publish", "EndEvent_ra")
    return p


# --- project lifecycle 项目全过程 -------------------------------------------------------


def project_lifecycle() -> Process:
    p = Process(
        "project_lifecycle",
        "项目预算绩效全过程 Project lifecycle",
        ["performance_office", "leadership"],
        "DOMAIN 3: ex-ante (new projects) → targets → monitoring at each node, counting consecutive "
        "failed reviews → evaluation → results application. Two consecutive failures escalate "
        "to leadership and cap the grade (R-MN-4, R-EV-5).",
    )
    p.start("StartEvent_lc", "项目申报", "performance_office")
    p.script(
        "lc_init",
        "项目全过程初始化",
        "performance_office",
        # R-MN-1: default nodes May 31 and Aug 31 (Oct 31 may be added); R-RC-2: 3 rounds
        defaults(
            rectification_max_rounds=3,
            monitoring_nodes='["05-31", "08-31"]',
            experts="[]",
            is_specialised="False",
            is_new="True",
        )
        + "project_consecutive_failures = 0\nproject_grade_cap = None\nmonitoring_index = 0\n"
        "monitoring_history = []\nescalations = []\n"
        'project_stage = "ex_ante" if is_new else "targets"\n',
    )
    p.rule("lc_classify", "重大/专业项目认定 (DMN)", "performance_office", "project_classification")
    p.gateway("gw_lc_new", "新增项目?", "performance_office", default="Flow_lc_existing")
    p.call("call_ex_ante", "事前绩效评估", "performance_office", "ex_ante_assessment")
    p.gateway("gw_lc_ea", "评估支持?", "performance_office", default="Flow_lc_ea_refused")
    p.script("lc_targets", "进入目标审核", "performance_office", 'project_stage = "targets"\n')
    p.call("call_targets", "绩效目标审核", "performance_office", "target_review")
    p.gateway("gw_lc_tg", "目标批复?", "performance_office", default="Flow_lc_tg_refused")
    p.script(
        "lc_not_budgeted",
        "不进入预算",
        "performance_office",
        'project_stage = "not_budgeted"\nbudget_included = False\n',
    )
    p.end("EndEvent_lc_not_budgeted", "不安排预算", "performance_office")
    p.script(
        "lc_budgeted",
        "纳入预算",
        "performance_office",
        'project_stage = "budgeted"\nbudget_included = True\n',
    )
    p.script(
        "lc_mn_next",
        "下一个监控节点",
        "performance_office",
        'monitoring_node = monitoring_nodes[monitoring_index]\nproject_stage = "monitoring"\n',
    )
    p.call("call_monitoring", "绩效监控", "performance_office", "monitoring_round")
    p.script(
        "lc_mn_count",
        "累计连续不合格次数",
        "performance_office",
        # R-MN-4: a pass resets the count of consecutive failed reviews
        "if monitoring_passed:\n    project_consecutive_failures = 0\n"
        "else:\n    project_consecutive_failures = project_consecutive_failures + 1\n"
        'monitoring_history = monitoring_history + [{"node": monitoring_node, "passed": monitoring_passed}]\n'
        "monitoring_index = monitoring_index + 1\n",
    )
    p.gateway("gw_lc_escalate", "连续两次不合格?", "performance_office", default="Flow_lc_no_escalation")
    p.user(
        "lc_escalation",
        "连续监控不合格：领导决定 Escalation",
        "leadership",
        "monitoring_escalation.json",
    )
    p.script(
        "lc_cap",
        "限定评价等级",
        "leadership",
        # R-MN-4 / R-EV-5: the evaluation cannot be graded 优 or 良
        'project_grade_cap = "中"\n'
        'escalations = escalations + [{"node": monitoring_node, "decision": escalation_decision}]\n',
    )
    p.gateway("gw_lc_more", "还有监控节点?", "performance_office", default="Flow_lc_to_evaluation")
    p.script("lc_evaluation", "进入绩效评价", "performance_office", 'project_stage = "evaluation"\n')
    p.call("call_evaluation", "绩效评价", "performance_office", "evaluation")
    p.script("lc_results", "进入结果应用", "performance_office", 'project_stage = "results"\n')
    p.call("call_results", "结果应用", "performance_office", "results_application")
    p.script("lc_applied", "闭环完成", "performance_office", 'project_stage = "results_applied"\n')
    p.end("EndEvent_lc_applied", "结果已应用", "performance_office")

    p.chain("StartEvent_lc", "lc_init", "lc_classify", "gw_lc_new")
    p.flow("gw_lc_new", "call_ex_ante", "is_new", name="新增项目")
    p.flow("gw_lc_new", "lc_targets", id="Flow_lc_existing", name="延续项目")
    p.chain("call_ex_ante", "gw_lc_ea")
    p.flow("gw_lc_ea", "lc_targets", "ea_supported", name="支持")
    p.flow("gw_lc_ea", "lc_not_budgeted", id="Flow_lc_ea_refused", name="不支持")
    p.chain("lc_targets", "call_targets", "gw_lc_tg")
    p.flow("gw_lc_tg", "lc_budgeted", "targets_approved", name="批复")
    p.flow("gw_lc_tg", "lc_not_budgeted", id="Flow_lc_tg_refused", name="不予安排")
    p.chain("lc_not_budgeted", "EndEvent_lc_not_budgeted")
    p.chain("lc_budgeted", "lc_mn_next", "call_monitoring", "lc_mn_count", "gw_lc_escalate")
    p.flow("gw_lc_escalate", "lc_escalation", "project_consecutive_failures >= 2", name="连续两次不合格")
    p.flow("gw_lc_escalate", "gw_lc_more", id="Flow_lc_no_escalation", name="否")
    p.chain("lc_escalation", "lc_cap", "gw_lc_more")
    p.flow("gw_lc_more", "lc_mn_next", "monitoring_index < len(monitoring_nodes)", name="下一节点")
    p.flow("gw_lc_more", "lc_evaluation", id="Flow_lc_to_evaluation", name="监控结束")
    p.chain(
        "lc_evaluation", "call_evaluation", "lc_results", "call_results", "lc_applied", "EndEvent_lc_applied"
    )
    p.place("lc_not_budgeted", "EndEvent_lc_not_budgeted")
    return p


PROCESSES = [
    project_lifecycle,
    ex_ante_assessment,
    target_review,
    monitoring_round,
    evaluation,
    results_application,
    rectification,
]


# --- DMN ------------------------------------------------------------------------------


def dmn(decision_id: str, name: str, inputs, outputs, rules, doc: str = "") -> str:
    """inputs: [(label, expression)]; outputs: [(label, name)]; rules: [(inputs, outputs, note)]."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
        f' id="Definitions_{decision_id}" name={quoteattr(name)} namespace="http://jixiao.example/dmn">',
        f'  <decision id="{decision_id}" name={quoteattr(name)}>',
    ]
    if doc:
        out.append(f"    <description>{escape(doc)}</description>")
    out.append(f'    <decisionTable id="DecisionTable_{decision_id}" hitPolicy="FIRST">')
    for i, (label, expression) in enumerate(inputs, 1):
        out += [
            f'      <input id="Input_{decision_id}_{i}" label={quoteattr(label)}>',
            f'        <inputExpression id="InputExpression_{decision_id}_{i}">'
            f"<text>{escape(expression)}</text></inputExpression>",
            "      </input>",
        ]
    for i, (label, name) in enumerate(outputs, 1):
        out.append(f'      <output id="Output_{decision_id}_{i}" label={quoteattr(label)} name="{name}" />')
    for r, (ins, outs, note) in enumerate(rules, 1):
        out.append(f'      <rule id="Rule_{decision_id}_{r}">')
        if note:
            out.append(f"        <description>{escape(note)}</description>")
        for i, cell in enumerate(ins, 1):
            out.append(
                f'        <inputEntry id="In_{decision_id}_{r}_{i}"><text>{escape(cell)}</text></inputEntry>'
            )
        for i, cell in enumerate(outs, 1):
            out.append(
                f'        <outputEntry id="Out_{decision_id}_{r}_{i}"><text>{escape(cell)}</text></outputEntry>'
            )
        out.append("      </rule>")
    out += ["    </decisionTable>", "  </decision>", "</definitions>"]
    return "\n".join(out) + "\n"


DECISIONS = {
    "ex_ante_decision": dmn(
        "ex_ante_decision",
        "事前评估结论 Ex-ante decision",
        [("评审结论", "ea_final_conclusion"), ("评审得分", "ea_final_score")],
        [("是否支持", "ea_supported"), ("结论", "ea_decision")],
        [
            (['"不支持"', "-"], ["False", '"结论为不支持，不进入预算安排"'], 'R-EA-4: "不支持" blocks'),
            (["-", ">= 80"], ["True", '"予以支持，进入预算安排"'], "R-EA-4: 80 passes"),
            (["-", "-"], ["False", '"评分低于80分，不进入预算安排"'], "R-EA-4: below 80 blocks"),
        ],
        "DOMAIN R-EA-4 (000 (一)2; 002 (一)). The threshold is local policy: edit the cell and redeploy.",
    ),
    "expert_panel": dmn(
        "expert_panel",
        "专家组计分规则 Expert panel aggregation",
        [("专家人数", "panel_expert_count"), ("不支持比例", "panel_oppose_share")],
        [("计分方法", "panel_method"), ("专家组结论", "panel_conclusion")],
        [
            ([">= 5", "> 0.5"], ['"trimmed_mean"', '"不支持"'], "five or more: drop highest and lowest"),
            ([">= 5", "-"], ['"trimmed_mean"', '"支持"'], ""),
            (["-", "> 0.5"], ['"mean"', '"不支持"'], "a majority against → 不支持"),
            (["-", "-"], ['"mean"', '"支持"'], "default: mean (DOMAIN 3.1 local policy)"),
        ],
        "Local policy (DOMAIN 3.1): how expert scores aggregate; methods: mean, median, trimmed_mean, min, max.",
    ),
    "grade_band": dmn(
        "grade_band",
        "评价等级 Grade bands",
        [("评价得分", "ev_final_score")],
        [("等级", "ev_band_grade"), ("可报送上级", "report_upward")],
        [
            (["> 90"], ['"优"', "True"], "R-EV-6: only above 90 goes up"),
            ([">= 90"], ['"优"', "False"], "优 ≥ 90"),
            ([">= 80"], ['"良"', "False"], "良 80–89.x"),
            ([">= 60"], ['"中"', "False"], "中 60–79.x"),
            (["-"], ['"差"', "False"], "差 < 60"),
        ],
        "DOMAIN section 7 (财预〔2020〕10号): 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60.",
    ),
    "grade_cap": dmn(
        "grade_cap",
        "等级上限 Grade caps",
        [
            ("自评虚假", "ev_false_report"),
            ("严重违规使用资金", "ev_serious_misuse"),
            ("审计或检查发现问题", "ev_audit_findings"),
            ("监控等级上限", "project_grade_cap"),
            ("原等级为优或良", 'ev_band_grade in ("优", "良")'),
        ],
        [("最终等级", "project_grade")],
        [
            (["True", "-", "-", "-", "-"], ['"差"'], "R-EV-7: a false self-evaluation is a one-vote veto"),
            (["-", "True", "-", "-", "-"], ['"差"'], "R-EV-5: serious misuse → 较差 directly"),
            (["-", "-", "True", "-", "True"], ['"中"'], "R-EV-5: audit findings → not 优/良"),
            (["-", "-", "-", '"中"', "True"], ['"中"'], "R-MN-4: two consecutive failed monitoring reviews"),
            (["-", "-", "-", "-", "-"], ["ev_band_grade"], "no cap"),
        ],
        "DOMAIN R-EV-5, R-EV-7, R-MN-4.",
    ),
    "budget_cut": dmn(
        "budget_cut",
        "预算调减比例 Budget cut ratio",
        [("评价得分", "project_score")],
        [("调减比例", "project_budget_cut_ratio"), ("优先保障", "ra_priority")],
        [
            ([">= 90"], ["0", "True"], "good results prioritised (R-RA-3)"),
            ([">= 80"], ["0", "False"], "R-RA-1: 80 → no cut"),
            ([">= 70"], ["0.1", "False"], "70–80 → 10%"),
            ([">= 60"], ["0.2", "False"], "60–70 → 20%"),
            (["-"], ["0.3", "False"], "below 60 → 30%"),
        ],
        "DOMAIN R-RA-1: the ratio table is local policy, set by the finance bureau.",
    ),
    "project_classification": dmn(
        "project_classification",
        "重大/专业项目认定 Major project",
        [("专业性项目", "is_specialised"), ("项目金额(万元)", "amount_wan")],
        [("重大或专业项目", "is_major")],
        [
            (["True", "-"], ["True"], "specialised projects always get experts"),
            (["-", ">= 500"], ["True"], "local policy: 500 万元 and above counts as major"),
            (["-", "-"], ["False"], ""),
        ],
        "DOMAIN 3.1 local policy: the amount above which a project counts as major (002 leaves it to each county).",
    ),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for build in PROCESSES:
        process = build()
        (OUT / f"{process.id}.bpmn").write_text(process.to_xml(), encoding="utf-8")
    for decision_id, text in DECISIONS.items():
        (OUT / f"{decision_id}.dmn").write_text(text, encoding="utf-8")
    print(f"wrote {len(PROCESSES)} processes and {len(DECISIONS)} decision tables to {OUT}")


if __name__ == "__main__":
    main()
