"""Scenario fixtures: the real ``bpmn/`` bundle deployed into a fresh database.

``paths`` starts processes and acts in roles through the real runtime commands;
form data comes from :mod:`workflows.demo_paths` (realistic Chinese content).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from demo import paths as demo
from workflows import clock, commands, engine, policy
from workflows.engine import specs
from workflows.store import BudgetUnit, HumanTask, ProcessInstance, Project, Timer

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
FORMS = ROOT / "forms"
YEAR = 2027  # the fiscal year the scenarios budget for


def moment(text: str) -> datetime:
    """An ISO moment in China time unless it says otherwise."""
    return clock.parse_moment(text)


class Paths:
    def __init__(self, db):
        self.db = db
        self.unit_id = None
        self._projects = 0

    # --- setup ----------------------------------------------------------------------

    def deploy(self, files: dict[str, str] | None = None):
        with self.db.unit_of_work() as session:
            result = specs.deploy(session, files or specs.load_bundle(BPMN, FORMS), actor="designer")
            session.commit()
        return result

    def project(self, name="农村人居环境整治项目", amount=362.0) -> int:
        self._projects += 1
        with self.db.unit_of_work() as session:
            if self.unit_id is None:
                unit = BudgetUnit(code="360922-001", name="万载县农业农村局")
                session.add(unit)
                session.flush()
                self.unit_id = unit.id
            project = Project(
                code=f"WZ-{YEAR}-{self._projects:03d}",
                name=name,
                unit_id=self.unit_id,
                fiscal_year=YEAR,
                amount=Decimal(str(amount)),
                created_at=clock.now(),
            )
            session.add(project)
            session.flush()
            project_id = project.id
            session.commit()
        return project_id

    def start(self, process="project_lifecycle", *, project=True, **data) -> int:
        project_id = (
            self.project(data.get("project_name", "农村人居环境整治项目"), data.get("amount_wan", 362.0))
            if project
            else None
        )
        base = {"fiscal_year": YEAR, "project_name": "农村人居环境整治项目", "amount_wan": 362.0}
        base.update(data)
        result = commands.start(
            self.db,
            process,
            actor=policy.Actor.system("scenario"),
            data=base,
            project_id=project_id,
        )
        return result.instance_id

    # --- acting ---------------------------------------------------------------------

    def open(self, iid) -> list[str]:
        return demo.open_specs(self.db, iid)

    def tasks(self, iid, spec=None) -> list[HumanTask]:
        return [t for t in demo.open_tasks(self.db, iid) if spec is None or t.task_spec == spec]

    def do(self, iid, spec, data):
        return demo.complete(self.db, iid, spec, data, self.unit_id)

    def fire(self, iid, when: str) -> int:
        return demo.fire_timers(self.db, iid, moment(when))

    def timers(self, iid) -> list[Timer]:
        with self.db.reading() as session:
            rows = list(session.scalars(select(Timer).where(Timer.instance_id == iid).order_by(Timer.due_at)))
            session.expunge_all()
            return rows

    # --- reading --------------------------------------------------------------------

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

    def through_ex_ante(self, iid, score=86.5, conclusion="支持"):
        self.do(iid, "ea_write", demo.ex_ante_report("农村人居环境整治项目", 362.0))
        self.do(iid, "ea_head", demo.head_approval())
        self.do(iid, "ea_finance_review", demo.ex_ante_review(score, conclusion))

    def through_targets(self, iid):
        self.do(iid, "tg_set", demo.performance_targets("农村人居环境整治项目"))
        self.do(iid, "tg_review", demo.targets_decision("通过"))

    def monitoring_node(self, iid, node="05-31", passed=True, month_after="06"):
        """Reach the node, report, and have finance pass or fail it (failure: rectify at once)."""
        self.fire(iid, f"{YEAR}-{month_after}-01T09:00:00")
        self.do(iid, "mn_report", demo.monitoring_report(362.0))
        self.do(iid, "mn_review", demo.monitoring_review(passed))
        if not passed:
            self.do(iid, "rc_submit", demo.rectification_submit())
            self.do(iid, "rc_verify", demo.rectification_verify(True))

    def to_evaluation(self, iid, results=(True, True)):
        """A new project through ex-ante, targets and the monitoring nodes (True = pass)."""
        self.through_ex_ante(iid)
        self.through_targets(iid)
        months = ["06", "09", "11"]
        for index, passed in enumerate(results):
            self.monitoring_node(iid, passed=passed, month_after=months[index])
            if "lc_escalation" in self.open(iid):
                self.do(iid, "lc_escalation", demo.escalation())

    def evaluate(self, iid, finance_score=85.0, **flags):
        self.do(iid, "ev_self", demo.self_evaluation(362.0, 350.0))
        self.do(iid, "ev_finance_review", demo.evaluation_review(finance_score, **flags))


@pytest.fixture
def paths(db):
    clock.set_now(moment(f"{YEAR - 1}-09-10T09:00:00"))
    driver = Paths(db)
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
