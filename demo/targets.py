"""What a project's performance targets (绩效目标) are made of in the demo: indicators with their
一级/二级 level (R-TG-5), target, unit and weight, what the unit reports at each monitoring node
and at the year's end, and the texts around them (see :mod:`demo.catalogue`)."""

from __future__ import annotations

from dataclasses import dataclass

LEVEL1 = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
}


@dataclass(frozen=True)
class Node:
    """What the unit reports for an indicator at a monitoring node."""

    actual: str
    completion: float  # 完成进度 %
    deviation: str = ""  # 偏差原因
    measure: str = ""  # 纠偏措施


@dataclass(frozen=True)
class Indicator:
    level2: str
    name: str
    direction: str  # ≥ ≤ = 定性
    target: str
    unit: str
    weight: float  # of 100 in the targets form
    nodes: tuple[Node, ...] = ()  # the May and August nodes, as far as the demo goes
    final: str = ""  # the year's actual value (self-evaluation)
    achieved: float = 1.0  # share of the weight the unit scores itself
    shortfall: str = ""  # 偏差原因 when the year fell short (achieved < 1)

    @property
    def level1(self) -> str:
        return LEVEL1[self.level2]


@dataclass(frozen=True)
class Targets:
    goal: str  # 年度总体目标
    basis: str  # 支出测算依据
    indicators: tuple[Indicator, ...]
    necessity: str = ""  # 事前评估: 立项必要性
    risks: str = ""  # 事前评估: 执行风险及应对
    report: str = ""  # 自评报告: 主要绩效
    problems: str = ""  # 自评: 存在问题及改进措施
    executed_share: float = 0.96  # of the budget executed in the year
    finance_score: float = 82.0  # finance's review score of the self-evaluation
    review_comment: str = ""  # finance's 复核意见
    problem: str = "部分绩效指标未达到年度目标值"  # what results application asks the unit to rectify
