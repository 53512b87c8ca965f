"""Projects: create one and start its review path, all or nothing; start a path for a project.

DOMAIN 3.1 R-EA-1: a new project needs an ex-ante assessment first; 3.2 R-TG-1: every
project applying for budget sets targets. ``project_lifecycle``, when deployed, runs the
whole loop; otherwise the first path that applies is started.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import specs
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound, ProcessNotFound
from ..policy import PROCESS_STARTERS, PROJECT_CREATORS, Actor, may_create_project_for, project_clause
from ..store import BudgetUnit, Database, Project, audit, transaction
from . import instances

Unit = Database | Session

LIFECYCLE_CANDIDATES = ("project_lifecycle",)


@dataclass(frozen=True)
class NewProject:
    """A project as the unit declares it (validated for form by the caller's input schema)."""

    code: str
    name: str
    fiscal_year: int
    amount: Decimal  # 万元
    unit_id: int | None = None
    fund_type: str = "general_public"
    is_new: bool = True
    is_major: bool = False
    process_id: str | None = None


@dataclass(frozen=True)
class Created:
    project_id: int
    instance_id: int | None


def process_for_project(session: Session, is_new: bool, requested: str | None) -> str | None:
    if requested:
        specs.latest_definition(session, requested)  # raises ProcessNotFound
        return requested
    for candidate in (*LIFECYCLE_CANDIDATES, "ex_ante_assessment" if is_new else "target_review"):
        if specs.latest_definition(session, candidate, required=False) is not None:
            return candidate
    return None


def start_data(project: Project) -> dict:
    """What a review path knows about its project when it starts (amounts in 万元)."""
    return {
        "project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "unit_id": project.unit_id,
        "fiscal_year": project.fiscal_year,
        "amount": float(project.amount),
        "amount_wan": float(project.amount),  # the name the review paths and DMN tables read
        "fund_type": project.fund_type,
        "is_new": project.is_new,
        "is_major": project.is_major,
    }


def create_project(uow: Unit, new: NewProject, *, actor: Actor) -> Created:
    """Create a project for a unit and start its review path in the same unit of work.

    If the path cannot start (a refused rule, a script error), nothing is kept: no project
    row without its process, and the code stays free for the next attempt.
    """
    if not (actor.is_admin or actor.roles & PROJECT_CREATORS):
        raise Forbidden("无权新建项目")
    if not may_create_project_for(actor, new.unit_id):
        raise Forbidden("只能为本单位新建项目")
    unit_id = new.unit_id if (actor.is_admin or "performance_office" in actor.roles) else actor.unit_id
    unit_id = unit_id or actor.unit_id
    if unit_id is None:
        raise FormInvalid({"unit_id": ["此项为必填项"]})
    with transaction(uow) as session:
        if session.get(BudgetUnit, unit_id) is None:
            raise FormInvalid({"unit_id": ["预算单位不存在"]})
        if session.scalar(select(Project.id).where(Project.code == new.code)) is not None:
            raise Conflict(f"项目编码 {new.code} 已存在")
        process_id = process_for_project(session, new.is_new, new.process_id)
        project = Project(
            code=new.code,
            name=new.name,
            unit_id=unit_id,
            fiscal_year=new.fiscal_year,
            amount=Decimal(str(new.amount)).quantize(Decimal("0.01")),
            fund_type=new.fund_type or "general_public",
            is_new=new.is_new,
            is_major=new.is_major,
            created_at=clock.now(),
        )
        session.add(project)
        session.flush()
        audit.append(
            session,
            action="project.created",
            actor=actor.username,
            data={"project": project.id, "code": project.code, "process_id": process_id},
        )
        instance_id = None
        if process_id:
            started = instances.start(
                session,
                process_id,
                actor=actor,
                data=start_data(project),
                business_key=project.code,
                project_id=project.id,
            )
            instance_id = started.instance_id
        return Created(project.id, instance_id)


def start_for_project(
    uow: Unit,
    process_id: str,
    *,
    actor: Actor,
    business_key: str | None = None,
    data: dict | None = None,
    project_id: int | None = None,
) -> int:
    """Start a process (``POST /api/v1/instances``): the loop's owners any, with data; a unit
    submitter only for a project of their own and without data (ENGINE-NOTES 4: start data
    lands where gateway conditions read)."""
    with transaction(uow) as session:
        if specs.latest_definition(session, process_id, required=False) is None:
            raise ProcessNotFound(f"没有已部署的流程 {process_id!r}")
        base: dict = {}
        if project_id is not None:
            project = session.scalar(select(Project).where(Project.id == project_id, project_clause(actor)))
            if project is None:
                raise NotFound(f"项目 {project_id} 不存在")
            base = start_data(project)
        if not (actor.is_system or actor.roles & PROCESS_STARTERS):
            if not ("unit_submitter" in actor.roles and project_id is not None):
                raise Forbidden("无权发起流程")
            if data:
                raise BusinessRuleRefused("单位填报人发起流程时不能附带流程数据")
        started = instances.start(
            session,
            process_id,
            actor=actor,
            data={**base, **(data or {})},
            business_key=business_key,
            project_id=project_id,
        )
        return started.instance_id
