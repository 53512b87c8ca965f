"""A comparison of ``human_task.status`` with one of its words is written into the SQL as that
word, never as a parameter (issue 14).

``ix_human_task_open_project_due`` holds the open tasks only (``WHERE status = 'open'``). Given
``status = ?``, SQLite can use that index only by looking at the bound value, and a statement
planned on a bound value is prepared again on every run: the completion's first statement and
every inbox count were re-planned each time (about 50 µs each). PostgreSQL's generic plans of
prepared statements cannot use the partial index with a parameter either. With the word in the
SQL both plan once and use the index.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workflows import commands
from workflows.commands._read_tables import TASK_AND_OPEN
from workflows.queries import inbox, overdue
from workflows.store import HumanTask
from workflows.store.column_types import TASK_STATUSES

DIALECTS = [sqlite.dialect(), postgresql.dialect()]


def sql_of(statement, dialect) -> str:
    return " ".join(str(statement.compile(dialect=dialect)).split())


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("word", TASK_STATUSES)
def test_a_status_word_is_written_into_the_sql(dialect, word):
    for statement in (
        select(HumanTask.id).where(HumanTask.status == word),
        select(HumanTask.id).filter_by(status=word),
        update(HumanTask).where(HumanTask.id == bindparam("b_id"), HumanTask.__table__.c.status == word),
    ):
        sql = sql_of(statement, dialect)
        assert f"human_task.status = '{word}'" in sql, sql
    assert f"human_task.status != '{word}'" in sql_of(
        select(HumanTask.id).where(HumanTask.status != word), dialect
    )


def test_the_status_comparator_stays_hashable():
    comparator = HumanTask.__table__.c.status.comparator
    assert {comparator: 1}[comparator] == 1


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_anything_else_stays_a_parameter(dialect):
    """A value that is not a status word (a typo, a user's input) is never written into the SQL."""
    for value in ("opened", "x' OR '1'='1", bindparam("status")):
        sql = sql_of(select(HumanTask.id).where(HumanTask.status == value), dialect)
        assert "'" not in sql, sql
    assert "'open'" not in sql_of(
        select(HumanTask.id).where(HumanTask.status.in_(["open", "cancelled"])), dialect
    )


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_the_hot_statements_carry_the_word(dialect):
    """The completion's first statement and the overdue count of every dashboard page."""
    from datetime import UTC, datetime

    assert "human_task.status = 'open'" in sql_of(TASK_AND_OPEN.statement, dialect)
    count = select(func.count()).where(overdue.open_past_due(datetime(2026, 12, 4, tzinfo=UTC)))
    assert "human_task.status = 'open'" in sql_of(count, dialect)


def test_the_inbox_answers_as_before(db, deploy, submitter):
    deploy("approval")
    task = commands.start(db, "approval", actor=submitter).next_tasks[0]
    with db.reading() as session:
        assert [t.id for t in inbox.tasks(session, submitter, scope="claimable").items] == [task.id]
    commands.claim(db, task.id, actor=submitter)
    commands.complete_task(db, task.id, {"project_name": "甲", "amount": 3}, actor=submitter)
    with db.reading() as session:
        assert [t.id for t in inbox.tasks(session, submitter, scope="completed").items] == [task.id]
        assert inbox.tasks(session, submitter, scope="claimable").items == []
