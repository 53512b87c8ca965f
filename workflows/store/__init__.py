"""Every table, the :class:`Database` with its units of work, the audit log, migrations.

The tables are plain SQLAlchemy models on one ``DeclarativeBase`` (:class:`Base`); the
Flask app builds Flask-SQLAlchemy on it, so both share one metadata and one engine.
Schema changes are Alembic migrations in ``migrations/`` (``jixiao db upgrade``).
"""

from .collab import ApiToken, Attachment, Comment, Delegation, Notification, SavedFilter
from .database import Database, default_database, transaction
from .models import (
    PROJECT_SYNC_COLUMNS,
    AuditChain,
    AuditEvent,
    Base,
    BudgetUnit,
    Deployment,
    DesignerDraft,
    Expert,
    FinanceOffice,
    HumanTask,
    Incident,
    LoginFailure,
    ProcessDefinition,
    ProcessInstance,
    Project,
    RoleGrant,
    Timer,
    User,
)
from .spot_check import AccountabilityRecord, ScoreTableConfirmation, ScoreTableRow, SpotCheck

__all__ = [
    "AccountabilityRecord",
    "ScoreTableConfirmation",
    "ScoreTableRow",
    "SpotCheck",
    "PROJECT_SYNC_COLUMNS",
    "ApiToken",
    "Attachment",
    "AuditChain",
    "AuditEvent",
    "Base",
    "BudgetUnit",
    "Comment",
    "Database",
    "Delegation",
    "DesignerDraft",
    "Deployment",
    "Expert",
    "FinanceOffice",
    "HumanTask",
    "Incident",
    "LoginFailure",
    "Notification",
    "ProcessDefinition",
    "ProcessInstance",
    "Project",
    "RoleGrant",
    "SavedFilter",
    "Timer",
    "User",
    "default_database",
    "transaction",
]
