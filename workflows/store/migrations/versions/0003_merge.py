"""Join the server (comments, attachments, tokens) and timer (notifications) schema branches.

Revision ID: 0003_merge
Revises: 0002_server, 0002_timers
"""

revision = "0003_merge"
down_revision = ("0002_server", "0002_timers")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
