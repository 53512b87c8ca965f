"""Budget execution on the project row (双监控): executed amount, execution rate and 序时进度 at the
latest monitoring node, copied from the monitoring round as it computes them (issue 12, dashboard).

Revision ID: 0008_execution
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_execution"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None

COLUMNS = (
    ("executed_amount", sa.Numeric(precision=18, scale=2)),
    ("execution_rate", sa.Numeric(precision=7, scale=2)),
    ("schedule_progress", sa.Numeric(precision=5, scale=2)),
)


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
