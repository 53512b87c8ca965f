"""Scenario fixtures: the real ``bpmn/`` bundle deployed into a fresh database.

``paths`` creates projects and starts processes through the commands, and acts in roles
through ``commands.complete_task``; form data comes from :mod:`demo.form_data`
(realistic Chinese content).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from demo import form_data as forms
from demo import uploads
from tests import factories
from workflows import clock, commands, engine, policy
from workflows.engine import specs
from workflows.store import AuditEvent, HumanTask, ProcessInstance, Project, Timer
from workflows.timers import fire_due_timers

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
FORMS = ROOT / "forms"
YEAR = 2027  # the fiscal year the scenarios budget for
PROJECT_NAME, AMOUNT = "农村人居环境整治项目", 362.0
# The loop's owners start a process with data no page sets yet (an expert panel, monitoring nodes).
OFFICE = policy.Actor("scenario.performance_office", frozenset({"performance_office"}))


def moment(text: str) -> datetime:
    """An ISO moment in China time unless it says otherwise."""
    return clock.parse_moment(text)


def in_role(role: str, unit_id: int | None, assignee: str | None = None) -> policy.Actor:
    """Someone holding ``role`` (in ``unit_id``), or the assignee the process named."""
    if assignee:
        return policy.Actor(assignee, frozenset({role}))
    return policy.Actor(f"scenario.{role}", frozenset({role}), unit_id=unit_id)


class Paths:
    def __init__(self, db, attachments: Path | None = None):
        self.db = db
        self.attachments = attachments  # where uploads are kept (the test's own folder)
        self.unit_id = None
        self._projects = 0

    # --- setup ----------------------------------------------------------------------

    def deploy(self, files: dict[str, str] | None = None):
        with self.db.unit_of_work() as session:
            result = specs.deploy(session, files or specs.load_bundle(BPMN, FORMS), actor="designer")
            session.commit()
        return result

    def project(self, uow, name=PROJECT_NAME, amount=AMOUNT, *, is_new=True, is_major=False, process_id=None):
        """A project of the scenarios' unit, created by its submitter: its review path starts."""
        self._projects += 1
        if self.unit_id is None:
            self.unit_id = factories.unit(uow, "360922-001", "万载县农业农村局")
        return factories.project(
            uow,
            f"WZ-{YEAR}-{self._projects:03d}",
            actor=in_role("unit_submitter", self.unit_id),
            name=name,
            fiscal_year=YEAR,
            amount=amount,
            is_new=is_new,
            is_major=is_major,
            process_id=process_id,
        )

    def start(self, process="project_lifecycle", *, project=True, **data) -> int:
        """Start ``process``: for a new project of the unit (as the page does), or on its own.

        Data beyond what a project declares (``experts``, ``monitoring_nodes``, ...) is no
        field of the new-project page: the performance office then restarts the project's
        path with it, as ``POST /api/v1/instances`` lets the loop's owners do.
        """
        if not project:
            base = {"fiscal_year": YEAR, "project_name": PROJECT_NAME, "amount_wan": AMOUNT, **data}
            return commands.start(
                self.db, process, actor=policy.Actor.system("scenario"), data=base
            ).instance_id
        declared = {
            "name": data.pop("project_name", PROJECT_NAME),
            "amount": data.pop("amount_wan", AMOUNT),
            "is_new": data.pop("is_new", True),
            "is_major": data.pop("is_major", False),
        }
        with self.db.unit_of_work() as uow:
            created = self.project(uow, **declared, process_id=process)
            instance_id = created.instance_id
            if data:
                commands.cancel(
                    uow, instance_id, actor=OFFICE, reason="restarted with the panel and calendar"
                )
                instance_id = commands.start_for_project(
                    uow, process, actor=OFFICE, data=data, project_id=created.project_id
                )
            uow.commit()
        return instance_id

    # --- acting ---------------------------------------------------------------------

    def open(self, iid) -> list[str]:
        return [t.task_spec for t in self.tasks(iid)]

    def tasks(self, iid, spec=None) -> list[HumanTask]:
        with self.db.reading() as session:
            rows = list(
                session.scalars(
                    select(HumanTask)
                    .where(HumanTask.instance_id == iid, HumanTask.status == "open")
                    .order_by(HumanTask.created_at, HumanTask.id)
                )
            )
            session.expunge_all()
        return [t for t in rows if spec is None or t.task_spec == spec]

    def do(self, iid, spec, data):
        """Complete the (first) open task ``spec`` as someone holding its role."""
        for task in self.tasks(iid, spec):
            actor = in_role(task.role or "", self.unit_id, task.assignee if task.role == "expert" else None)
            # 评估报告附件: the report uploaded in the task's 附件 box first, then named
            uploads.upload_named_files(self.db, task.id, data, actor=actor, directory=self.attachments)
            return commands.complete_task(self.db, task.id, data, actor=actor)
        raise LookupError(f"instance {iid} has no open task {spec!r}: {self.open(iid)}")

    def fire(self, iid, when: str) -> int:
        """The scheduler's catch-up at ``when``: the instance's due timers fire."""
        at = moment(when)
        clock.set_now(at)
        return fire_due_timers(self.db, iid, now=at)

    def timers(self, iid) -> list[Timer]:
        with self.db.reading() as session:
            rows = list(session.scalars(select(Timer).where(Timer.instance_id == iid).order_by(Timer.due_at)))
            session.expunge_all()
            return rows

    # --- reading --------------------------------------------------------------------

    def clock_at(self, when: str) -> None:
        clock.set_now(moment(when))

    def notices(self, iid) -> list[dict]:
        """The notices the instance raised (audit ``notification.sent``), oldest first."""
        with self.db.reading() as session:
            return [
                e.data
                for e in session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.instance_id == iid, AuditEvent.action == "notification.sent")
                    .order_by(AuditEvent.seq)
                )
            ]

    def instance(self, iid) -> ProcessInstance:
        with self.db.reading() as session:
            row = session.get(ProcessInstance, iid)
            session.expunge(row)
            return row

    def status(self, iid) -> str:
        return self.instance(iid).status

    def data(self, iid) -> dict:
        """The instance's variables: every finished task's data, later values winning."""
        with self.db.reading() as session:
            instance = session.get(ProcessInstance, iid)
            specs.ensure_loaded(instance.definition)
            workflow = engine.load_workflow(instance.workflow_state)
        tasks = [t for t in engine.all_tasks(workflow) if t.state == TaskState.COMPLETED]
        tasks.sort(key=lambda t: t.last_state_change)
        merged: dict = {}
        for task in tasks:
            merged.update(task.data)
        merged.update(workflow.data)
        return merged

    def project_row(self, iid) -> Project:
        with self.db.reading() as session:
            instance = session.get(ProcessInstance, iid)
            row = session.get(Project, instance.project_id)
            session.expunge(row)
            return row

    # --- paths to common points --------------------------------------------------------

    def through_ex_ante(self, iid, score=86.5, conclusion="支持", amount=AMOUNT):
        self.do(iid, "ea_write", forms.ex_ante_report("农村人居环境整治项目", amount))
        self.do(iid, "ea_head", forms.head_approval())
        self.do(iid, "ea_finance_review", forms.ex_ante_review(score, conclusion))

    def through_targets(self, iid):
        self.do(iid, "tg_set", forms.performance_targets("农村人居环境整治项目"))
        self.do(iid, "tg_review", forms.targets_decision("通过"))

    def monitoring_node(self, iid, node="05-31", passed=True, month_after="06"):
        """Reach the node, report, and have finance pass or fail it (failure: rectify at once)."""
        self.fire(iid, f"{YEAR}-{month_after}-01T09:00:00")
        self.do(iid, "mn_report", forms.monitoring_report(362.0))
        self.do(iid, "mn_review", forms.monitoring_review(passed))
        if not passed:
            self.do(iid, "rc_submit", forms.rectification_submit())
            self.do(iid, "rc_verify", forms.rectification_verify(True))

    def to_evaluation(self, iid, results=(True, True)):
        """A new project through ex-ante, targets and the monitoring nodes (True = pass)."""
        self.through_ex_ante(iid)
        self.through_targets(iid)
        months = ["06", "09", "11"]
        for index, passed in enumerate(results):
            self.monitoring_node(iid, passed=passed, month_after=months[index])
            if "lc_escalation" in self.open(iid):
                self.do(iid, "lc_escalation", forms.escalation())

    def evaluate(self, iid, finance_score=85.0, **flags):
        self.do(iid, "ev_self", forms.self_evaluation(362.0, 350.0))
        self.do(iid, "ev_finance_review", forms.evaluation_review(finance_score, **flags))


@pytest.fixture
def paths(db, tmp_path):
    clock.set_now(moment(f"{YEAR - 1}-09-10T09:00:00"))
    driver = Paths(db, tmp_path / "attachments")
    driver.deploy()
    return driver


POOL = ["sun.expert", "wang.expert", "zhao.expert"]


@pytest.fixture
def expert_pool(paths):
    """DOMAIN R-EX-1: three pool experts of a unit no scenario project belongs to."""
    admin = policy.Actor.system("admin")
    commands.create_unit(paths.db, "U-POOL", "万载县财政局", actor=admin)
    for username in POOL:
        commands.add_expert(
            paths.db, commands.NewExpert(username, username, ("绩效评价",), "", "U-POOL"), actor=admin
        )
    return POOL
