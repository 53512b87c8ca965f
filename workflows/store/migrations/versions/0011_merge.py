"""Merge the heads of the session of 2026-12-03 (second wave): the dashboard's covering indexes
and the poverty-fund evaluation's tables, each from 0009_merge.

Revision ID: 0011_merge
Revises: 0010_dashboard_indexes, 0010_poverty
"""

revision = "0011_merge"
down_revision = ("0010_dashboard_indexes", "0010_poverty")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
