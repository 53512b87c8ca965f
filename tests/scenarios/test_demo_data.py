"""The demo of `make run`: projects at every stage of the closed loop, in both units (issue 3),
made through the same commands as the pages (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

import demo
import demo.poverty
import demo.selection
from demo import paths
from workflows.engine import specs
from workflows.policy import Actor, holders_query
from workflows.queries import projects as project_queries
from workflows.store import AuditEvent, BudgetUnit, HumanTask, ProcessInstance, Project, User

ROOT = Path(__file__).resolve().parents[2]
STAGES = {"ex_ante", "targets", "rectification", "evaluation", "results_applied", "not_budgeted"}


@pytest.fixture
def loaded(db):
    """``make run``: an empty migrated database, bpmn/ deployed, then ``jixiao demo load``."""
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    return demo.load(db)


def test_demo_shows_every_stage_in_two_units_and_a_deadline_minutes_away(db, loaded):
    assert loaded.advanced
    with db.reading() as session:
        by_unit: dict[str, set[str]] = {}
        for project in session.scalars(select(Project)):
            by_unit.setdefault(project.unit.code, set()).add(project.stage)
        units = set(session.scalars(select(BudgetUnit.code)))
        deadline_demo = session.scalar(
            select(ProcessInstance).where(ProcessInstance.process_id == "demo_deadline")
        )
    assert units == {code for code, _name in demo.data.UNITS}
    for unit in (demo.data.ZJ, demo.data.YJ):  # 住建局 and 应急管理局 show the whole loop
        stages = by_unit[unit]
        assert STAGES <= stages, f"{unit} lacks {STAGES - stages}"
        assert {"monitoring", "monitoring_report"} & stages, f"{unit} has no project in monitoring"
    assert set(by_unit) == units, "every unit has projects in hand"
    assert deadline_demo is not None and deadline_demo.status == "running"


def test_demo_projects_are_created_by_their_units_submitters_through_the_front_door(db, loaded):
    with db.reading() as session:
        projects = list(session.scalars(select(Project)))
        more = len(demo.selection.EARLIER) + len(demo.selection.LAST)  # the selection's years (R-EV-2..4)
        more += len(demo.poverty.PROJECTS)  # the poverty-fund projects (R-AS-2)
        assert (
            len(projects) == loaded.projects == len(demo.data.PROJECTS) + len(demo.data.MORE_PROJECTS) + more
        )
        created_by = {
            e.data["code"]: e.actor
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "project.created"))
        }
        for unit in session.scalars(select(BudgetUnit)):
            submitter = session.scalars(holders_query("unit_submitter", unit.id)).one()
            own = {p.code for p in projects if p.unit_id == unit.id}
            # the submitter created each of the unit's projects, and sees them in their list
            assert {created_by[code] for code in own} == {submitter.username}
            visible = set(
                session.scalars(project_queries.listing(Actor.of(submitter)).with_only_columns(Project.code))
            )
            assert visible == own
        for project in projects:
            lifecycles = session.scalars(
                select(ProcessInstance.status).where(
                    ProcessInstance.project_id == project.id, ProcessInstance.process_id == paths.PROCESS
                )
            ).all()
            assert lifecycles in (["running"], ["completed"]), f"{project.code}: {lifecycles}"
        # every task was done by someone with an account, as a person on the page would
        usernames = set(session.scalars(select(User.username)))
        doers = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "task.completed")))
        assert doers and doers <= usernames, doers - usernames


def test_demo_confirms_last_years_selection_and_leaves_this_years_to_confirm(db, loaded):
    """年度评价对象选取 (R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7): one year confirmed, one waiting,
    both read from this fiscal year: no selection of a year before last looks stale beside it."""
    from workflows import clock
    from workflows.queries import selection

    year = clock.now().astimezone(clock.CHINA).year
    assert paths.this_fiscal_year() == year
    with db.reading() as session:
        earlier, last = selection.workbench(session, year - 1), selection.workbench(session, year)
    assert earlier.confirmed and not earlier.failures
    assert not last.confirmed and last.task_id is not None and last.selection.spot_seed
    assert not last.failures, [c.message for c in last.failures]
    assert any(r.evaluated_before for r in last.rows) and any(r.one_off for r in last.rows)
    with db.reading() as session:
        years = set(session.scalars(select(Project.fiscal_year)))
    assert years == {year - 1, year, year + 1}, years  # last year's, this year's and next year's budget


def test_the_demos_story_stays_in_the_past_last_years_projects_graded_last_spring(db, loaded):
    """Walkthrough 12, finding 4: the audit log read 「2027年6月14日 … WZ2025-212」 on 2026-12-04.
    Each of last year's projects is walked from where it stood, not after the previous one."""
    from datetime import UTC

    from workflows import clock

    now = clock.now()
    with db.reading() as session:
        latest = session.scalar(select(func.max(AuditEvent.at)))
        last_year = paths.this_fiscal_year() - 1
        graded = session.execute(
            select(Project.code, func.max(AuditEvent.at))
            .join(ProcessInstance, ProcessInstance.project_id == Project.id)
            .join(AuditEvent, AuditEvent.instance_id == ProcessInstance.id)
            .where(Project.fiscal_year == last_year, Project.stage == "results_applied")
            .group_by(Project.code)
        ).all()
    assert latest.replace(tzinfo=latest.tzinfo or UTC) <= now
    assert len(graded) >= 12
    for code, at in graded:  # the loop closed by the summer after the fiscal year
        assert at.year == last_year + 1 and at.month <= 7, (code, at)


def test_the_demo_gives_each_expert_of_a_panel_a_score_sheet_to_fill(db, loaded):
    """Walk of session 14: the demo held no expert task at all, so 孙丽华 (sun.expert) signing in to
    try the product met an empty inbox. A major new project of 住建局 now waits at its ex-ante
    expert review, a sheet for each expert the finance reviewer picked from the pool."""
    with db.reading() as session:
        sheets = session.execute(
            select(HumanTask.assignee, Project.name)
            .join(Project, Project.id == HumanTask.project_id)
            .where(HumanTask.task_spec == "ea_expert_score", HumanTask.status == "open")
        ).all()
    assert sorted(a for a, _name in sheets) == ["sun.expert", "wang.expert", "zhao.expert"]
    assert {name for _a, name in sheets} == {"城区供水管网改造"}
