"""扶贫资金项目 monthly evaluation (R-AS-2): the month, each unit's score row, the items fed back
for rectification; an index to find a year's projects of one fund type.

Revision ID: 0010_poverty
Revises: 0009_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_poverty"
down_revision = "0009_merge"
branch_labels = None
depends_on = None

_at = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "poverty_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", _at, nullable=False),
        sa.Column("reviewed_at", _at, nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", _at, nullable=True),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year", "month", name="uq_poverty_month_year_month"),
    )
    op.create_index("ix_poverty_month_instance_id", "poverty_month", ["instance_id"])
    op.create_table(
        "poverty_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_id", sa.Integer(), sa.ForeignKey("poverty_month.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("budget_unit.id"), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        *(sa.Column(name, sa.Numeric(6, 2), nullable=True) for name in ("deduction", "adjustment")),
        sa.Column("adjustment_reason", sa.String(length=500), nullable=True),
        sa.Column("total", sa.Numeric(6, 2), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("supervise", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month_id", "unit_id", name="uq_poverty_score_month_unit"),
    )
    op.create_index("ix_poverty_score_month_id", "poverty_score", ["month_id"])
    op.create_table(
        "poverty_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_id", sa.Integer(), sa.ForeignKey("poverty_month.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("budget_unit.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.Column("rectified_at", _at, nullable=True),
        sa.Column("rectified_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_poverty_issue_month_unit", "poverty_issue", ["month_id", "unit_id"])
    op.create_index("ix_poverty_issue_project_id", "poverty_issue", ["project_id"])
    op.create_index("ix_project_year_fund", "project", ["fiscal_year", "fund_type"])


def downgrade() -> None:
    op.drop_index("ix_project_year_fund", table_name="project")
    op.drop_table("poverty_issue")
    op.drop_table("poverty_score")
    op.drop_table("poverty_month")
