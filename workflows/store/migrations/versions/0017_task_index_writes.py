"""Fewer index writes per task completion (issue 14: completion within 2x the raw engine).

A completion updates the task's ``human_task`` row and inserts the next task's; each index of the
table is one more b-tree page written per row (on SQLite 33 WAL pages per completion, 17 of them
for ``human_task``'s indexes). Three of those writes bought nothing:

* ``ix_human_task_project_id`` (project_id) repeats the first column of
  ``ix_human_task_project_due`` (project_id, status, due_at), which serves the same lookups;
* ``ix_human_task_assignee`` and ``ix_human_task_completed_by`` held an entry for every task
  nobody has claimed or completed (NULL), though they are only ever searched for a person
  (``assignee = :me``, ``completed_by = :me``). Now they hold the tasks that have one
  (``WHERE ... IS NOT NULL``, which both SQLite and PostgreSQL infer from ``= :me``): a new task
  is not written to them, and a claim or completion inserts its entry instead of moving one.

Measured with ``bench/engine_overhead.py``'s process: 33.4 -> 28.1 WAL pages per completion.

Revision ID: 0017_task_index_writes
Revises: 0016_year_execution
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_task_index_writes"
down_revision = "0016_year_execution"
branch_labels = None
depends_on = None

# (name, columns, the column an entry needs)
PERSON_INDEXES = (
    ("ix_human_task_assignee", ["assignee", "status", "due_at"], "assignee"),
    ("ix_human_task_completed_by", ["completed_by", "completed_at"], "completed_by"),
)


def upgrade() -> None:
    op.drop_index("ix_human_task_project_id", table_name="human_task")
    for name, columns, person in PERSON_INDEXES:
        op.drop_index(name, table_name="human_task")
        present = sa.text(f"{person} IS NOT NULL")
        op.create_index(name, "human_task", columns, postgresql_where=present, sqlite_where=present)


def downgrade() -> None:
    for name, columns, _person in PERSON_INDEXES:
        op.drop_index(name, table_name="human_task")
        op.create_index(name, "human_task", columns)
    op.create_index("ix_human_task_project_id", "human_task", ["project_id"])
