"""The bureau's lists at a province's size (issue 12, items 1 and 7): the dashboard's covering
index on ``project``, and ``export_job`` for the long exports that run in the background.

Revision ID: 0010_dashboard_indexes
Revises: 0009_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_dashboard_indexes"
down_revision = "0009_merge"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)
# as workflows.store.models.DASHBOARD_INDEX_COLUMNS and STAGE_INDEX_COLUMNS (a migration keeps
# its own copy): the dashboard's grouped sums walk these without reading a table row
DASHBOARD_INDEX_COLUMNS = (
    "fiscal_year",
    "unit_id",
    "grade",
    "fund_type",
    "amount",
    "budget_cut_ratio",
    "executed_amount",
    "execution_rate",
    "schedule_progress",
)
STAGE_INDEX_COLUMNS = ("fiscal_year", "stage", "unit_id", "fund_type", "amount")


def upgrade() -> None:
    op.create_index("ix_project_dashboard", "project", list(DASHBOARD_INDEX_COLUMNS))
    op.create_index("ix_project_year_stage", "project", list(STAGE_INDEX_COLUMNS))
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.Column("finished_at", _AT, nullable=True),
    )
    op.create_index("ix_export_job_owner_created", "export_job", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_export_job_owner_created", table_name="export_job")
    op.drop_table("export_job")
    op.drop_index("ix_project_year_stage", table_name="project")
    op.drop_index("ix_project_dashboard", table_name="project")
