"""The demo projects' own performance targets (绩效目标) and what their units report against them.

Each demo project declares indicators that fit what it buys (DOMAIN 8 and R-TG-5): a sewage plant
reports 日处理量 and 出水达标率, a village clean-up 整治村庄数 and 垃圾收运覆盖率, not one set for
all. The indicators live in :mod:`demo.catalogue`; this module turns them into what the forms take:

- the 绩效目标申报表 (``tg_set``): 产出 60 / 效益 30 / 满意度 10 points, so that the self-evaluation's
  national 50 / 30 / 10 rescale to round weights;
- a monitoring report (``mn_report``) over the rows the page pre-fills from the approved targets,
  with what was reached by the node, its completion and, where it lags, the reason and the measure;
- the self-evaluation (``ev_self``) over its pre-filled rows: the year's actual value, each row
  scored as a share of its weight, the executed amount within the budget.

A project the catalogue does not know gets :mod:`demo.form_data`'s general rows.
"""

from __future__ import annotations

from workflows import domain

from . import form_data
from .catalogue import CATALOGUE
from .targets import Indicator, Node, Targets

TABLES = {  # self-evaluation table of each 一级指标
    "产出指标": "ev_output_indicators",
    "效益指标": "ev_outcome_indicators",
    "满意度指标": "ev_satisfaction_indicators",
}


def targets_of(name: str) -> Targets | None:
    """The catalogue's targets of a project, by its name (``万载县…项目`` spellings too)."""
    key = name.strip()
    for prefix in ("万载县",):
        key = key.removeprefix(prefix)
    return CATALOGUE.get(key) or CATALOGUE.get(key.removesuffix("项目"))


# --- the forms --------------------------------------------------------------------------------


def ex_ante_report(name: str, amount_wan: float) -> dict:
    data = form_data.ex_ante_report(name, amount_wan)
    known = targets_of(name)
    if known is not None and known.indicators:
        names = [i.name for i in known.indicators if i.level1 != "满意度指标"][:4]
        data["ea_target_reasonableness"] = (
            f"绩效目标与项目内容匹配，{'、'.join(names)}等指标均可量化、可考核。"
        )
    if known is not None:
        data["ea_necessity"] = known.necessity or data["ea_necessity"]
        data["ea_risks"] = known.risks or data["ea_risks"]
    return data


def performance_targets(name: str, amount_wan: float = 100, *, year: int | None = None) -> dict:
    """The 绩效目标申报表 the unit files for the project (``tg_set``): the template's header
    (项目负责人, 项目期, 资金), then the project's own goal and indicators where it declares them."""
    generic = form_data.performance_targets(name, amount_wan, year=year)
    known = targets_of(name)
    if known is None or not known.indicators:
        return generic
    return {
        **generic,
        "tg_overall_goal": known.goal,
        "tg_spending_basis": known.basis,
        "indicators": [
            {
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "direction": i.direction,
                "target_value": i.target,
                "unit": i.unit,
                "weight": i.weight,
            }
            for i in known.indicators
        ],
    }


def _by_name(name: str) -> dict[str, Indicator]:
    known = targets_of(name)
    return {i.name: i for i in known.indicators} if known else {}


def _node(indicator: Indicator | None, round_no: int) -> Node:
    if indicator is not None and len(indicator.nodes) >= round_no:
        return indicator.nodes[round_no - 1]
    return Node("按计划推进", 45.0 if round_no == 1 else 70.0)


def _approved_rows(name: str, form: str) -> dict:
    """The tables ``form``'s page pre-fills from the project's approved targets (``x-prefill``)."""
    return form_data._prefilled(form, performance_targets(name)["indicators"])  # noqa: SLF001


def _outlook(row: dict, node: Node, indicator: Indicator | None, target: str) -> dict:
    """完成目标可能性 and 偏差原因 of a monitoring row: behind where the node lags or the full
    year's projection falls short of the target (the form then requires the reason)."""
    projected = indicator.final if indicator and indicator.final else target
    short = domain.falls_short(projected, row.get("target_value"), row.get("direction"))
    if not (node.deviation or short):
        return form_data.outlook()
    reason = node.deviation or (indicator.shortfall if indicator else "") or "预计全年难以完全达到目标值"
    return form_data.outlook(behind=True, reason=reason)


def monitoring_report(
    name: str, amount_wan: float, round_no: int, prefilled: dict | None = None, *, lagging: bool = False
) -> dict:
    """The 绩效运行监控表 at the ``round_no``-th node, over the rows the page pre-filled (the
    approved indicators, in order, bound: R-TG-5, R-MN-2): what was reached by the node, its
    completion, the full year's projected value and, where it lags, the reason and the measure.

    ``lagging``: spending well behind the 序时进度 (the review will return it, R-MN-3)."""
    share = (0.18 if lagging else 0.42) if round_no == 1 else 0.71
    known = _by_name(name)
    if not known:
        data = form_data.monitoring_report(amount_wan, share, performance_targets(name)["indicators"])
        data["mn_budget_amount"] = amount_wan
        return data
    rows = list((prefilled or {}).get("mn_indicator_progress") or [])
    if not rows:  # a form filled without its page: the rows the page would pre-fill
        rows = _approved_rows(name, "monitoring_report")["mn_indicator_progress"]
    filled = []
    for row in rows:
        indicator = known.get(row.get("name"))
        node = _node(indicator, round_no)
        target = f"{row.get('target_value') or ''}{row.get('unit') or ''}"
        filled.append(
            {
                **row,
                "actual_value": node.actual,
                "completion_rate": node.completion,
                "projected_value": (indicator.final if indicator and indicator.final else target),
                **_outlook(row, node, indicator, target),
                "corrective_measures": node.measure,
            }
        )
    lags = [f"{r['name']}（{r['deviation_reason']}）" for r in filled if r["deviation_reason"]]
    summary = "预算执行和绩效目标完成进度总体符合序时要求。"
    if lags:
        summary = "存在偏差：" + "；".join(lags) + "。已制定纠偏措施，加快推进。"
    if lagging:
        summary = "预算执行进度滞后于序时进度：合同签订和资金支付滞后。" + (
            "；".join(lags) + "。" if lags else ""
        )
    return {
        "mn_budget_amount": amount_wan,
        "mn_executed_amount": round(amount_wan * share, 2),
        "mn_projected_amount": form_data.projected_amount(amount_wan, share),
        "mn_indicator_progress": filled,
        "mn_deviation_summary": summary,
    }


def self_evaluation(
    name: str, amount_wan: float, prefilled: dict | None = None, *, other_wan: float = 0
) -> dict:
    """The 项目支出绩效自评表 over the rows the page pre-filled: actual values and scores; the
    budget by source as the 申报表 declared it (``other_wan`` of 其他资金, the rest 财政拨款)."""
    known_targets = targets_of(name)
    if known_targets is None or not known_targets.indicators:
        approved = performance_targets(name)["indicators"]
        executed = round(amount_wan * 0.96, 2)
        return form_data.self_evaluation(amount_wan, executed, 46, 25, 9, approved, other=other_wan)
    known = _by_name(name)
    executed = round(amount_wan * known_targets.executed_share, 2)
    data = {
        # 年初预算数, 全年预算数 and 全年执行数 by source (the form computes the totals)
        **form_data.funding_by_source(amount_wan, executed, other_wan),
        "ev_goal_actual": (known_targets.goal or "年度总体目标").rstrip("。") + "，已基本完成。",
    }
    page = None  # the tables the page pre-fills, when filled without the page
    for table in TABLES.values():
        rows = list((prefilled or {}).get(table) or [])
        if not rows:
            page = page or _approved_rows(name, "self_evaluation")
            rows = page.get(table, [])
        filled = []
        for row in rows:
            indicator = known.get(row.get("name"))
            weight = float(row.get("weight") or 0)
            target = f"{row.get('target_value') or ''}{row.get('unit') or ''}"
            actual = indicator.final if indicator and indicator.final else target
            achieved = indicator.achieved if indicator else 1.0
            reason = (indicator.shortfall or "未达到年度目标值") if indicator and achieved < 1 else ""
            filled.append(
                {
                    **row,
                    "actual_value": actual,
                    "score": round(weight * achieved, 2),
                    "deviation_reason": reason,
                }
            )
        data[table] = filled
    data["ev_report"] = known_targets.report or (
        f"项目全年预算{amount_wan:.2f}万元，执行{executed:.2f}万元，"
        f"执行率{executed / amount_wan * 100:.1f}%。主要绩效目标基本完成。"
    )
    data["ev_problems"] = known_targets.problems or "个别指标进度前松后紧，下年度将加强过程管理。"
    return data


def evaluation_review(name: str) -> dict:
    """Finance's 复核打分表 of the project's self-evaluation."""
    known = targets_of(name)
    if known is None or not known.indicators:
        return form_data.evaluation_review(76.5)
    found = [("过程", known.problem)] if known.problem and known.finance_score < 90 else []
    data = form_data.evaluation_review(known.finance_score, problems=found)  # 问题清单
    if known.review_comment:
        data["ev_review_comment"] = known.review_comment
    return data


def problem_of(name: str) -> str:
    """The problem results application feeds back to the unit for rectification (R-RA-2)."""
    known = targets_of(name)
    return known.problem if known is not None else "部分子项目进度滞后"
