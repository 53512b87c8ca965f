"""The indexes a task completion writes (issue 14, migrations 0017_task_index_writes and
0018_open_role_indexes).

``ix_human_task_assignee`` and ``ix_human_task_completed_by`` are searched for a person only, so
they hold only the tasks that have one; ``ix_human_task_project_id`` is gone, its lookups served by
``ix_human_task_project_due``. The role indexes (``ix_human_task_claimable``,
``ix_human_task_open_role``) are read for open tasks only, so they hold only those. Fewer index
entries per completion, the same answers.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from workflows import commands
from workflows.queries import inbox
from workflows.store import Database
from workflows.store.database import alembic_config


def human_task_indexes(db: Database) -> dict[str, str]:
    """Each index of ``human_task`` with its definition, as the database itself states it."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'human_task'")
            )
        else:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'human_task'")
            )
        return {name: " ".join((sql or "").split()) for name, sql in rows}


def test_person_indexes_hold_only_tasks_with_a_person(db):
    indexes = human_task_indexes(db)
    assert "ix_human_task_project_id" not in indexes
    assert "ix_human_task_project_due" in indexes  # what serves a project's tasks now
    for name, column in (
        ("ix_human_task_assignee", "assignee"),
        ("ix_human_task_completed_by", "completed_by"),
    ):
        definition = indexes[name].replace("(", "").replace(")", "")
        assert f"WHERE {column} IS NOT NULL" in definition, indexes[name]


def test_role_indexes_hold_only_open_tasks(db):
    indexes = human_task_indexes(db)
    for name in ("ix_human_task_claimable", "ix_human_task_open_role"):
        definition = indexes[name].replace("(", "").replace(")", "").replace("::text", "")
        assert "WHERE status = 'open'" in definition, indexes[name]
        columns = definition.split(" WHERE ")[0]
        assert "status" not in columns, indexes[name]  # every entry is open: status would repeat


def test_a_role_finds_its_open_work_through_them_and_not_what_is_done(db, deploy, submitter):
    """Claimable from the role index while open; claimed, then completed, it leaves that tab."""
    deploy("approval")
    first = commands.start(db, "approval", actor=submitter).next_tasks[0]
    second = commands.start(db, "approval", actor=submitter).next_tasks[0]

    def claimable():
        with db.reading() as session:
            return sorted(t.id for t in inbox.tasks(session, submitter, scope="claimable").items)

    assert claimable() == sorted([first.id, second.id])
    commands.claim(db, first.id, actor=submitter)
    commands.complete_task(db, first.id, {"project_name": "甲", "amount": 3}, actor=submitter)
    assert claimable() == [second.id]


def test_the_inbox_still_finds_a_persons_tasks_through_them(db, deploy, submitter):
    """A task nobody has claimed is in no person's index, yet claimed and completed it is found."""
    deploy("approval")
    task = commands.start(db, "approval", actor=submitter).next_tasks[0]

    def tab(scope):
        with db.reading() as session:
            return [t.id for t in inbox.tasks(session, submitter, scope=scope).items]

    assert tab("mine") == [] and tab("claimable") == [task.id]
    commands.claim(db, task.id, actor=submitter)
    assert tab("mine") == [task.id] and tab("claimable") == []
    commands.complete_task(db, task.id, {"project_name": "甲", "amount": 3}, actor=submitter)
    assert tab("completed") == [task.id] and tab("mine") == []


def test_the_open_role_migration_goes_back_and_forth(database_url):
    db = Database(database_url)
    try:
        command.downgrade(alembic_config(database_url), "0017_task_index_writes")
        before = human_task_indexes(db)["ix_human_task_claimable"]
        assert "WHERE" not in before and "status" in before
        db.migrate()
        assert "WHERE" in human_task_indexes(db)["ix_human_task_claimable"]
    finally:
        db.migrate()
        db.dispose()


def test_the_migration_goes_back_and_forth(database_url):
    db = Database(database_url)
    try:
        command.downgrade(alembic_config(database_url), "0016_year_execution")
        before = human_task_indexes(db)
        assert "ix_human_task_project_id" in before
        assert "WHERE" not in before["ix_human_task_assignee"]
        db.migrate()
        assert "ix_human_task_project_id" not in human_task_indexes(db)
    finally:
        db.migrate()
        db.dispose()
