"""Projects: create one and start its review path, all or nothing; start a path for a project.

DOMAIN 3.1 R-EA-1: a new project needs an ex-ante assessment first; 3.2 R-TG-1: every
project applying for budget sets targets. ``project_lifecycle``, when deployed, runs the
whole loop; otherwise the first path that applies is started. A project carries the header
of the national 项目支出绩效目标申报表 and its named owner (R-EV-8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..engine import specs
from ..errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, NotFound, ProcessNotFound
from ..policy import PROCESS_STARTERS, PROJECT_CREATORS, Actor, may_create_project_for, project_clause
from ..store import BudgetUnit, Database, ProcessDefinition, Project, User, audit, transaction
from . import instances, start_data

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
    # the 申报表 header; what is left out is derived (see :func:`create_project`)
    owner_name: str | None = None  # 项目负责人 (R-EV-8); default: the person creating the project
    owner_phone: str | None = None
    competent_department: str | None = None  # 主管部门; default: the unit
    implementing_unit: str | None = None  # 实施单位; default: the unit
    period_start: str | None = None  # 项目期 "2026" or "2026-03"; default: the fiscal year
    period_end: str | None = None
    fiscal_funds: Decimal | None = None  # 资金来源 财政拨款 (万元); default: the whole amount
    other_funds: Decimal | None = None  # 其他资金 (万元)


@dataclass(frozen=True)
class Created:
    project_id: int
    instance_id: int | None


_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
PERIOD_FORMAT = "应写作年份（如 2026）或年月（如 2026-03）"


def _month(text: str | None, *, end: bool) -> tuple[int, int] | None:
    """``"2026"`` → (2026, 1) as a start, (2026, 12) as an end; ``"2026-03"`` → (2026, 3)."""
    match = _PERIOD.match(text or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or (12 if end else 1))


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _wan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


AMOUNT_NOT_POSITIVE = "项目金额须大于 0 万元"
TOO_MANY_DECIMALS = "金额最多两位小数（万元）"


def wan_problem(value, *, positive: bool = False) -> str | None:
    """What is wrong with an amount in 万元 as typed (None: nothing). Amounts are kept to the
    分 (two decimals of 万元): more are refused, never rounded away; a project's own amount is
    more than 0 (``positive``)."""
    number = Decimal(str(value))
    if not number.is_finite():
        return "不是有效的数字"
    if positive and number <= 0:
        return AMOUNT_NOT_POSITIVE
    if number.normalize().as_tuple().exponent < -2:
        return TOO_MANY_DECIMALS
    return None


def header_errors(
    fiscal_year: int,
    amount,
    *,
    period_start: str | None = None,
    period_end: str | None = None,
    fiscal_funds=None,
    other_funds=None,
) -> dict[str, list[str]]:
    """What is wrong with a project's 申报表 header, per field, in Chinese (empty: nothing).

    The one rule for the shared input schema (page and API) and the command itself: 项目期
    ends no earlier than it starts and includes the fiscal year; the funding sources sum to
    the amount (a source left out counts 0; none at all means all 财政拨款). The amount is more
    than 0 and no amount has more than two decimals (:func:`wan_problem`).
    """
    errors: dict[str, list[str]] = {}
    for name, value, positive in (
        ("amount", amount, True),
        ("fiscal_funds", fiscal_funds, False),
        ("other_funds", other_funds, False),
    ):
        problem = None if value is None else wan_problem(value, positive=positive)
        if problem:
            errors[name] = [problem]
    start = _month(_text(period_start) or str(fiscal_year), end=False)
    end = _month(_text(period_end) or str(fiscal_year), end=True)
    if start is None:
        errors["period_start"] = [PERIOD_FORMAT]
    if end is None:
        errors["period_end"] = [PERIOD_FORMAT]
    if start and end:
        if end < start:
            errors["period_end"] = ["项目期结束不能早于开始"]
        elif not (start <= (fiscal_year, 12) and end >= (fiscal_year, 1)):
            errors["period_end"] = [f"项目期应包含预算年度 {fiscal_year} 年"]
    if errors.keys() & {"amount", "fiscal_funds", "other_funds"}:
        return errors  # the sum of amounts not taken as typed would mislead
    if fiscal_funds is not None or other_funds is not None:
        total = _wan(fiscal_funds or 0) + _wan(other_funds or 0)
        if total != _wan(amount):
            errors["fiscal_funds"] = [
                f"财政拨款与其他资金之和（{total} 万元）应等于项目金额 {_wan(amount)} 万元"
            ]
    return errors


def process_for_project(session: Session, is_new: bool, requested: str | None) -> ProcessDefinition | None:
    """The latest deployed definition of the path a new project starts on, if any."""
    if requested:
        return specs.latest_definition(session, requested)  # raises ProcessNotFound
    for candidate in (*LIFECYCLE_CANDIDATES, "ex_ante_assessment" if is_new else "target_review"):
        definition = specs.latest_definition(session, candidate, required=False)
        if definition is not None:
            return definition
    return None


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
    errors = header_errors(
        new.fiscal_year,
        new.amount,
        period_start=new.period_start,
        period_end=new.period_end,
        fiscal_funds=new.fiscal_funds,
        other_funds=new.other_funds,
    )
    if errors:
        raise FormInvalid(errors)
    with transaction(uow) as session:
        unit = session.get(BudgetUnit, unit_id)
        if unit is None:
            raise FormInvalid({"unit_id": ["预算单位不存在"]})
        if session.scalar(select(Project.id).where(Project.code == new.code)) is not None:
            raise Conflict(f"项目编码 {new.code} 已存在")
        path = process_for_project(session, new.is_new, new.process_id)
        process_id = path.process_id if path is not None else None
        amount = _wan(new.amount)
        no_sources = new.fiscal_funds is None and new.other_funds is None
        project = Project(
            code=new.code,
            name=new.name,
            unit_id=unit_id,
            fiscal_year=new.fiscal_year,
            amount=amount,
            fund_type=new.fund_type or "general_public",
            is_new=new.is_new,
            is_major=new.is_major,
            created_at=clock.now(),
            owner_name=_text(new.owner_name) or _display_name(session, actor),
            owner_phone=_text(new.owner_phone),
            competent_department=_text(new.competent_department) or unit.name,
            implementing_unit=_text(new.implementing_unit) or unit.name,
            period_start=_text(new.period_start) or str(new.fiscal_year),
            period_end=_text(new.period_end) or str(new.fiscal_year),
            fiscal_funds=amount if no_sources else _wan(new.fiscal_funds or 0),
            other_funds=Decimal("0.00") if no_sources else _wan(new.other_funds or 0),
        )
        session.add(project)
        session.flush()
        audit.append(
            session,
            action="project.created",
            actor=actor.username,
            data={
                "project": project.id,
                "code": project.code,
                "process_id": process_id,
                "owner": project.owner_name,
            },
        )
        instance_id = None
        if process_id:
            started = instances.start(
                session,
                process_id,
                actor=actor,
                data={**start_data.from_project(project), "submitted_by": _filer(actor, unit_id)},
                business_key=project.code,
                project_id=project.id,
                latest=path,
            )
            instance_id = started.instance_id
        return Created(project.id, instance_id)


def _filer(actor: Actor, unit_id: int) -> str | None:
    """The project's 填报人: its creator when they are a submitter of its unit; the office or an
    administrator creating it for a unit leaves the unit's work to the unit (待认领)."""
    return actor.username if "unit_submitter" in actor.roles and actor.unit_id == unit_id else None


def _display_name(session: Session, actor: Actor) -> str:
    """Who creates a project answers for it unless they name someone else (R-EV-8)."""
    name = session.scalar(select(User.display_name).where(User.username == actor.username))
    return name or actor.username


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
            base = start_data.from_project(project)
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
