"""What the project row's execution figures are as of: the monitoring node they were reported at
("08-31"), and the whole year's execution from the completed self-evaluation (issue 10, finding 8:
the project page said "已执行 895.47 万元" from the August node beside a self-evaluation of 1228.43).

Plain ``ADD COLUMN`` (no table rebuild): the dashboard tally's triggers on ``project`` stay.

Revision ID: 0016_year_execution
Revises: 0015_dashboard_open_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_year_execution"
down_revision = "0015_dashboard_open_tasks"
branch_labels = None
depends_on = None

COLUMNS = (
    ("execution_node", sa.String(length=10)),
    ("year_executed_amount", sa.Numeric(precision=18, scale=2)),
    ("year_execution_rate", sa.Numeric(precision=7, scale=2)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("project", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
