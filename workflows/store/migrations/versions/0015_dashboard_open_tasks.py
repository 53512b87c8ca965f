"""The dashboard's overdue work at 50,000 projects a year (issue 12, benchmark): an index of the
open tasks only, by project and due time.

The overdue figures depend on the time, so every dashboard page counts the late open tasks per
project (:func:`workflows.queries.overdue.projects_by_unit`). The tasks a year leaves behind
are nearly all completed; this partial index holds the open ones alone, in project order, so
that count reads the open tasks' index entries, already grouped by project, and nothing else.

Revision ID: 0015_dashboard_open_tasks
Revises: 0014_dashboard_summary
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_dashboard_open_tasks"
down_revision = "0014_dashboard_summary"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index(
        "ix_human_task_open_project_due",
        "human_task",
        ["project_id", "due_at"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_human_task_open_project_due", table_name="human_task")
