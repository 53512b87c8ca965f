"""Merge the designer drafts (0004_designer) and the people tables (0004_people) heads.

Revision ID: 0005_merge
Revises: 0004_designer, 0004_people
"""

revision = "0005_merge"
down_revision = ("0004_designer", "0004_people")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
