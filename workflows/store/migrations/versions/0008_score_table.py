"""Spot checks (R-EV-7), accountability records and the consolidated score table (R-EV-3).

Revision ID: 0008_score_table
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_score_table"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "spot_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("veto_applied", sa.Boolean(), nullable=False),
        sa.Column("veto_grade", sa.String(length=10), nullable=True),
        sa.Column("veto_cut_ratio", sa.Numeric(5, 4), nullable=True),
        sa.Column("recovery_wan", sa.Numeric(18, 2), nullable=True),
        sa.Column("started_by", sa.String(length=80), nullable=False),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("decided_at", _AT, nullable=True),
        sa.UniqueConstraint("project_id", "fiscal_year", name="uq_spot_check_project_year"),
    )
    op.create_index("ix_spot_check_project_id", "spot_check", ["project_id"])
    op.create_index("ix_spot_check_fiscal_year", "spot_check", ["fiscal_year"])
    op.create_table(
        "accountability_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("spot_check_id", sa.Integer(), sa.ForeignKey("spot_check.id"), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("owner_name", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
    )
    op.create_index("ix_accountability_record_project_id", "accountability_record", ["project_id"])
    op.create_table(
        "score_table_row",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), primary_key=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("self_total", sa.Numeric(6, 2), nullable=True),
        sa.Column("finance_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("panel_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("third_party_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("final_score", sa.Numeric(6, 2), nullable=True),
        sa.Column("band_grade", sa.String(length=10), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("cap_reason", sa.String(length=200), nullable=True),
        sa.Column("budget_cut_ratio", sa.Numeric(5, 4), nullable=True),
        sa.Column("changed_after_confirmation", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
    )
    op.create_index("ix_score_table_row_fiscal_year", "score_table_row", ["fiscal_year"])
    op.create_table(
        "score_table_confirmation",
        sa.Column("fiscal_year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("confirmed_by", sa.String(length=80), nullable=False),
        sa.Column("confirmed_at", _AT, nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("score_table_confirmation")
    op.drop_table("score_table_row")
    op.drop_table("accountability_record")
    op.drop_table("spot_check")
