"""Third-party institutions (R-TP-1..3) and versions of approved targets (R-TG-3, R-TG-6).

Revision ID: 0008_third_party
Revises: 0007_login_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_third_party"
down_revision = "0007_login_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "third_party_institution",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_third_party_institution_status", "third_party_institution", ["status"])
    op.create_table(
        "third_party_member",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), primary_key=True),
        sa.Column(
            "institution_id", sa.Integer(), sa.ForeignKey("third_party_institution.id"), nullable=False
        ),
    )
    op.create_index("ix_third_party_member_institution_id", "third_party_member", ["institution_id"])
    op.create_table(
        "third_party_engagement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "institution_id", sa.Integer(), sa.ForeignKey("third_party_institution.id"), nullable=False
        ),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("procurement_method", sa.String(40), nullable=False),
        sa.Column("contract_number", sa.String(80), nullable=False),
        sa.Column("fee", sa.Numeric(18, 2), nullable=False),
        sa.Column("engaged_on", sa.Date(), nullable=False),
        sa.Column("engaged_by", sa.String(80), nullable=False),
    )
    for column in ("institution_id", "project_id", "engaged_on"):
        op.create_index(f"ix_third_party_engagement_{column}", "third_party_engagement", [column])
    op.create_table(
        "third_party_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "institution_id", sa.Integer(), sa.ForeignKey("third_party_institution.id"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("score", sa.Numeric(6, 2), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("fee_coefficient", sa.Numeric(5, 2), nullable=True),
        sa.Column("tender_bonus", sa.Numeric(5, 2), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("rated_by", sa.String(80), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("institution_id", "year"),
    )
    op.create_index("ix_third_party_rating_institution_id", "third_party_rating", ["institution_id"])
    op.create_table(
        "target_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("overall_goal", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.String(80), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("republish_pending", sa.Boolean(), nullable=False),
        sa.Column("republished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("project_id", "version"),
    )
    op.create_index("ix_target_version_project_id", "target_version", ["project_id"])


def downgrade() -> None:
    for table in (
        "target_version",
        "third_party_rating",
        "third_party_engagement",
        "third_party_member",
        "third_party_institution",
    ):
        op.drop_table(table)
