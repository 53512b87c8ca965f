"""Fiscal-year calendar, the department-wide read table, and the unit of a project-less instance.

Revision ID: 0008_fiscal_year
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_fiscal_year"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fiscal_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("budget_approved_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_process_instance_unit_id", "budget_unit", ["unit_id"], ["id"])
        batch.create_index("ix_process_instance_unit_id", ["unit_id"])
    op.create_table(
        "department_wide",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("targets_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("monitoring_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("self_evaluation_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["budget_unit.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year", "unit_id"),
        sa.UniqueConstraint("instance_id"),
    )
    with op.batch_alter_table("department_wide") as batch:
        batch.create_index("ix_department_wide_fiscal_year", ["fiscal_year"])
        batch.create_index("ix_department_wide_unit_id", ["unit_id"])


def downgrade() -> None:
    op.drop_table("department_wide")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_index("ix_process_instance_unit_id")
        batch.drop_constraint("fk_process_instance_unit_id", type_="foreignkey")
        batch.drop_column("unit_id")
    op.drop_table("fiscal_year")
