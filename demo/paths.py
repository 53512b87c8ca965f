"""Drive demo projects along the review paths, as the people in the roles would.

A demo project is created with ``commands.create_project`` by its unit's submitter (what
the new-project page does), which starts its ``project_lifecycle``. :func:`create_at_stage`
then completes each open task as the user who holds the task's role in the project's unit
(or as the task's assignee), with the form data of :mod:`demo.form_data`, and fires the
lifecycle's timers through :mod:`workflows.timers` as the scheduler would (a catch-up with
``now=``), until the project stands at the stage wanted. The process decides every
route; this module only fills in forms.

Stages the demo reaches (``STAGES``):

==================  ===================================================================
``ex_ante``         waiting for finance to review the ex-ante assessment (事前评估待审)
``targets``         performance targets submitted, waiting for finance (目标审核中)
``monitoring``      budgeted; the May monitoring report is due (绩效监控)
``rectification``   the May monitoring review failed; the unit owes rectification (整改)
``self_evaluation`` the year's monitoring nodes reported and reviewed; the self-evaluation is due (自评)
``evaluation``      monitoring done; self-evaluation submitted, finance to review (绩效评价)
``results_applied`` the loop is closed: graded, budget cut applied, results published
``not_budgeted``    the ex-ante assessment concluded 不支持
==================  ===================================================================
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from workflows import clock, commands
from workflows.commands import form_sources
from workflows.config import settings
from workflows.engine import specs
from workflows.policy import Actor, holders_query
from workflows.queries import tasks as task_queries
from workflows.store import AuditEvent, Database, HumanTask, ProcessInstance, Project, Timer, User
from workflows.timers import fire_due_timers

from . import form_data as forms
from . import indicators, uploads

log = logging.getLogger(__name__)

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
    "expert_review",
    "targets",
    "monitoring",
    "rectification",
    "self_evaluation",
    "evaluation",
    "results_applied",
    "not_budgeted",
)
# Stages reached only through an ex-ante assessment (DOMAIN 3.1 R-EA-1: new projects).
_NEEDS_EX_ANTE = ("ex_ante", "expert_review", "not_budgeted")

# DOMAIN 8: Wanzai county's third-party key evaluations (万元) and other plausible projects.
DEMO_PROJECTS = [
    ("万载县城区污水处理厂提标改造项目", 1261.22),
    ("农村人居环境整治项目", 362.0),
    ("红色文化展览馆布展项目", 118.4),
    ("智慧消防建设项目", 189.12),
    ("城乡义务教育营养改善计划", 420.5),
    ("高标准农田建设项目", 860.0),
]

# the experts a finance reviewer picks for the demo's panel (R-EX-1: none of the project's unit)
EXPERT_PANEL = ("wang.expert", "zhao.expert", "sun.expert")

# The task after which each stage is reached (the stage's waiting task), or None: completed.
_WAITING_AT = {
    "ex_ante": "ea_finance_review",
    "expert_review": "ea_expert_score",
    "targets": "tg_review",
    "monitoring": "mn_report",
    "rectification": "rc_submit",
    "self_evaluation": "ev_self",
    "evaluation": "ev_finance_review",
    "results_applied": None,
    "not_budgeted": None,
}
MAX_STEPS = 80  # tasks and timer firings on the way to one stage


def normalise_stage(stage: str) -> str:
    """``"ex-ante pending"`` → ``"ex_ante"``; raises ValueError for a stage the demo cannot reach."""
    key = stage.strip().lower().replace("-", "_").replace(" ", "_")
    key = STAGE_ALIASES.get(key, key)
    if key not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; use one of {STAGES}")
    return key


def this_fiscal_year() -> int:
    """The fiscal year the demo's work is in: today's (China time). Every demo year is read from
    here: next year's budget is assessed and targeted, this year's monitored and its evaluation
    objects selected, last year's evaluated, spot-checked and graded."""
    return clock.now().astimezone(clock.CHINA).year


def declared_at(fiscal_year: int) -> datetime:
    """When a unit declares a project for ``fiscal_year``: the September before (China time)."""
    return clock.parse_moment(f"{fiscal_year - 1}-09-10T09:00:00")


def _when(spec: str, year: int) -> datetime | None:
    """When, in fiscal year ``year``'s calendar, a person would do this step (China time)."""
    months = {
        "ea_write": f"{year - 1}-09-15T09:00",
        "ea_head": f"{year - 1}-09-17T10:00",
        "ea_": f"{year - 1}-09-25T15:00",  # finance's review and the experts' sheets
        "tg_set": f"{year - 1}-10-20T09:00",
        "tg_": f"{year - 1}-10-28T15:00",
        "ev_self": f"{year + 1}-03-20T09:00",
        "ev_": f"{year + 1}-05-20T09:00",
        "ra_": f"{year + 1}-06-10T09:00",
    }
    for prefix, day in months.items():
        if spec.startswith(prefix):
            return clock.parse_moment(f"{day}:00")
    after = _AFTER_THE_NODE.get(spec)
    if after is not None:  # a monitoring report a few days after its node, reviewed two days later
        days, hour = after
        day = clock.now().astimezone(clock.CHINA).date() + timedelta(days=days)
        return clock.parse_moment(f"{day.isoformat()}T{hour}:00:00")
    return None


# monitoring (R-MN-2): the report before the 10th of the month after the node, then finance's review
_AFTER_THE_NODE = {"mn_report": (6, 10), "mn_review": (2, 15)}


def _typed_over(typed: dict, prefilled: dict | None) -> dict:
    """What is typed, with the values the page pre-filled left as they were."""
    return {**typed, **{k: v for k, v in (prefilled or {}).items() if v not in (None, "")}}


class _Plan:
    """What each role enters on the way to the wanted stage: the project's own targets
    (:mod:`demo.indicators`) and, where the page pre-fills a table, that table filled in."""

    def __init__(self, stage: str, name: str, amount: float, year: int):
        self.stage, self.name, self.amount, self.year = stage, name, amount, year
        self.reports = 0
        low = stage == "not_budgeted"  # a panel that does not support it
        self.expert_scores = iter([72, 75.5, 70] if low else [88, 85.5, 90, 78, 74, 80])
        self.targets = indicators.targets_of(name)
        self.declared: dict = {}  # what the project recorded before the step at hand (its 申报表)

    def data_for(self, spec: str, prefilled: dict | None = None) -> dict:
        amount = self.amount
        if spec == "ea_write":  # 申请金额 as the page pre-fills it from the project
            return _typed_over(indicators.ex_ante_report(self.name, amount), prefilled)
        if spec == "ea_head":
            return forms.head_approval()
        if spec == "ea_finance_review":
            if self.stage == "not_budgeted":  # 72.5: the table's 不支持, the reviewer's too (R-EA-4)
                return forms.ex_ante_review(72.5, "不支持")
            if self.stage == "expert_review":  # R-EA-3: a major project's panel, picked from the pool
                return {**forms.ex_ante_review(86.5, "支持", "专家评审"), "experts": list(EXPERT_PANEL)}
            return forms.ex_ante_review(86.5)
        if spec == "ea_expert_score":
            return forms.ex_ante_expert_sheet(next(self.expert_scores))
        if spec == "ev_expert_score":
            return forms.expert_sheet(next(self.expert_scores))
        if spec == "tg_set":  # the header as the page pre-fills it from the project, the rest typed
            return _typed_over(indicators.performance_targets(self.name, amount, year=self.year), prefilled)
        if spec == "tg_review":
            return forms.targets_decision("通过")
        if spec == "mn_report":
            self.reports += 1
            lagging = self.stage == "rectification" and self.reports == 1
            return indicators.monitoring_report(self.name, amount, self.reports, prefilled, lagging=lagging)
        if spec == "mn_review":
            failed = self.stage == "rectification" and self.reports == 1
            return forms.monitoring_review(not failed, "暂缓拨付" if failed else "正常拨付")
        if spec == "ev_self":  # the budget by source as this project's 申报表 declared it
            other = float(self.declared.get("tg_other_funds") or 0)
            budget = float(self.declared.get("tg_annual_funds") or amount)
            return indicators.self_evaluation(self.name, budget, prefilled, other_wan=other)
        if spec == "ev_finance_review":
            return indicators.evaluation_review(self.name)
        if spec == "ra_feedback":
            return forms.results_feedback([(indicators.problem_of(self.name), f"{self.year + 1}-09-30")])
        if spec == "rc_submit":
            return forms.rectification_submit()
        if spec == "rc_verify":
            return forms.rectification_verify(True)
        if spec == "lc_escalation":
            return forms.escalation()
        if spec == "rc_escalate":
            return {"rect_leadership_decision": "限期整改后结案", "rect_leadership_comment": "限期整改。"}
        raise LookupError(f"the demo has no data for task {spec!r}")


# forms the page pre-fills: the 申报表's header (and the ex-ante report's 申请金额) from the project,
# the reports' tables from the approved targets
_PREFILLED = ("ea_write", "tg_set", "mn_report", "ev_self")


def _recorded(db: Database, task: HumanTask) -> dict:
    """What the task's project recorded so far (its 申报表 among it), as its page reads it."""
    with db.reading() as session:
        return form_sources.recorded(session, task.instance_id)


def _prefilled(db: Database, task: HumanTask) -> dict:
    """What the task's page shows filled in when the person opens it (the approved indicators)."""
    with db.reading() as session:
        return task_queries.prefill(session, task, task_queries.form_schema(session, task))


# --- acting as the people in the roles ------------------------------------------------------


def holder_of(db: Database, task: HumanTask) -> Actor:
    """Who does ``task``: its assignee, else the first active user holding its role in its unit."""
    with db.reading() as session:
        if task.assignee:
            user = session.scalar(select(User).where(User.username == task.assignee))
            if user is None:
                # the process named someone who has no account (no expert pool yet): act in their name
                log.warning("task %s is assigned to %r, who has no account", task.task_spec, task.assignee)
                return Actor(task.assignee, frozenset({task.role or ""}))
            return Actor.of(user)
        user = session.scalars(holders_query(task.role or "", task.unit_id).limit(1)).first()
        if user is None:
            raise LookupError(
                f"no active user holds {task.role!r} for unit {task.unit_id} ({task.task_spec})"
            )
        return Actor.of(user)


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


def lifecycle_of(db: Database, project_id: int) -> int:
    """The project's ``project_lifecycle`` instance (started when the project was created)."""
    with db.reading() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id)
            .where(ProcessInstance.project_id == project_id, ProcessInstance.process_id == PROCESS)
            .order_by(ProcessInstance.id)
        )
    if instance_id is None:
        raise LookupError(f"project {project_id} has no {PROCESS} instance")
    return instance_id


def _next_timer(db: Database, instance_id: int) -> datetime | None:
    with db.reading() as session:
        return session.scalar(select(func.min(Timer.due_at)).where(Timer.instance_id == instance_id))


def _stood_at(db: Database, project_id: int) -> datetime | None:
    """When the project's last step was recorded (any of its instances)."""
    with db.reading() as session:
        found = session.scalar(
            select(func.max(AuditEvent.at))
            .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
            .where(ProcessInstance.project_id == project_id)
        )
    if found is not None and found.tzinfo is None:
        found = found.replace(tzinfo=UTC)  # SQLite hands the stored UTC time back naive
    return found


@contextmanager
def _clock_kept() -> Iterator[None]:
    """The clock walks through a project's year; a clock the caller froze comes back after."""
    previous = clock._fixed  # noqa: SLF001 - restore a clock the caller froze
    try:
        yield
    finally:
        clock.set_now(previous)


# --- the demo -------------------------------------------------------------------------------


def ensure_deployed(db: Database, actor: str = "demo") -> None:
    """Deploy ``bpmn/`` (``JIXIAO_BPMN_DIR``, with its forms) unless every path is already deployed."""
    with db.unit_of_work() as session:
        missing = [p for p in PATH_PROCESSES if specs.latest_definition(session, p, required=False) is None]
        if missing:
            specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor=actor)
            session.commit()


def create_at_stage(db: Database, new: commands.NewProject, stage: str, *, actor: Actor) -> commands.Created:
    """Create ``new`` as ``actor`` does on the new-project page, then drive it to ``stage``.

    The project is declared in the September before its budget year (:func:`declared_at`);
    a stage reached only through the ex-ante assessment makes it a new project. Deploys
    ``bpmn/`` first if the paths are not deployed yet.
    """
    stage = normalise_stage(stage)
    ensure_deployed(db)
    if stage in _NEEDS_EX_ANTE and not new.is_new:
        new = dataclasses.replace(new, is_new=True)
    with _clock_kept():
        clock.set_now(declared_at(new.fiscal_year))
        created = commands.create_project(db, new, actor=actor)
        if created.instance_id is None:
            raise LookupError(f"{PROCESS} is not deployed: {new.code} has no review path to drive")
        _drive(db, created.project_id, created.instance_id, stage)
    return created


def advance(db: Database, projects: Iterable[tuple[int, str]]) -> dict[int, int]:
    """Drive each (project_id, stage wanted)'s lifecycle on to the stage; returns {project: instance}.

    The clock walks through each project's fiscal year as people would (ex-ante and targets
    the autumn before, monitoring after each node, evaluation the spring after) and is
    restored afterwards. Each walk starts where its project stands (its latest recorded step),
    not where the previous project's walk ended: last year's projects are evaluated last spring,
    one beside the other, not one after the other into next year.
    """
    driven: dict[int, int] = {}
    with _clock_kept():
        for project_id, stage in projects:
            instance_id = lifecycle_of(db, project_id)
            stood_at = _stood_at(db, project_id)
            if stood_at is not None:
                clock.set_now(stood_at)
            _drive(db, project_id, instance_id, normalise_stage(stage))
            driven[project_id] = instance_id
    return driven


def _drive(db: Database, project_id: int, instance_id: int, stage: str) -> None:
    with db.reading() as session:
        project = session.get(Project, project_id)
        name, year = project.name, project.fiscal_year
        amount = float(project.amount or 0) or 100.0
    plan = _Plan(stage, name, amount, year)
    waiting_at = _WAITING_AT[stage]
    for _ in range(MAX_STEPS):
        tasks = open_tasks(db, instance_id)
        if waiting_at is not None and any(t.task_spec == waiting_at for t in tasks):
            return
        if not tasks:
            due = _next_timer(db, instance_id)
            if due is None:
                return  # completed (results applied, or not budgeted)
            moment = max(due + timedelta(minutes=1), clock.now())
            clock.set_now(moment)
            fire_due_timers(db, instance_id, now=moment)  # as the scheduler's catch-up would
            continue
        task = tasks[0]
        moment = _when(task.task_spec, year)
        if moment is not None and moment > clock.now():
            clock.set_now(moment)
        prefilled = _prefilled(db, task) if task.task_spec in _PREFILLED else None
        if task.task_spec == "ev_self":
            plan.declared = _recorded(db, task)
        data = plan.data_for(task.task_spec, prefilled)
        holder = holder_of(db, task)
        uploads.upload_named_files(db, task.id, data, actor=holder)  # 评估报告附件: uploaded, then named
        commands.complete_task(db, task.id, data, actor=holder)
    raise RuntimeError(f"project {project_id} did not reach stage {stage!r}")
