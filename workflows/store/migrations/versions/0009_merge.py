"""Merge the heads of the portfolio wave (session of 2026-12-03): each branch added its tables
from 0007_login_limits.

Revision ID: 0009_merge
Revises: 0008_execution, 0008_fiscal_year, 0008_assessment, 0008_third_party, 0008_selection,
          0008_score_table
"""

revision = "0009_merge"
down_revision = (
    "0008_execution",
    "0008_fiscal_year",
    "0008_assessment",
    "0008_third_party",
    "0008_selection",
    "0008_score_table",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
