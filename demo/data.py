"""Demo data for ``make run`` (``jixiao demo load``): units, one user per role, projects.

Idempotent: existing units, users and projects are kept as they are. Projects without a
process instance are driven along their review paths by ``workflows.demo_paths`` when
that module exists, else the first deployed review path is started for them.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from workflows import clock
from workflows import commands as runtime
from workflows.engine import specs
from workflows.errors import JixiaoError
from workflows.policy import Actor
from workflows.store import (
    BudgetUnit,
    Database,
    Expert,
    FinanceOffice,
    ProcessInstance,
    Project,
    RoleGrant,
    User,
    audit,
)

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Jixiao@2026"

UNITS = [
    ("U001", "万载县住房和城乡建设局"),
    ("U002", "万载县应急管理局"),
]

# (username, display name, roles, unit code)
USERS = [
    ("zhang.san", "张三（住建局填报）", ("unit_submitter",), "U001"),
    ("wang.head", "王局长（住建局负责人）", ("unit_head",), "U001"),
    ("li.na", "李娜（应急局填报）", ("unit_submitter",), "U002"),
    ("chen.head", "陈局长（应急局负责人）", ("unit_head",), "U002"),
    ("li.si", "李四（经济建设科）", ("finance_reviewer",), None),
    ("he.fin", "何芳（行政政法科）", ("finance_reviewer",), None),
    ("zhou.perf", "周敏（绩效科）", ("performance_office",), None),
    ("wang.expert", "王教授（专家）", ("expert",), None),
    ("zhao.expert", "赵高工（专家）", ("expert",), None),
    ("sun.expert", "孙会计师（专家）", ("expert",), None),
    ("tp.audit", "华信评估公司（第三方机构）", ("third_party",), None),
    ("liu.leader", "刘副县长（分管领导）", ("leadership",), None),
    ("designer", "流程设计员", ("designer",), None),
    ("admin", "系统管理员", ("admin",), None),
]

# DOMAIN R-RL-1: finance business offices (对口业务科室), the units each reviews, its reviewers
OFFICES = [
    ("经济建设科", ("U001",), ("li.si",)),
    ("行政政法科", ("U002",), ("he.fin",)),
]
# DOMAIN R-EX-1: the expert pool: (username, fields, organisation, unit code: never on its panels)
EXPERTS = [
    ("wang.expert", ("给排水", "环境工程"), "南昌大学", None),
    ("zhao.expert", ("安全工程", "应急管理"), "万载县应急管理局", "U002"),
    ("sun.expert", ("财务会计", "工程造价"), "宜春市注册会计师协会", None),
]

# DOMAIN 8: Wanzai county 2020 third-party key evaluations (万元), plus two new projects.
# (number, name, unit code, amount, is_new, is_major, stage wanted)
PROJECTS = [
    (1, "城市污水处理厂提标改造", "U001", "1261.22", False, True, "evaluation"),
    (2, "农村人居环境整治", "U001", "362.00", False, False, "monitoring"),
    (3, "红色文化展陈", "U001", "118.40", True, False, "ex_ante"),
    (4, "智慧消防建设", "U002", "189.12", True, True, "ex_ante"),
    (5, "应急物资储备库", "U002", "540.00", False, False, "target_review"),
]
# With ``make run`` (the review paths driven), more projects so that every stage of the
# closed loop shows in both units.
MORE_PROJECTS = [
    (6, "城区道路养护工程", "U001", "850.00", False, False, "results_applied"),
    (7, "老旧小区改造前期研究", "U001", "96.50", True, False, "not_budgeted"),
    (8, "保障性住房维修", "U001", "230.00", True, False, "targets"),
    (9, "园林绿化养护", "U001", "210.00", False, False, "rectification"),
    (10, "森林防火监测系统", "U002", "230.00", False, False, "results_applied"),
    (11, "应急广播村村响", "U002", "158.60", False, False, "rectification"),
    (12, "防汛抢险物资补充", "U002", "76.00", False, False, "monitoring"),
    (13, "安全生产宣传教育", "U002", "45.00", False, False, "evaluation"),
    (14, "应急指挥平台升级", "U002", "320.00", True, True, "not_budgeted"),
]
# The budget year a project at each stage belongs to, seen from today: next year's budget is
# being assessed and targeted, this year's is monitored, last year's is evaluated.
_YEAR_OFFSET = {
    "ex_ante": 1,
    "targets": 1,
    "target_review": 1,
    "not_budgeted": 1,
    "monitoring": 0,
    "rectification": 0,
    "evaluation": -1,
    "results_applied": -1,
}


def demo_projects(drive_review_paths: bool, fiscal_year: int) -> list[tuple]:
    """(code, name, unit, amount, is_new, is_major, stage, year) of the demo projects."""
    rows = PROJECTS + (MORE_PROJECTS if drive_review_paths else [])
    this_year = clock.now().astimezone(clock.CHINA).year
    out = []
    for number, name, unit, amount, is_new, is_major, stage in rows:
        year = this_year + _YEAR_OFFSET[stage] if drive_review_paths else fiscal_year
        out.append((f"WZ{year}-{number:03d}", name, unit, amount, is_new, is_major, stage, year))
    return out


@dataclass
class LoadReport:
    units: int = 0
    users: int = 0
    projects: int = 0
    started: int = 0
    advanced: bool = False


def _review_path(session, is_new: bool) -> str | None:
    # DOMAIN 3.1 R-EA-1 (new → ex-ante assessment) and 3.2 R-TG-1 (targets for every project)
    candidates = ["project_lifecycle", "ex_ante_assessment" if is_new else "target_review"]
    candidates += [d.process_id for d in specs.process_catalog(session)]
    for pid in candidates:
        if specs.latest_definition(session, pid, required=False) is not None:
            return pid
    return None


def load(
    db: Database, *, password: str = DEMO_PASSWORD, fiscal_year: int = 2026, drive_review_paths: bool = True
) -> LoadReport:
    """Add what is missing; with ``drive_review_paths`` the projects are driven along bpmn/'s paths."""
    report = LoadReport()
    with db.reading() as session:
        # the review paths are driven only when bpmn/'s lifecycle is deployed (make run deploys it first)
        drive_review_paths = drive_review_paths and (
            specs.latest_definition(session, "project_lifecycle", required=False) is not None
        )
    with db.unit_of_work() as session:
        units = {u.code: u for u in session.scalars(select(BudgetUnit))}
        for code, name in UNITS:
            if code not in units:
                units[code] = BudgetUnit(code=code, name=name)
                session.add(units[code])
                report.units += 1
        session.flush()
        existing = set(session.scalars(select(User.username)))
        for username, display, roles, unit_code in USERS:
            if username in existing:
                continue
            user = User(
                username=username,
                display_name=display,
                password_hash=generate_password_hash(password),
                unit_id=units[unit_code].id if unit_code else None,
                is_active=True,
            )
            user.grants = [RoleGrant(role=r) for r in roles]
            session.add(user)
            report.users += 1
            audit.append(
                session, action="user.created", actor="demo", data={"user": username, "roles": list(roles)}
            )
        codes = set(session.scalars(select(Project.code)))
        projects = demo_projects(drive_review_paths, fiscal_year)
        for code, name, unit_code, amount, is_new, is_major, _stage, year in projects:
            if code in codes:
                continue
            session.add(
                Project(
                    code=code,
                    name=name,
                    unit_id=units[unit_code].id,
                    fiscal_year=year,
                    amount=Decimal(amount),
                    is_new=is_new,
                    is_major=is_major,
                    created_at=clock.now(),
                )
            )
            report.projects += 1
            audit.append(session, action="project.created", actor="demo", data={"code": code})
        session.commit()
    _load_people(db)
    report.started, report.advanced = _drive(db, projects, drive_review_paths)
    if drive_review_paths:
        report.started += _start_deadline_demo(db)
    return report


def _load_people(db: Database) -> None:
    """Offices with their units and reviewers, and the expert pool, through the commands."""
    admin = Actor.system("demo")
    with db.reading() as session:
        offices = {o.name for o in session.scalars(select(FinanceOffice))}
        pooled = set(session.scalars(select(User.username).join(Expert, Expert.user_id == User.id)))
        units = {u.code: u.id for u in session.scalars(select(BudgetUnit))}
    for name, unit_codes, reviewers in OFFICES:
        if name in offices:
            continue
        runtime.save_office(db, name, [units[c] for c in unit_codes], actor=admin)
        for username in reviewers:
            runtime.join_office(db, username, name, actor=admin)
    names = {u[0]: u[1] for u in USERS}
    for username, fields, organisation, unit_code in EXPERTS:
        if username not in pooled:
            runtime.add_expert(
                db, runtime.NewExpert(username, names[username], fields, organisation, unit_code), actor=admin
            )


def _waiting_projects(db: Database, projects: list[tuple]) -> list[Project]:
    with db.reading() as session:
        started = select(ProcessInstance.project_id).where(ProcessInstance.project_id.is_not(None))
        return list(
            session.scalars(
                select(Project)
                .where(Project.code.in_([p[0] for p in projects]), Project.id.not_in(started))
                .order_by(Project.code)
            )
        )


def _drive(db: Database, projects: list[tuple], drive_review_paths: bool) -> tuple[int, bool]:
    waiting = _waiting_projects(db, projects)
    if not waiting:
        return 0, False
    stages = {p[0]: p[6] for p in projects}
    try:
        demo_paths = importlib.import_module("demo.paths")
    except ModuleNotFoundError:
        demo_paths = None
    if drive_review_paths and demo_paths is not None and hasattr(demo_paths, "advance"):
        try:
            demo_paths.advance(db, [(p.id, p.unit_id, stages[p.code]) for p in waiting])
            return len(waiting), True
        except JixiaoError as exc:  # the app must still start; the designer sees why
            log.warning("demo_paths.advance failed: %s; starting review paths instead", exc)
            waiting = _waiting_projects(db, projects)
    started = 0
    for project in waiting:
        with db.reading() as session:
            process_id = _review_path(session, project.is_new)
            submitter = session.scalar(
                select(User)
                .join(RoleGrant, RoleGrant.user_id == User.id)
                .where(RoleGrant.role == "unit_submitter", User.unit_id == project.unit_id)
            )
            actor = Actor.of(submitter) if submitter else Actor.system("demo")
        if process_id is None:
            break
        try:
            _start(db, process_id, actor, project)
        except JixiaoError as exc:
            log.warning("could not start %s for %s: %s", process_id, project.code, exc)
            continue
        started += 1
    return started, False


def _start(db: Database, process_id: str, actor, project: Project) -> None:
    runtime.start(
        db,
        process_id,
        actor=actor,
        data={
            "project_id": project.id,
            "project_code": project.code,
            "project_name": project.name,
            "unit_id": project.unit_id,
            "fiscal_year": project.fiscal_year,
            "amount": float(project.amount),
            "fund_type": project.fund_type,
            "is_new": project.is_new,
            "is_major": project.is_major,
        },
        business_key=project.code,
        project_id=project.id,
    )


DEADLINE_DEMO_MINUTES = 5


def _start_deadline_demo(db: Database) -> int:
    """Start ``demo_deadline`` (issue 5) once: a report due minutes from now, to watch escalate."""
    with db.reading() as session:
        if specs.latest_definition(session, "demo_deadline", required=False) is None:
            return 0
        if session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_id == "demo_deadline")):
            return 0
        # a project in monitoring: the demo's report is a monitoring report
        project_id = session.scalar(
            select(Project.id).where(Project.stage == "monitoring").order_by(Project.id).limit(1)
        ) or session.scalar(select(Project.id).order_by(Project.id).limit(1))
    runtime.start(
        db,
        "demo_deadline",
        actor=Actor.system("demo"),
        data={"deadline_minutes": DEADLINE_DEMO_MINUTES},
        business_key=f"demo-deadline-{clock.now():%Y%m%d%H%M%S}",
        project_id=project_id,
    )
    return 1
