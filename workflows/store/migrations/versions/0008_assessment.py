"""Assessment of units (R-AS-1) and the disclosure register (R-TG-3, R-RA-4, R-EV-4).

Revision ID: 0008_assessment
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_assessment"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None

_at = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assessment_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", _at, nullable=False),
        sa.Column("scored_at", _at, nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", _at, nullable=True),
        sa.Column("weights", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year", "cycle", name="uq_assessment_cycle_year_cycle"),
    )
    op.create_index("ix_assessment_cycle_instance_id", "assessment_cycle", ["instance_id"])
    op.create_table(
        "assessment_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("assessment_cycle.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("budget_unit.id"), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        *(
            sa.Column(name, sa.Numeric(6, 2), nullable=True)
            for name in ("timeliness", "target_quality", "rectification", "accuracy", "judgement", "total")
        ),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "unit_id", name="uq_assessment_score_cycle_unit"),
    )
    op.create_index("ix_assessment_score_cycle_id", "assessment_score", ["cycle_id"])
    op.create_table(
        "disclosure_due",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "kind"),
    )
    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("published_at", _at, nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject_id", name="uq_disclosure_kind_subject"),
    )
    op.create_index("ix_disclosure_fiscal_year", "disclosure", ["fiscal_year"])


def downgrade() -> None:
    op.drop_table("disclosure")
    op.drop_table("disclosure_due")
    op.drop_table("assessment_score")
    op.drop_table("assessment_cycle")
