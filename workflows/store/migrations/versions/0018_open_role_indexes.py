"""The role indexes hold open tasks only (issue 14: completion within 2x the raw engine).

``ix_human_task_claimable`` (status, role, due_at, id, assignee) and ``ix_human_task_open_role``
(status, role, unit_id, due_at) are read for the inbox's 待认领 and a role's open work, always
with ``status = 'open'`` written into the SQL (``TaskStatus``). Yet they held every task ever
completed or cancelled, nine in ten of a year's rows: each completion moved the task's entry in
both from ``open`` to ``completed`` (a delete and an insert on two pages each). Now they hold the
open tasks alone (``WHERE status = 'open'``, status no longer a column): a completion only
deletes its entries, and the indexes stay the size of the open backlog as the years pile up.

Measured on SQLite in the benchmark's process (``bench/engine_overhead.py``'s workflow, 2,000
instances, each completed once, alternated with the old indexes): SQLite's own time per completion
9-12 µs less (186 -> 174 and 170 -> 162 µs). ``bench/inbox.py`` reads page 1 as fast as before
(300,000 rows: 1.85 ms on SQLite, about 4 ms on PostgreSQL, both plans on the new indexes) and
seeds its rows faster (SQLite 15.0 -> 11.1 s, PostgreSQL 13.6 -> 10.7 s).

Revision ID: 0018_open_role_indexes
Revises: 0017_task_index_writes
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_open_role_indexes"
down_revision = "0017_task_index_writes"
branch_labels = None
depends_on = None

# (name, columns before, columns now)
ROLE_INDEXES = (
    (
        "ix_human_task_claimable",
        ["status", "role", "due_at", "id", "assignee"],
        ["role", "due_at", "id", "assignee"],
    ),
    ("ix_human_task_open_role", ["status", "role", "unit_id", "due_at"], ["role", "unit_id", "due_at"]),
)


def upgrade() -> None:
    is_open = sa.text("status = 'open'")
    for name, _before, now in ROLE_INDEXES:
        op.drop_index(name, table_name="human_task")
        op.create_index(name, "human_task", now, postgresql_where=is_open, sqlite_where=is_open)


def downgrade() -> None:
    for name, before, _now in ROLE_INDEXES:
        op.drop_index(name, table_name="human_task")
        op.create_index(name, "human_task", before)
