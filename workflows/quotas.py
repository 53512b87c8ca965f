"""年度评价对象选取 the year's selection: quota arithmetic, priority and the reproducible draw.

Pure functions (no database, no engine). The quota numbers are not here: they come from the
DMN table ``bpmn/selection_quotas.dmn`` (read off the ``annual_selection`` instance), so a
bureau changes them there. DOMAIN R-EV-2 (20% of each unit's project funds in department
evaluations), R-EV-3 (expert review for 2% of projects), R-EV-4 (≥ 10 key third-party
evaluations, funds not below last year's), R-MN-7 (finance's key monitoring), R-EV-7 (a random
sample of self-evaluations for authenticity spot checks).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

# the categories a project may be selected in, in the order pages show them
DEPT_EVAL = "dept_eval"  # 部门评价 (R-EV-2)
EXPERT_REVIEW = "expert_review"  # 专家评审 (R-EV-3)
THIRD_PARTY = "third_party"  # 第三方重点评价 (R-EV-4)
KEY_MONITORING = "key_monitoring"  # 财政重点监控 (R-MN-7)
SPOT_CHECK = "spot_check"  # 真实性抽查样本 (R-EV-7): drawn, never ticked
CATEGORIES = (DEPT_EVAL, EXPERT_REVIEW, THIRD_PARTY, KEY_MONITORING, SPOT_CHECK)
TICKED = (DEPT_EVAL, EXPERT_REVIEW, THIRD_PARTY, KEY_MONITORING)
TITLES = {
    DEPT_EVAL: "部门评价",
    EXPERT_REVIEW: "专家评审",
    THIRD_PARTY: "第三方重点评价",
    KEY_MONITORING: "财政重点监控",
    SPOT_CHECK: "真实性抽查样本",
}


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Quotas:
    """The DMN ``selection_quotas`` outputs (local policy a bureau sets)."""

    dept_eval_share: Decimal  # of each unit's project funds (R-EV-2: 0.20)
    expert_share: Decimal  # of the number of projects (R-EV-3: 0.02)
    third_party_min_count: int  # R-EV-4: 10
    third_party_not_below_last_year: bool  # R-EV-4: funds not below last year's
    spot_check_share: Decimal  # of the self-evaluations (R-EV-7, local policy)
    spot_check_min: int

    @classmethod
    def of(cls, decided: Mapping) -> Quotas:
        """From the decision's outputs (``sel_…`` names in the DMN table)."""
        return cls(
            dept_eval_share=_dec(decided["sel_dept_eval_share"]),
            expert_share=_dec(decided["sel_expert_share"]),
            third_party_min_count=int(decided["sel_third_party_min_count"]),
            third_party_not_below_last_year=bool(decided["sel_third_party_not_below_last_year"]),
            spot_check_share=_dec(decided["sel_spot_check_share"]),
            spot_check_min=int(decided["sel_spot_check_min"]),
        )


class Candidate(NamedTuple):
    """A project as the quotas see it (a tuple: the workbench builds 50,000 of them)."""

    project_id: int
    unit_id: int
    amount: Decimal  # 万元
    is_key: bool = False  # 重点项目 (is_major)
    one_off: bool = False  # 一次性项目
    evaluated_before: bool = False  # a department evaluation in an earlier year


@dataclass(frozen=True)
class Check:
    """One quota: passed or not, with its figures and the reason in Chinese."""

    category: str
    scope: str  # "overall" or a unit id as text
    passed: bool
    figures: dict = field(default_factory=dict)
    message: str = ""


def is_one_off(is_new: bool, period_start: str | None, period_end: str | None, fiscal_year: int) -> bool:
    """一次性项目: a new project (新增, not 延续) whose 项目期 lies within its fiscal year."""
    start = (period_start or str(fiscal_year))[:4]
    end = (period_end or str(fiscal_year))[:4]
    return bool(is_new) and start == end == str(fiscal_year)


def priority(candidate: Candidate) -> tuple:
    """R-EV-2: key projects never evaluated first, then one-off projects, then larger amounts."""
    return (
        0 if candidate.is_key and not candidate.evaluated_before else 1,
        0 if candidate.one_off else 1,
        -candidate.amount,
        candidate.project_id,
    )


def is_priority(candidate: Candidate) -> bool:
    return (candidate.is_key and not candidate.evaluated_before) or candidate.one_off


def percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def _wan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))} 万元"


@dataclass
class Totals:
    """What the quotas read of a year's choice: per unit its project funds and the funds of its
    department evaluations, overall the counts and the key evaluations' funds. Summed by the
    database for a saved choice (``store.selection.totals``), or from candidates (:func:`totals_of`)."""

    unit_total: dict[int, Decimal] = field(default_factory=dict)
    unit_chosen: dict[int, Decimal] = field(default_factory=dict)  # department evaluations
    unit_names: dict[int, str] = field(default_factory=dict)
    count: int = 0
    chosen_count: dict[str, int] = field(default_factory=dict)
    third_party_funds: Decimal = Decimal(0)


def totals_of(
    candidates: Iterable[Candidate],
    chosen: Mapping[str, Iterable[int]],
    unit_names: Mapping[int, str] | None = None,
) -> Totals:
    by_id = {c.project_id: c for c in candidates}
    picked = {cat: {pid for pid in chosen.get(cat, ()) if pid in by_id} for cat in CATEGORIES}
    sums = Totals(unit_names=dict(unit_names or {}), count=len(by_id))
    for c in by_id.values():
        sums.unit_total[c.unit_id] = sums.unit_total.get(c.unit_id, Decimal(0)) + c.amount
    for pid in picked[DEPT_EVAL]:
        c = by_id[pid]
        sums.unit_chosen[c.unit_id] = sums.unit_chosen.get(c.unit_id, Decimal(0)) + c.amount
    sums.chosen_count = {cat: len(ids) for cat, ids in picked.items()}
    sums.third_party_funds = sum((by_id[p].amount for p in picked[THIRD_PARTY]), Decimal(0))
    return sums


def check(
    candidates: Iterable[Candidate],
    chosen: Mapping[str, Iterable[int]],
    quotas: Quotas,
    *,
    last_year_third_party_funds: Decimal = Decimal(0),
    unit_names: Mapping[int, str] | None = None,
) -> list[Check]:
    """Every quota for the year's choice, per unit (R-EV-2) and overall (R-EV-3, R-EV-4, R-EV-7)."""
    return check_totals(totals_of(candidates, chosen, unit_names), quotas, last_year_third_party_funds)


def check_totals(
    sums: Totals, quotas: Quotas, last_year_third_party_funds: Decimal = Decimal(0)
) -> list[Check]:
    """The quota checks from the year's totals (see :class:`Totals`)."""
    names = sums.unit_names
    unit_total, unit_chosen = sums.unit_total, sums.unit_chosen
    results: list[Check] = []
    for unit_id in sorted(unit_total):
        total, got = unit_total[unit_id], unit_chosen.get(unit_id, Decimal(0))
        # compare without dividing: got / total >= share ⇔ got >= share × total
        needed = quotas.dept_eval_share * total
        ok = total == 0 or got >= needed
        share = got / total if total else Decimal(0)
        name = names.get(unit_id, str(unit_id))
        results.append(
            Check(
                DEPT_EVAL,
                str(unit_id),
                ok,
                {
                    "unit": name,
                    "chosen": got,
                    "total": total,
                    "share": share,
                    "required": quotas.dept_eval_share,
                },
                f"{name}：部门评价覆盖 {_wan(got)}，占项目资金 {_wan(total)} 的 {percent(share)}"
                + ("，达到" if ok else "，低于")
                + f"要求的 {percent(quotas.dept_eval_share)}",
            )
        )

    count = sums.count
    experts = sums.chosen_count.get(EXPERT_REVIEW, 0)
    need_experts = math.ceil(quotas.expert_share * count) if count else 0
    ok = experts >= need_experts
    results.append(
        Check(
            EXPERT_REVIEW,
            "overall",
            ok,
            {"chosen": experts, "total": count, "required": need_experts, "share": quotas.expert_share},
            f"专家评审 {experts} 个项目，项目总数 {count} 个的 {percent(quotas.expert_share)} 为 {need_experts} 个"
            + ("，已达到" if ok else "，尚未达到"),
        )
    )

    third = sums.chosen_count.get(THIRD_PARTY, 0)
    funds = sums.third_party_funds
    ok = third >= quotas.third_party_min_count
    results.append(
        Check(
            THIRD_PARTY,
            "count",
            ok,
            {"chosen": third, "required": quotas.third_party_min_count},
            f"第三方重点评价 {third} 个项目，"
            + ("达到" if ok else "未达到")
            + f"不少于 {quotas.third_party_min_count} 个的要求",
        )
    )
    if quotas.third_party_not_below_last_year:
        last = _dec(last_year_third_party_funds)
        ok = funds >= last
        results.append(
            Check(
                THIRD_PARTY,
                "funds",
                ok,
                {"chosen": funds, "last_year": last},
                f"第三方重点评价资金 {_wan(funds)}，"
                + ("不低于" if ok else "低于")
                + f"上年度的 {_wan(last)}",
            )
        )

    sample = sums.chosen_count.get(SPOT_CHECK, 0)
    need_sample = sample_size(count, quotas)
    ok = sample >= need_sample
    results.append(
        Check(
            SPOT_CHECK,
            "overall",
            ok,
            {"chosen": sample, "required": need_sample},
            f"真实性抽查样本 {sample} 个，应抽取 {need_sample} 个" + ("" if ok else "，请先随机抽取"),
        )
    )
    return results


def failures(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if not c.passed]


def sample_size(population: int, quotas: Quotas) -> int:
    """How many self-evaluations to spot-check: the share, at least the minimum, at most all."""
    if population <= 0:
        return 0
    return min(population, max(quotas.spot_check_min, math.ceil(quotas.spot_check_share * population)))


def draw(population: Iterable[int], size: int, seed: str) -> list[int]:
    """R-EV-7: a random sample reproducible from its seed: the same seed and population give the
    same sample (the population is sorted first, so the order it was read in does not matter)."""
    ordered = sorted(set(population))
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    rng = random.Random(int(digest, 16))  # noqa: S311 - a documented, reproducible sample, not a secret
    return sorted(rng.sample(ordered, min(size, len(ordered))))
