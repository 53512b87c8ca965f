"""The indexes a task completion writes (issue 14, migration 0017_task_index_writes).

``ix_human_task_assignee`` and ``ix_human_task_completed_by`` are searched for a person only, so
they hold only the tasks that have one; ``ix_human_task_project_id`` is gone, its lookups served by
``ix_human_task_project_due``. Fewer index entries per completion, the same answers.
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
