"""Demo data for ``make run`` (``jixiao demo load``): units, one user per role, projects.

Everything is made through ``workflows.commands``, exactly as the pages make it: units
and users as an administrator's screen does (the demo acts as the system), each project
by its unit's own submitter (``create_project``, which starts its review path). With
``project_lifecycle`` deployed, :mod:`demo.paths` then moves each project along to its
stage by completing tasks as the users in the roles would.

Idempotent: existing units, users and projects are kept as they are (a command's
``Conflict`` for an existing code or username means "already there").
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from workflows import clock, commands
from workflows.engine import specs
from workflows.errors import Conflict, JixiaoError
from workflows.policy import Actor, holders_query
from workflows.store import BudgetUnit, Database, Expert, FinanceOffice, ProcessInstance, Project, User

from . import assessment as demo_assessment
from . import department_wide as department_wide_demo
from . import paths, poverty, selection, spot_check, third_party

log = logging.getLogger(__name__)

# The demo sets up units and accounts as an administrator would; the system acts for it.
ADMIN = Actor.system("demo")

DEMO_PASSWORD = "Jixiao@2026"

# 预算单位: Wanzai county's budget units (行政区划代码 360922) with the unit's own number
UNITS = [
    ("360922-001", "万载县住房和城乡建设局"),
    ("360922-002", "万载县应急管理局"),
    ("360922-003", "万载县文化广电新闻出版旅游局"),
    ("360922-004", "万载县农业农村局"),
]
ZJ, YJ, WL, NY = (code for code, _name in UNITS)

# (username, display name, roles, unit code): logins stay Latin, people are named as on their badge
USERS = [
    ("zhang.san", "张珊", ("unit_submitter",), ZJ),
    ("wang.head", "王建军", ("unit_head",), ZJ),
    ("li.na", "李娜", ("unit_submitter",), YJ),
    ("chen.head", "陈志刚", ("unit_head",), YJ),
    ("xie.fang", "谢芳", ("unit_submitter",), WL),
    ("yi.head", "易国平", ("unit_head",), WL),
    ("peng.li", "彭丽", ("unit_submitter",), NY),
    ("luo.head", "罗志明", ("unit_head",), NY),
    ("li.si", "李思远", ("finance_reviewer",), None),
    ("he.fin", "何芳", ("finance_reviewer",), None),
    ("tang.fin", "汤文静", ("finance_reviewer",), None),
    ("liao.fin", "廖海波", ("finance_reviewer",), None),
    ("zhou.perf", "周敏", ("performance_office",), None),
    ("wang.expert", "王立新", ("expert",), None),
    ("zhao.expert", "赵永强", ("expert",), None),
    ("sun.expert", "孙丽华", ("expert",), None),
    ("tp.audit", "黄文斌", ("third_party",), None),
    ("liu.leader", "刘卫国", ("leadership",), None),
    ("designer", "吴昊", ("designer",), None),
    ("admin", "系统管理员", ("admin",), None),
]

# DOMAIN R-RL-1: finance business offices (对口业务科室), the units each reviews, its reviewers
OFFICES = [
    ("经济建设科", (ZJ,), ("li.si",)),
    ("行政政法科", (YJ,), ("he.fin",)),
    ("教科文科", (WL,), ("tang.fin",)),
    ("农业农村科", (NY,), ("liao.fin",)),
]
# DOMAIN R-EX-1: the expert pool: (username, fields, organisation, unit code: never on its panels)
EXPERTS = [
    ("wang.expert", ("给排水", "环境工程"), "南昌大学", None),
    ("zhao.expert", ("安全工程", "应急管理"), "万载县应急管理局", YJ),
    ("sun.expert", ("财务会计", "工程造价"), "宜春市注册会计师协会", None),
]


# DOMAIN 8: Wanzai county 2020 third-party key evaluations (万元) under the units that spend them,
# plus a few more. (number, name, unit code, amount, is_new, is_major, stage wanted). 重大项目 is
# what bpmn/project_classification.dmn decides for a project declared on the new-project page
# (500 万元 and above; tests/scenarios/test_demo_data.py holds them to it). 189.123 万元 is
# declared as 189.12: amounts are held to 0.01 万元.
PROJECTS = [
    (1, "城市污水处理厂提标改造", ZJ, "1261.22", False, True, "evaluation"),
    (2, "农村人居环境整治", NY, "362.00", False, False, "monitoring"),
    (3, "红色文化展陈", WL, "118.40", True, False, "targets"),
    (4, "智慧消防建设", YJ, "189.12", True, False, "targets"),
    (5, "应急物资储备库", YJ, "540.00", True, True, "ex_ante"),
]
# With ``make run`` (the review paths driven), more projects so that every stage of the
# closed loop shows in 住建局 and 应急管理局, and each unit has work in hand.
MORE_PROJECTS = [
    (6, "城区道路养护工程", ZJ, "850.00", False, True, "results_applied"),
    (7, "老旧小区改造前期研究", ZJ, "96.50", True, False, "not_budgeted"),
    (8, "保障性住房维修", ZJ, "230.00", True, False, "targets"),
    (9, "园林绿化养护", ZJ, "210.00", False, False, "rectification"),
    (10, "森林防火监测系统", YJ, "230.00", False, False, "results_applied"),
    (11, "乡镇应急救援装备购置", YJ, "158.60", False, False, "rectification"),
    (12, "防汛抢险物资补充", YJ, "76.00", False, False, "monitoring"),
    (13, "安全生产宣传教育", YJ, "45.00", False, False, "evaluation"),
    (14, "应急指挥平台升级", YJ, "320.00", True, False, "not_budgeted"),
    (15, "城区排水防涝设施改造", ZJ, "480.00", True, False, "ex_ante"),
    (16, "城市污水管网维护", ZJ, "450.00", False, False, "monitoring"),
    (17, "乡镇综合文化站免费开放", WL, "86.00", False, False, "monitoring"),
    (18, "高标准农田建设", NY, "860.00", False, True, "targets"),
    (19, "城区供水管网改造", ZJ, "620.00", True, True, "expert_review"),  # the experts' sheets open
]
# The 申报表 header of each project: number → (项目负责人, phone, 实施单位 when not the unit itself,
# years the project runs, 其他资金 in 万元: the rest is 财政拨款)
HEADERS = {
    1: ("刘建国", "0795-8821301", "万载县污水处理厂", 3, "261.22"),
    2: ("陈丽华", "0795-8832101", None, 2, "0"),
    3: ("黄志强", "0795-8835201", "万载县博物馆", 1, "0"),
    4: ("周海涛", "0795-8822401", "万载县消防救援大队", 2, "39.12"),
    5: ("吴晓梅", "0795-8822402", None, 2, "40.00"),
    6: ("孙卫东", "0795-8821304", "万载县市政工程管理所", 2, "0"),
    7: ("赵敏", "0795-8821305", None, 1, "0"),
    8: ("钱宏伟", "0795-8821306", "万载县房产管理所", 1, "30.00"),
    9: ("郑秀英", "0795-8821307", "万载县园林绿化所", 3, "0"),
    10: ("冯建军", "0795-8822403", None, 2, "0"),
    11: ("何志远", "0795-8822404", None, 2, "0"),
    12: ("马玉兰", "0795-8822405", None, 3, "0"),
    13: ("许国庆", "0795-8822406", None, 2, "0"),
    14: ("罗俊", "0795-8822407", "万载县应急指挥中心", 2, "120.00"),
    15: ("袁志勇", "0795-8821308", "万载县市政工程管理所", 2, "0"),
    16: ("邱海军", "0795-8821309", "万载县污水处理厂", 3, "0"),
    17: ("简小红", "0795-8835202", None, 3, "0"),
    18: ("熊长春", "0795-8832102", "万载县农田建设服务中心", 2, "0"),
    19: ("潘立明", "0795-8821310", "万载县自来水公司", 2, "120.00"),
}


def _declared(code, name, unit_id, amount, is_new, is_major, year, number) -> commands.NewProject:
    """The project as its unit fills in the new-project page, header included."""
    owner, phone, implementing, years, other = HEADERS[number]
    # a new project runs from its budget year; one already running ends in it
    start, end = (year, year + years - 1) if is_new else (year - years + 1, year)
    return commands.NewProject(
        code,
        name,
        year,
        Decimal(amount),
        unit_id,
        is_new=is_new,
        is_major=is_major,
        owner_name=owner,
        owner_phone=phone,
        implementing_unit=implementing,
        period_start=str(start),
        period_end=str(end),
        fiscal_funds=Decimal(amount) - Decimal(other),
        other_funds=Decimal(other),
    )


# The budget year a project at each stage belongs to, seen from today: next year's budget is
# being assessed and targeted, this year's is monitored, last year's is evaluated.
_YEAR_OFFSET = {
    "ex_ante": 1,
    "expert_review": 1,
    "targets": 1,
    "target_review": 1,
    "not_budgeted": 1,
    "monitoring": 0,
    "rectification": 0,
    "evaluation": -1,
    "results_applied": -1,
}


def demo_projects(drive_review_paths: bool, fiscal_year: int) -> list[tuple]:
    """(code, name, unit, amount, is_new, is_major, stage, year, number) of the demo projects."""
    rows = PROJECTS + (MORE_PROJECTS if drive_review_paths else [])
    this_year = paths.this_fiscal_year()
    out = []
    for number, name, unit, amount, is_new, is_major, stage in rows:
        year = this_year + _YEAR_OFFSET[stage] if drive_review_paths else fiscal_year
        out.append((f"WZ{year}-{number:03d}", name, unit, amount, is_new, is_major, stage, year, number))
    return out


@dataclass
class LoadReport:
    units: int = 0
    users: int = 0
    projects: int = 0
    started: int = 0
    advanced: bool = False


def load(
    db: Database,
    *,
    password: str = DEMO_PASSWORD,
    fiscal_year: int | None = None,
    drive_review_paths: bool = True,
) -> LoadReport:
    """Add what is missing; with ``drive_review_paths`` the projects are driven along bpmn/'s paths.

    ``fiscal_year``: the year of the demo's work (default this year, :func:`paths.this_fiscal_year`)."""
    fiscal_year = paths.this_fiscal_year() if fiscal_year is None else fiscal_year
    report = LoadReport()
    with db.reading() as session:
        # the review paths are driven only when bpmn/'s lifecycle is deployed (make run deploys it first)
        report.advanced = drive_review_paths and (
            specs.latest_definition(session, paths.PROCESS, required=False) is not None
        )
    for code, name in UNITS:
        if _added(commands.create_unit, db, code, name, actor=ADMIN):
            report.units += 1
    for username, display, roles, unit_code in USERS:
        new_user = commands.NewUser(username, display, password, roles, unit_code)
        if _added(commands.create_user, db, new_user, actor=ADMIN):
            report.users += 1
    _load_people(db)
    for code, name, unit_code, amount, is_new, is_major, stage, year, number in demo_projects(
        report.advanced, fiscal_year
    ):
        submitter, unit_id = _submitter(db, unit_code)
        if submitter is None:
            log.warning("unit %s has no active submitter: %s not created", unit_code, code)
            continue
        new = _declared(code, name, unit_id, amount, is_new, is_major, year, number)
        try:
            if report.advanced:
                created = paths.create_at_stage(db, new, stage, actor=submitter)
            else:
                created = _create(db, new, submitter)
        except Conflict:
            continue  # already there
        except (JixiaoError, LookupError, RuntimeError) as exc:  # make run must still start; say why
            log.warning("demo project %s (%s): %s", code, stage, exc)
            continue
        report.projects += 1
        report.started += created.instance_id is not None
    if report.advanced:
        report.started += _start_deadline_demo(db)
        department_wide_demo.load(db, fiscal_year)  # 部门整体支出: every unit's cycle of the year (R-DW-1)
        # R-EV-7 before R-AS-1: the spot checks (by June 30) count in the July assessment's 自评准确性
        report.started += spot_check.load(db)  # R-EV-7: a year's spot checks, one found 不实
        demo_assessment.load(db)  # R-AS-1, disclosure (demo/assessment.py)
        third_party.load(db)  # the third-party pool and a target change (R-TP-1..3, R-TG-3)
    report.projects += selection.load(db)  # 年度评价对象选取 (demo/selection.py)
    report.projects += poverty.load(db) if report.advanced else 0  # R-AS-2 扶贫资金月度评价 (demo/poverty.py)
    return report


def _added(command, db: Database, *args, **kwargs) -> bool:
    """Run a create command; False when what it creates is already there."""
    try:
        command(db, *args, **kwargs)
    except Conflict:
        return False
    return True


def _submitter(db: Database, unit_code: str) -> tuple[Actor | None, int | None]:
    """The unit's submitter (填报人), who creates its projects on the new-project page."""
    with db.reading() as session:
        unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == unit_code))
        user = session.scalars(holders_query("unit_submitter", unit_id).limit(1)).first() if unit_id else None
        return (Actor.of(user) if user else None), unit_id


def _create(db: Database, new: commands.NewProject, submitter: Actor) -> commands.Created:
    """Create the project and start the first review path deployed (without the lifecycle)."""
    with db.reading() as session:
        process_id = _review_path(session, new.is_new)
    return commands.create_project(db, dataclasses.replace(new, process_id=process_id), actor=submitter)


def _review_path(session, is_new: bool) -> str | None:
    # DOMAIN 3.1 R-EA-1 (new → ex-ante assessment) and 3.2 R-TG-1 (targets for every project)
    candidates = [paths.PROCESS, "ex_ante_assessment" if is_new else "target_review"]
    candidates += [d.process_id for d in specs.process_catalog(session)]
    for pid in candidates:
        if specs.latest_definition(session, pid, required=False) is not None:
            return pid
    return None


DEADLINE_DEMO_MINUTES = 5


def _start_deadline_demo(db: Database) -> int:
    """Start ``demo_deadline`` (issue 5) once: a report due minutes from now, to watch escalate.

    The performance office starts it for a project in monitoring, as ``POST /api/v1/instances`` does.
    """
    with db.reading() as session:
        if specs.latest_definition(session, "demo_deadline", required=False) is None:
            return 0
        if session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_id == "demo_deadline")):
            return 0
        office = session.scalars(holders_query("performance_office", None).limit(1)).first()
        if office is None:
            return 0
        starter = Actor.of(office)
        # a project in monitoring: the demo's report is a monitoring report
        project_id = session.scalar(
            select(Project.id).where(Project.stage == "monitoring").order_by(Project.id).limit(1)
        ) or session.scalar(select(Project.id).order_by(Project.id).limit(1))
    commands.start_for_project(
        db,
        "demo_deadline",
        actor=starter,
        data={"deadline_minutes": DEADLINE_DEMO_MINUTES},
        business_key=f"demo-deadline-{clock.now():%Y%m%d%H%M%S}",
        project_id=project_id,
    )
    return 1


def _load_people(db: Database) -> None:
    """Offices with their units and reviewers, and the expert pool, through the commands."""
    with db.reading() as session:
        offices = {o.name for o in session.scalars(select(FinanceOffice))}
        pooled = set(session.scalars(select(User.username).join(Expert, Expert.user_id == User.id)))
        units = {u.code: u.id for u in session.scalars(select(BudgetUnit))}
    for name, unit_codes, reviewers in OFFICES:
        if name in offices:
            continue
        commands.save_office(db, name, [units[c] for c in unit_codes], actor=ADMIN)
        for username in reviewers:
            commands.join_office(db, username, name, actor=ADMIN)
    names = {u[0]: u[1] for u in USERS}
    for username, fields, organisation, unit_code in EXPERTS:
        if username not in pooled:
            commands.add_expert(
                db,
                commands.NewExpert(username, names[username], fields, organisation, unit_code),
                actor=ADMIN,
            )
