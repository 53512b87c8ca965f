"""The access policy: each rule and its SQL form agree for every actor and task (DESIGN 8).

Generated actors (roles, unit, name, their finance office's units) and generated task rows
go through both the pure rule (``may_see``, ``may_claim``, ``may_read_task``,
``may_read_project``) and its clause on an in-memory SQLite ``human_task`` / ``project``
table; the two must pick exactly the same tasks and projects.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

from workflows import policy
from workflows.policy import Actor
from workflows.store import HumanTask, Project

ROLES = [
    "unit_submitter",
    "unit_head",
    "finance_reviewer",
    "performance_office",
    "expert",
    "third_party",
    "admin",
]
USERS = ["zhang.san", "li.si", "wang.expert"]
UNITS = [None, 1, 2]

actors = st.builds(
    Actor,
    username=st.sampled_from(USERS),
    roles=st.frozensets(st.sampled_from(ROLES), max_size=3),
    unit_id=st.sampled_from(UNITS),
    is_system=st.just(False),
    office_units=st.one_of(st.none(), st.frozensets(st.sampled_from([1, 2, 3]), max_size=2)),
)
task_rows = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from([*ROLES, None]),
            "unit_id": st.sampled_from(UNITS),
            "assignee": st.sampled_from([None, *USERS]),
            "status": st.sampled_from(["open", "completed", "cancelled"]),
            "completed_by": st.sampled_from([None, *USERS]),
        }
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def engine():
    eng = create_engine("sqlite://")
    # the tables the clauses read, without their FKs' targets
    HumanTask.__table__.create(eng, checkfirst=True)
    Project.__table__.create(eng, checkfirst=True)
    yield eng
    eng.dispose()


class Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _agree(engine, actor: Actor, rows: list[dict], rule, clause) -> None:
    ids = itertools.count(1)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    stored = [
        {
            **r,
            "id": str(next(ids)),
            "instance_id": 1,
            "process_id": "p",
            "task_spec": "t",
            "title": "t",
            "priority": 50,
            "created_at": now,
        }
        for r in rows
    ]
    with Session(engine) as session:
        session.execute(delete(HumanTask))
        session.execute(insert(HumanTask), stored)
        by_sql = set(session.scalars(select(HumanTask.id).where(clause(actor))))
        session.rollback()
    by_rule = {r["id"] for r in stored if rule(actor, Row(r))}
    assert by_sql == by_rule, (actor, [r for r in stored if (r["id"] in by_sql) != (r["id"] in by_rule)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actor=actors, rows=task_rows)
def test_may_see_and_its_sql_pick_the_same_tasks(engine, actor, rows):
    _agree(engine, actor, rows, policy.may_see, policy.visible_clause)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actor=actors, rows=task_rows)
def test_may_claim_and_the_claimable_inbox_pick_the_same_tasks(engine, actor, rows):
    _agree(engine, actor, rows, policy.may_claim, policy.claimable_clause)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actor=actors, rows=task_rows)
def test_may_read_task_and_its_sql_pick_the_same_tasks(engine, actor, rows):
    _agree(engine, actor, rows, policy.may_read_task, policy.readable_task_clause)


def test_an_expert_never_claims_from_a_pool():
    """DESIGN 8: an expert sees only tasks assigned to them."""
    expert = Actor("wang.expert", frozenset({"expert"}))
    pooled = Row(
        {"role": "expert", "unit_id": None, "assignee": None, "status": "open", "completed_by": None}
    )
    mine = Row(
        {"role": "expert", "unit_id": None, "assignee": "wang.expert", "status": "open", "completed_by": None}
    )
    assert not policy.may_see(expert, pooled) and not policy.may_claim(expert, pooled)
    assert policy.may_see(expert, mine) and policy.may_complete(expert, mine)


def test_a_unit_sees_only_its_own_units_tasks():
    """DOMAIN 2: a unit's staff see their unit's work, not another unit's."""
    submitter = Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=1)
    own = Row(
        {"role": "unit_submitter", "unit_id": 1, "assignee": None, "status": "open", "completed_by": None}
    )
    other = Row(
        {"role": "unit_submitter", "unit_id": 2, "assignee": None, "status": "open", "completed_by": None}
    )
    assert policy.may_claim(submitter, own) and not policy.may_see(submitter, other)


def test_an_expert_reads_no_other_experts_sheet_in_the_history():
    """R-EA-4 / DESIGN 8: experts score independently."""
    events = [
        Row({"task_id": "e1", "actor": "wang.expert", "action": "task.completed"}),
        Row({"task_id": "e2", "actor": "zhao.expert", "action": "task.completed"}),
        Row({"task_id": "t1", "actor": "li.si", "action": "task.completed"}),
        # the panel's mean, computed from both sheets by a script after the last expert finished
        Row({"task_id": "s1", "actor": "wang.expert", "action": "engine.step"}),
    ]
    wang = Actor("wang.expert", frozenset({"expert"}))
    office = Actor("zhou.perf", frozenset({"performance_office"}))
    assert [e.task_id for e in policy.readable_history(wang, events, {"e1", "e2"})] == ["e1", "t1"]
    assert len(policy.readable_history(office, events, {"e1", "e2"})) == 4


project_rows = st.lists(
    st.fixed_dictionaries(
        {
            "unit_id": st.sampled_from([1, 2, 3]),
            "tasks": st.lists(
                st.fixed_dictionaries(
                    {
                        "role": st.sampled_from([*ROLES, None]),
                        "assignee": st.sampled_from([None, *USERS]),
                        "status": st.sampled_from(["open", "completed"]),
                        "completed_by": st.sampled_from([None, *USERS]),
                    }
                ),
                max_size=3,
            ),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actor=actors, projects=project_rows)
def test_may_read_project_and_its_sql_pick_the_same_projects(engine, actor, projects):
    now = datetime(2026, 5, 1, tzinfo=UTC)
    task_ids = itertools.count(1)
    stored_projects, stored_tasks = [], []
    for number, p in enumerate(projects, start=1):
        stored_projects.append(
            {"id": number, "code": f"P{number}", "name": "p", "unit_id": p["unit_id"], "fiscal_year": 2026}
            | {"amount": 1, "created_at": now}
        )
        for t in p["tasks"]:
            stored_tasks.append(
                {**t, "id": str(next(task_ids)), "project_id": number, "unit_id": p["unit_id"]}
                | {"instance_id": 1, "process_id": "p", "task_spec": "t", "title": "t"}
                | {"priority": 50, "created_at": now}
            )
    with Session(engine) as session:
        session.execute(delete(HumanTask))
        session.execute(delete(Project))
        session.execute(insert(Project), stored_projects)
        if stored_tasks:
            session.execute(insert(HumanTask), stored_tasks)
        by_sql = set(session.scalars(select(Project.id).where(policy.project_clause(actor))))
        session.rollback()
    by_rule = {
        p["id"]
        for p in stored_projects
        if policy.may_read_project(
            actor, Row(p), [Row(t) for t in stored_tasks if t["project_id"] == p["id"]]
        )
    }
    assert by_sql == by_rule, actor


def _task(role, unit_id, assignee=None):
    return Row(
        {"role": role, "unit_id": unit_id, "assignee": assignee, "status": "open", "completed_by": None}
    )


def test_R_RL_1_reviewer_sees_only_their_offices_units():
    """DOMAIN R-RL-1: a finance business office (对口业务科室) reviews its own units only."""
    reviewer = Actor("li.si", frozenset({"finance_reviewer"}), office_units=frozenset({1}))
    assert policy.may_claim(reviewer, _task("finance_reviewer", 1))
    assert not policy.may_see(reviewer, _task("finance_reviewer", 2))
    assert policy.may_read_project(reviewer, Row({"id": 1, "unit_id": 1}))
    assert not policy.may_read_project(reviewer, Row({"id": 2, "unit_id": 2}))


def test_R_RL_1_reviewer_without_an_office_reviews_no_unit():
    reviewer = Actor("li.si", frozenset({"finance_reviewer"}), office_units=frozenset())
    assert not policy.may_see(reviewer, _task("finance_reviewer", 1))
    assert not policy.may_read_project(reviewer, Row({"id": 1, "unit_id": 1}))


def test_R_RL_1_performance_office_and_leadership_see_every_unit():
    for role in ("performance_office", "leadership"):
        actor = Actor("zhou.perf", frozenset({role}), office_units=frozenset({1}))
        assert policy.may_read_project(actor, Row({"id": 2, "unit_id": 2}))


def test_R_RL_1_a_reviewer_may_be_handed_only_their_offices_tasks():
    other_office = Actor("qian.fin", frozenset({"finance_reviewer"}), office_units=frozenset({2}))
    assert not policy.may_hold(other_office, _task("finance_reviewer", 1))
    assert policy.may_hold(other_office, _task("finance_reviewer", 2))
