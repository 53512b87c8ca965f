"""Annual selection: the year's selection of projects for evaluation, review, monitoring, spot checks.

Revision ID: 0008_selection
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_selection"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_selection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("spot_seed", sa.String(length=64), nullable=True),
        sa.Column("spot_draws", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=80), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year"),
    )
    op.create_table(
        "selection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year", "project_id", "category", name="uq_selection_item"),
    )
    op.create_index("ix_selection_item_year_category", "selection_item", ["fiscal_year", "category"])
    op.create_index("ix_selection_item_project_id", "selection_item", ["project_id"])


def downgrade() -> None:
    op.drop_table("selection_item")
    op.drop_table("annual_selection")
