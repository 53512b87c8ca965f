"""The write side: one function per use case, each in one unit of work (DESIGN 2).

A command takes the unit of work it runs in: a :class:`~workflows.store.Database` (it
opens its own and commits) or an open unit of work from ``Database.unit_of_work()`` (it
joins it; the caller commits), so a use case spanning two commands is all or nothing.
Every command writes its audit events in the same transaction.
"""

from ..policy import Actor
from . import annual_reports, designer, migration, target_change, third_party
from ._persist import CommandResult, TaskView
from .accounts import LoginLimits, NewUser, create_unit, create_user, issue_token, record_login, sign_in
from .assessment import publish_item, score_cycle, start_assessment_year  # noqa: F401
from .assignment import assign, claim, delegate, hand_back, unclaim
from .audit_verify import verify_audit_log  # noqa: F401
from .collab import add_comment, delete_filter, save_filter, store_attachment
from .fiscal_year import YEARLY_STARTERS, OpenedYear, YearlyStarter, open_fiscal_year
from .incidents import record_incident, resolve_incident
from .instances import cancel, complete_task, correlate_message, import_workbook, save_draft, start
from .notices import mark_read
from .panels import panel_members, replace_panel_member
from .people import (
    NewExpert,
    UserChanges,
    add_expert,
    add_user,
    change_password,
    join_office,
    rename_unit,
    reset_password,
    save_office,
    update_expert,
    update_user,
)
from .poverty import rectify, review_month, start_poverty_year
from .projects import Created, NewProject, create_project, start_for_project
from .selection import confirm_selection, draw_sample, save_selection, start_selection
from .spot_checks import confirm_score_table, start_spot_checks
from .user_import import import_users

__all__ = [
    "rectify",
    "review_month",
    "start_poverty_year",
    "YEARLY_STARTERS",
    "OpenedYear",
    "YearlyStarter",
    "open_fiscal_year",
    "Actor",
    "annual_reports",
    "NewExpert",
    "UserChanges",
    "add_expert",
    "add_user",
    "change_password",
    "import_users",
    "join_office",
    "panel_members",
    "rename_unit",
    "replace_panel_member",
    "reset_password",
    "save_office",
    "update_expert",
    "update_user",
    "CommandResult",
    "Created",
    "LoginLimits",
    "NewProject",
    "NewUser",
    "TaskView",
    "add_comment",
    "assign",
    "cancel",
    "claim",
    "complete_task",
    "correlate_message",
    "create_project",
    "create_unit",
    "create_user",
    "delegate",
    "designer",
    "delete_filter",
    "hand_back",
    "import_workbook",
    "issue_token",
    "mark_read",
    "migration",
    "target_change",
    "third_party",
    "record_incident",
    "record_login",
    "resolve_incident",
    "save_draft",
    "save_filter",
    "sign_in",
    "start",
    "start_for_project",
    "start_spot_checks",
    "confirm_score_table",
    "store_attachment",
    "unclaim",
    "confirm_selection",
    "draw_sample",
    "save_selection",
    "start_selection",
]
