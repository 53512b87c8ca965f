"""Issue 14 through the real engine: a hostile DMN cell, timer or oversized state fails
the command with a ScriptError, nothing is saved, and lint refuses what it can evaluate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.engine.bundles import variant
from workflows import commands, engine
from workflows.engine import specs
from workflows.errors import ScriptError
from workflows.policy import Actor
from workflows.store import ProcessInstance

SYSTEM = Actor.system("test")


def _instances(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance))


def test_a_dmn_cell_bomb_fails_the_start_and_saves_nothing(db, deploy, tmp_path):
    bundle = variant(
        tmp_path,
        base="decision",
        edits={"grade_band.dmn": [("<text>&gt;= 90</text>", "<text>&gt;= math.factorial(1000000)</text>")]},
    )
    deploy(bundle)
    with pytest.raises(ScriptError, match="factorial"):
        commands.start(db, "decision", actor=SYSTEM, data={"score": 95}, business_key="K1")
    assert _instances(db) == 0


def test_a_looping_dmn_cell_is_stopped_by_the_time_limit(db, deploy, tmp_path):
    looping = "(lambda f: f(f, 60))(lambda f, n: n and f(f, n - 1) + f(f, n - 1) or 1)"
    bundle = variant(
        tmp_path,
        base="decision",
        edits={"grade_band.dmn": [('<text>"优"</text>', f"<text>{looping}</text>")]},
    )
    deploy(bundle)
    with pytest.raises(ScriptError, match="time limit"):
        commands.start(db, "decision", actor=SYSTEM, data={"score": 95}, business_key="K1")
    assert _instances(db) == 0


def test_a_timer_guarded_by_a_huge_factorial_is_refused_by_lint(tmp_path):
    bundle = variant(
        tmp_path,
        edits={
            "approval.bpmn": [('"P10D"', '"P10D" if math.factorial(400000) &gt; 0 else "P1D"')],
        },
    )
    errors = specs.lint(specs.load_bundle(bundle))
    assert [(e.element, "factorial" in e.message) for e in errors] == [("review_deadline", True)]


def test_a_state_over_the_size_limit_fails_the_command_and_saves_nothing(db, deploy, monkeypatch):
    deploy("decision")
    monkeypatch.setattr(engine, "MAX_WORKFLOW_STATE_CHARS", 500)
    with pytest.raises(ScriptError, match="Nothing was saved"):
        commands.start(db, "decision", actor=SYSTEM, data={"score": 95}, business_key="K1")
    assert _instances(db) == 0
