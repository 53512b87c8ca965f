"""考核 the unit assessment as screens read it (DOMAIN 6 R-AS-1): years, cycles, a ranking.

The performance office, leadership and administrators see every cycle at every step; once a
cycle is published (通报) every signed-in user reads its ranking. Read tables only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..commands._assessment_tables import PROCESS_ID
from ..errors import NotFound
from ..policy import Actor
from ..store import AssessmentCycle, AssessmentScore, BudgetUnit, HumanTask, ProcessInstance

STAFF = frozenset({"performance_office", "leadership", "admin"})
# the month each cycle is held in (R-AS-1: July and December), and its name by it
CYCLE_MONTHS = {"july": 7, "december": 12}
CYCLE_NAMES = {cycle: f"{month}月" for cycle, month in CYCLE_MONTHS.items()}
STATUS_NAMES = {"waiting": "未开始", "scoring": "评分中", "approving": "待领导审定", "published": "已通报"}
POINT_COLUMNS = (
    ("timeliness", "报送及时性"),
    ("target_quality", "目标质量"),
    ("rectification", "整改落实"),
    ("accuracy", "自评准确性"),
)


def sees_all(actor: Actor) -> bool:
    return actor.is_system or bool(actor.roles & STAFF)


@dataclass
class CycleView:
    fiscal_year: int
    cycle: str
    status: str
    id: int | None = None
    opened_at: datetime | None = None
    published_at: datetime | None = None
    task_id: str | None = None  # the open task of the cycle, for the staff who act on it
    task_spec: str | None = None

    @property
    def name(self) -> str:
        return f"{self.fiscal_year}年{CYCLE_NAMES[self.cycle]}"

    @property
    def month(self) -> int:
        """The month the cycle is named by (July, December)."""
        return CYCLE_MONTHS[self.cycle]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


@dataclass
class YearView:
    fiscal_year: int
    instance_id: int
    cycles: list[CycleView] = field(default_factory=list)


def years(session: Session, actor: Actor) -> list[YearView]:
    """Each fiscal year whose assessment was started, newest first, with both cycles."""
    found = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key)
        .where(ProcessInstance.process_id == PROCESS_ID, ProcessInstance.status != "cancelled")
        .order_by(ProcessInstance.id)
    ).all()
    by_year = {int(key.rsplit("-", 1)[1]): iid for iid, key in found if key and key[-4:].isdigit()}
    cycles = {
        (c.fiscal_year, c.cycle): c
        for c in session.scalars(select(AssessmentCycle).where(AssessmentCycle.fiscal_year.in_(by_year)))
    }
    tasks = {}
    if sees_all(actor) and by_year:
        for task in session.execute(
            select(HumanTask.id, HumanTask.instance_id, HumanTask.task_spec).where(
                HumanTask.instance_id.in_(list(by_year.values())), HumanTask.status == "open"
            )
        ).all():
            tasks[(task.instance_id, task.task_spec.rsplit("_", 1)[1])] = task
    views = []
    for year in sorted(by_year, reverse=True):
        view = YearView(year, by_year[year])
        for name in CYCLE_NAMES:
            row = cycles.get((year, name))
            if row is None:
                cycle = CycleView(year, name, "waiting")
            else:
                cycle = CycleView(year, name, row.status, row.id, row.opened_at, row.published_at)
            task = tasks.get((by_year[year], name))
            if task is not None:
                cycle.task_id, cycle.task_spec = task.id, task.task_spec
            view.cycles.append(cycle)
        views.append(view)
    return views


@dataclass
class RankingRow:
    rank: int | None
    unit_name: str
    facts: dict
    points: dict[str, Decimal | None]
    judgement: Decimal | None
    total: Decimal | None
    unit_id: int | None = None  # its code is shown beside the name


@dataclass
class Ranking:
    cycle: CycleView
    rows: list[RankingRow]
    weights: dict | None


def ranking(session: Session, actor: Actor, cycle_id: int) -> Ranking:
    """A cycle's sheet as ranked; before publication only the staff may read it."""
    cycle = session.get(AssessmentCycle, cycle_id)
    if cycle is None or not (cycle.published or sees_all(actor)):
        raise NotFound("考核不存在")
    found = session.execute(
        select(AssessmentScore, BudgetUnit.name)
        .join(BudgetUnit, BudgetUnit.id == AssessmentScore.unit_id)
        .where(AssessmentScore.cycle_id == cycle.id)
    ).all()
    rows = [
        RankingRow(
            score.rank,
            name,
            score.facts or {},
            {column: getattr(score, column) for column, _ in POINT_COLUMNS},
            score.judgement,
            score.total,
            score.unit_id,
        )
        for score, name in found
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit_name))
    view = CycleView(
        cycle.fiscal_year, cycle.cycle, cycle.status, cycle.id, cycle.opened_at, cycle.published_at
    )
    return Ranking(view, rows, cycle.weights)


def published_cycles(session: Session, year: int) -> list[int]:
    return list(
        session.scalars(
            select(AssessmentCycle.id)
            .where(AssessmentCycle.fiscal_year == year, AssessmentCycle.published.is_(True))
            .order_by(AssessmentCycle.opened_at)
        )
    )


def scoring_sheet(session: Session, actor: Actor, task_id: str) -> tuple[HumanTask, list[dict]]:
    """The open scoring task and its pre-filled rows (facts as of the cycle's opening)."""
    task = session.get(HumanTask, task_id)
    if (
        task is None
        or task.process_id != PROCESS_ID
        or not sees_all(actor)
        or not task.task_spec.startswith("as_score_")
    ):
        raise NotFound("考核评分任务不存在")
    return task, list((task.draft or {}).get("units") or [])


def approval_cycle(session: Session, task: HumanTask) -> int | None:
    """The cycle a leadership approval task (审定7月/12月考核结果) decides on, or None for any
    other task: its page shows that cycle's ranking (the figures 查看排名 shows)."""
    return _cycle_of(session, task, "as_approve_")


def scored_cycle(session: Session, task: HumanTask) -> int | None:
    """The cycle a scoring task (7月/12月考核评分) scored, or None for any other task: a finished
    scoring task's page is that cycle's ranking (its sheet, the task's draft, is gone)."""
    return _cycle_of(session, task, "as_score_")


def _cycle_of(session: Session, task: HumanTask, prefix: str) -> int | None:
    if task.process_id != PROCESS_ID or not task.task_spec.startswith(prefix):
        return None
    return session.scalar(
        select(AssessmentCycle.id).where(
            AssessmentCycle.instance_id == task.instance_id,
            AssessmentCycle.cycle == task.task_spec.removeprefix(prefix),
        )
    )
