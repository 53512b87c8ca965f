"""The lists a page may export in the background (issue 12, item 7): for each, who may, how
many rows the page's arguments select, and the workbook builder with its progress.

A kind is looked up by name from the page's export button (``templates/_list.html``); its
``params`` are the page's query arguments (filters and order), so the file holds the rows the
page lists, in its order, as the user may read them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from . import audit_log, exports, people, projects, score_table
from .paging import Order, Sorts
from .project_filter import ProjectFilter

Progress = Callable[[int], None]


def order_of(params: Mapping, sorts: Sorts) -> Order:
    key = params.get("sort")
    return Order(key, params.get("dir") == "desc") if key in sorts.columns else sorts.default


def _year(params: Mapping) -> int:
    value = str(params.get("year") or "")
    return int(value) if value.isdigit() and 1900 < int(value) < 3000 else clock.now().year


@dataclass(frozen=True)
class ListExport:
    may: Callable[[Actor], bool]
    count: Callable[[Session, Actor, Mapping], int]
    build: Callable[..., bytes]  # (session, actor, params, progress, names) → .xlsx
    file_name: Callable[[Mapping], str]


def _projects_count(session: Session, actor: Actor, params: Mapping) -> int:
    return projects.count(session, actor, ProjectFilter.from_args(params))


def _projects_build(session: Session, actor: Actor, params: Mapping, progress: Progress, names) -> bytes:
    return exports.project_list(
        session,
        actor,
        ProjectFilter.from_args(params),
        stage_name=names.get("stage", str),
        fund_name=names.get("fund", str),
        order=order_of(params, projects.SORTS),
        progress=progress,
    )


def _project_file(params: Mapping) -> str:
    year = ProjectFilter.from_args(params).year
    return f"项目清单{'-' + str(year) if year else ''}.xlsx"


KINDS: dict[str, ListExport] = {
    "projects": ListExport(
        may=lambda actor: True,  # the rows are those the actor may read (policy.project_clause)
        count=_projects_count,
        build=_projects_build,
        file_name=_project_file,
    ),
    "score_table": ListExport(
        may=score_table.may_read,
        count=lambda session, actor, params: score_table.count(session, actor, _year(params)),
        build=lambda session, actor, params, progress, names: score_table.workbook(
            session, actor, _year(params), progress
        ),
        file_name=lambda params: f"{_year(params)}年度绩效评价打分表.xlsx",
    ),
    "audit_log": ListExport(
        may=policy.may_read_audit_log,  # the rows are those the actor may read (audit_event_clause)
        count=lambda session, actor, params: audit_log.total(
            session, actor, audit_log.AuditFilter.from_args(params)
        ),
        build=lambda session, actor, params, progress, names: audit_log.workbook(
            session,
            actor,
            audit_log.AuditFilter.from_args(params),
            order_of(params, audit_log.SORTS),
            names,
            progress,
        ),
        file_name=lambda params: "审计日志.xlsx",
    ),
    "users": ListExport(
        may=lambda actor: actor.is_admin,
        count=lambda session, actor, params: people.users_count(session),
        build=lambda session, actor, params, progress, names: people.users_workbook(
            session, order_of(params, people.USER_SORTS), names, progress
        ),
        file_name=lambda params: "用户清单.xlsx",
    ),
}
