"""扶贫资金项目月度评价 in the demo (DOMAIN R-AS-2): this year's June, ranked and published.

Each demo unit declares poverty-alleviation (扶贫/乡村振兴) projects for this year: 住建局 a rural
road that had spent only 10% by the May node (a red light by June's end) and a courtyard-economy
grant of 8 万元 (细散小); 应急局 the fire protection of a relocation site whose targets have no
satisfaction indicator and nothing quantified. Finance approves the targets and passes the May
monitoring reports; the performance office starts the year's monthly evaluation on June 10; on
July 1 the scheduler's catch-up opens June's; the office reviews (应急局 +2 with a reason), the
leader approves, the ranking is published (通报) and 应急局 rectifies its item while 住建局's task
still waits. All through the commands the pages call; idempotent.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

from workflows import clock, commands
from workflows.commands.poverty import month_instances
from workflows.errors import Conflict, JixiaoError
from workflows.policy import Actor, holders_query
from workflows.store import BudgetUnit, Database, HumanTask, PovertyIssue, PovertyMonth
from workflows.timers import fire_due_timers

from . import form_data as forms
from . import indicators, paths

log = logging.getLogger(__name__)

FUND = "poverty_alleviation"
MONTH = 6  # June: opened on July 1
# (number, name, unit code, amount 万元, share executed by the May node, targets well filled?)
PROJECTS = [
    (1, "脱贫村产业路建设", "360922-001", "362.00", 0.10, True),
    (2, "脱贫户庭院经济补助", "360922-001", "8.00", 0.45, True),
    (3, "易地搬迁安置点消防设施", "360922-002", "420.50", 0.45, False),
]
ADJUSTMENT = ("360922-002", 2, "指标已按要求补充，待重新批复")
RECTIFIES = "360922-002"  # the unit that has reported its rectification in the demo


def _poor_targets(name: str, amount: float, year: int) -> dict:
    """绩效指标填报不规范: no satisfaction indicator, every value qualitative."""
    targets = indicators.performance_targets(name, amount, year=year)
    targets["indicators"] = [
        dict(i, direction="定性", target_value="明显提升") for i in targets["indicators"][:4]
    ]
    rows = targets["indicators"]
    rows[0]["weight"] = 100 - sum(r["weight"] for r in rows[1:])  # the weights still total 100
    return targets


def _holder(db: Database, role: str, unit_id: int | None = None) -> Actor | None:
    with db.reading() as session:
        user = session.scalars(holders_query(role, unit_id).limit(1)).first()
        return Actor.of(user) if user is not None else None


def load(db: Database, fiscal_year: int | None = None) -> int:
    """Declare the projects and run June's evaluation to its 通报; returns the projects created."""
    year = paths.this_fiscal_year() if fiscal_year is None else fiscal_year
    office, leader = _holder(db, "performance_office"), _holder(db, "leadership")
    if office is None or leader is None:
        log.warning("demo poverty-fund evaluation: no performance office or leadership account")
        return 0
    created = 0
    try:
        with paths._clock_kept():  # noqa: SLF001 - the demo's own clock walk
            for number, name, unit_code, amount, share, well_filled in PROJECTS:
                created += _declare(db, year, number, name, unit_code, amount, share, well_filled)
            _evaluate(db, year, office, leader)
    except (JixiaoError, LookupError, RuntimeError) as exc:  # make run must still start; say why
        log.warning("demo poverty-fund evaluation %s: %s", year, exc)
    return created


def _declare(db, year, number, name, unit_code, amount, share, well_filled) -> int:
    """The unit's submitter declares it the September before, sets its targets; finance approves;
    the May monitoring report comes in and passes."""
    with db.reading() as session:
        unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == unit_code))
    submitter = _holder(db, "unit_submitter", unit_id) if unit_id else None
    if submitter is None:
        return 0
    new = commands.NewProject(
        f"FP{year}-{number:03d}", name, year, Decimal(amount), unit_id, fund_type=FUND, is_new=False
    )
    clock.set_now(paths.declared_at(year))
    try:
        made = commands.create_project(db, new, actor=submitter)
    except Conflict:
        return 0  # already there
    [targets] = paths.open_tasks(db, made.instance_id)
    targets_data = (
        indicators.performance_targets(name, float(amount), year=year)
        if well_filled
        else _poor_targets(name, float(amount), year)
    )
    commands.complete_task(db, targets.id, targets_data, actor=submitter)
    paths.advance(db, [(made.project_id, "monitoring")])  # targets approved, the May node reached
    clock.set_now(clock.parse_moment(f"{year}-06-05T10:00:00"))
    report = forms.monitoring_report(float(amount), share, targets_data["indicators"])  # the approved rows
    report["mn_budget_amount"] = float(amount)
    for spec, data in (
        ("mn_report", report),
        ("mn_review", forms.monitoring_review(True)),
    ):
        [task] = [t for t in paths.open_tasks(db, made.instance_id) if t.task_spec == spec]
        commands.complete_task(db, task.id, data, actor=paths.holder_of(db, task))
    return 1


def _open(db: Database, instance_id: int, spec: str) -> list[HumanTask]:
    return [t for t in paths.open_tasks(db, instance_id) if t.task_spec == spec]


def _evaluate(db: Database, year: int, office: Actor, leader: Actor) -> None:
    with db.reading() as session:
        if session.scalar(
            select(PovertyMonth.id).where(
                PovertyMonth.fiscal_year == year, PovertyMonth.month == MONTH, PovertyMonth.published
            )
        ):
            return
        units = {code: uid for uid, code in session.execute(select(BudgetUnit.id, BudgetUnit.code))}
    clock.set_now(clock.parse_moment(f"{year}-06-10T09:00:00"))
    commands.start_poverty_year(db, year, actor=office)
    with db.reading() as session:
        instance_id = month_instances(session, year).get(MONTH)
    if instance_id is None:
        return
    opening = clock.parse_moment(f"{year}-{MONTH + 1:02d}-01T00:00:00")
    clock.set_now(opening)
    fire_due_timers(db, instance_id, now=opening)  # as the scheduler's catch-up would
    clock.set_now(clock.parse_moment(f"{year}-{MONTH + 1:02d}-03T09:00:00"))
    for review in _open(db, instance_id, "pr_review"):
        code, points, reason = ADJUSTMENT
        commands.review_month(
            db, review.id, {units[code]: points}, reasons={units[code]: reason}, actor=office
        )
    clock.set_now(clock.parse_moment(f"{year}-{MONTH + 1:02d}-03T15:00:00"))
    for approval in _open(db, instance_id, "pr_approve"):
        commands.complete_task(
            db, approval.id, {"as_decision": "同意", "as_comment": "同意通报。"}, actor=leader
        )
    clock.set_now(clock.parse_moment(f"{year}-{MONTH + 1:02d}-10T10:00:00"))
    for task in _open(db, instance_id, "pr_rectify"):
        if task.unit_id != units.get(RECTIFIES):
            continue
        with db.reading() as session:
            items = session.scalars(
                select(PovertyIssue.id)
                .join(PovertyMonth, PovertyMonth.id == PovertyIssue.month_id)
                .where(PovertyMonth.instance_id == instance_id, PovertyIssue.unit_id == task.unit_id)
            ).all()
        measures = {item: "补充满意度指标，量化各项指标值，已报财政重新审核。" for item in items}
        commands.rectify(db, task.id, measures, actor=paths.holder_of(db, task))
