"""People: finance offices and their units (R-RL-1), the expert pool (R-EX-1), first-login passwords.

Revision ID: 0004_people
Revises: 0003_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_people"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finance_office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # batch mode: SQLite adds the column with its foreign key by copying the table
    with op.batch_alter_table("budget_unit") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_budget_unit_office", "finance_office", ["office_id"], ["id"])
        batch.create_index("ix_budget_unit_office_id", ["office_id"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key("fk_user_account_office", "finance_office", ["office_id"], ["id"])
    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["budget_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("expert")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint("fk_user_account_office", type_="foreignkey")
        batch.drop_column("must_change_password")
        batch.drop_column("office_id")
    with op.batch_alter_table("budget_unit") as batch:
        batch.drop_index("ix_budget_unit_office_id")
        batch.drop_constraint("fk_budget_unit_office", type_="foreignkey")
        batch.drop_column("office_id")
    op.drop_table("finance_office")
