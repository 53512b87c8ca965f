"""Login limits: failed sign-ins per account and per address, shared by every worker.

Revision ID: 0007_login_limits
Revises: 0006_project_header
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_login_limits"
down_revision = "0006_project_header"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failure") as batch:
        batch.create_index("ix_login_failure_account_at", ["account", "at"])
        batch.create_index("ix_login_failure_address_at", ["address", "at"])
        batch.create_index("ix_login_failure_at", ["at"])


def downgrade() -> None:
    op.drop_table("login_failure")
