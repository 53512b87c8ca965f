"""The 审计日志 page (issue 12, item 7): the audit log listed newest first and filtered by actor
without reading the whole table.

Revision ID: 0012_audit_log
Revises: 0011_merge
"""

from alembic import op

revision = "0012_audit_log"
down_revision = "0011_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_at", "audit_event", ["at", "id"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    op.drop_index("ix_audit_event_at", table_name="audit_event")
