"""Every table, the :class:`Database` with its units of work, the audit log, migrations.

The tables are plain SQLAlchemy models on one ``DeclarativeBase`` (:class:`Base`); the
Flask app builds Flask-SQLAlchemy on it, so both share one metadata and one engine.
Schema changes are Alembic migrations in ``migrations/`` (``jixiao db upgrade``).
"""

from . import audit_check  # noqa: F401  (audit_checkpoint in the metadata)
from .assessment import AssessmentCycle, AssessmentScore, Disclosure, DisclosureDue  # noqa: F401
from .calendar import DEPARTMENT_WIDE_SYNC_COLUMNS, DepartmentWide, FiscalYear
from .collab import ApiToken, Attachment, Comment, Delegation, Notification, SavedFilter
from .dashboard_tally import DashboardTally
from .database import Database, default_database, transaction
from .export_job import ExportJob
from .models import (
    FUND_TYPES,
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
from .poverty import PovertyIssue, PovertyMonth, PovertyScore
from .project_sync import PROJECT_SYNC_COLUMNS
from .selection import AnnualSelection, SelectionItem
from .spot_check import AccountabilityRecord, ScoreTableConfirmation, ScoreTableRow, SpotCheck
from .third_party import (  # noqa: E402
    TargetVersion,
    ThirdPartyEngagement,
    ThirdPartyInstitution,
    ThirdPartyMember,
    ThirdPartyRating,
)

__all__ = [
    "DEPARTMENT_WIDE_SYNC_COLUMNS",
    "DepartmentWide",
    "FiscalYear",
    "AnnualSelection",
    "SelectionItem",
    "AccountabilityRecord",
    "ScoreTableConfirmation",
    "ScoreTableRow",
    "SpotCheck",
    "PovertyIssue",
    "PovertyMonth",
    "PovertyScore",
    "FUND_TYPES",
    "PROJECT_SYNC_COLUMNS",
    "ApiToken",
    "Attachment",
    "AuditChain",
    "AuditEvent",
    "Base",
    "BudgetUnit",
    "Comment",
    "DashboardTally",
    "Database",
    "Delegation",
    "DesignerDraft",
    "Deployment",
    "Expert",
    "ExportJob",
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
    "TargetVersion",
    "ThirdPartyEngagement",
    "ThirdPartyInstitution",
    "ThirdPartyMember",
    "ThirdPartyRating",
    "Timer",
    "User",
    "default_database",
    "transaction",
]
