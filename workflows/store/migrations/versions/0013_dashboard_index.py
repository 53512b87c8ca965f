"""The dashboard at a province's size (issue 12, item 1): a partial covering index of the
projects its cuts and 双监控 figures add up, so those sums no longer walk the whole year; and
``audit_checkpoint``, per audit chain the last event a verification found intact, so
``/audit/verify`` recomputes only what was appended since (store/audit_check.py).

Revision ID: 0013_dashboard_index
Revises: 0012_audit_log
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_dashboard_index"
down_revision = "0012_audit_log"
branch_labels = None
depends_on = None

# as workflows.store.models.FLAGGED_INDEX_COLUMNS and FLAGGED_WHERE (a migration keeps its own copy)
FLAGGED_INDEX_COLUMNS = (
    "fiscal_year",
    "unit_id",
    "fund_type",
    "amount",
    "budget_cut_ratio",
    "executed_amount",
    "execution_rate",
    "schedule_progress",
)
FLAGGED_WHERE = "budget_cut_ratio > 0 OR executed_amount IS NOT NULL OR execution_rate < schedule_progress"


def upgrade() -> None:
    op.create_index(
        "ix_project_flagged",
        "project",
        list(FLAGGED_INDEX_COLUMNS),
        sqlite_where=sa.text(FLAGGED_WHERE),
        postgresql_where=sa.text(FLAGGED_WHERE),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("chain", sa.String(length=40), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_index("ix_project_flagged", table_name="project")
