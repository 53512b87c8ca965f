"""Demo of the year's selection (年度评价对象选取), made through the commands the workbench calls.

DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7, at the scale of Wanzai's 2020 report (DOMAIN 8:
4 third-party key evaluations, 6 key-monitoring projects; the seeds ask for 10 key evaluations).
Two years: the year before last, selected and confirmed (its key evaluations' funds are what
this year's must not fall below; its department evaluations make the history), and last year
(the one evaluated now): started, ticked and drawn, waiting for the performance office to confirm
on the workbench. More projects are added to both years through ``create_project``, each by its
unit's submitter, so that every quota has something to work on. Idempotent.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

from workflows import clock, commands
from workflows.engine import specs
from workflows.errors import JixiaoError
from workflows.policy import Actor, holders_query
from workflows.queries import selection as read
from workflows.store import BudgetUnit, Database, Project

log = logging.getLogger(__name__)

ZJ, YJ = "360922-001", "360922-002"  # 住建局, 应急管理局 (demo/data.py UNITS)
# (number, name, unit, amount 万元, new?, key?, one-off?) — offset from the year evaluated;
# key (重点项目) is what bpmn/project_classification.dmn decides: 500 万元 and above
EARLIER = [  # the year before last
    (101, "城区道路养护工程", ZJ, "780.00", False, True, False),
    (102, "市政路灯节能改造", ZJ, "260.00", True, False, True),
    (103, "城市污水管网维护", ZJ, "410.00", False, False, False),
    (104, "农村危房改造补助", ZJ, "95.00", False, False, False),
    (105, "建筑工地扬尘治理", ZJ, "48.00", True, False, True),
    (106, "森林防火监测系统", YJ, "210.00", False, False, False),
    (107, "乡镇应急救援装备购置", YJ, "140.00", False, False, False),
    (108, "防汛抢险物资补充", YJ, "70.00", False, False, False),
    (109, "安全生产宣传教育", YJ, "40.00", False, False, False),
    (110, "危化品企业安全检查", YJ, "36.00", True, False, True),
    (111, "应急救援队伍培训", YJ, "52.00", False, False, False),
]
LAST = [  # the year evaluated now, beside the demo's own projects of that year
    (201, "市政路灯节能改造", ZJ, "280.00", False, False, False),
    (202, "城市污水管网维护", ZJ, "430.00", False, False, False),
    (203, "棚户区改造配套基础设施", ZJ, "1150.00", True, True, True),
    (204, "农村危房改造补助", ZJ, "102.00", False, False, False),
    (205, "城市公园提升改造", ZJ, "186.00", True, False, True),
    (206, "智慧工地监管平台建设", ZJ, "64.00", True, False, True),
    (207, "乡镇应急救援装备购置", YJ, "150.00", False, False, False),
    (208, "防汛抢险物资补充", YJ, "80.00", False, False, False),
    (209, "地质灾害隐患点监测", YJ, "126.00", False, False, False),
    (210, "危化品企业安全检查", YJ, "38.00", False, False, False),
    (211, "应急救援队伍培训", YJ, "55.00", False, False, False),
    (212, "城乡应急避难场所建设", YJ, "560.00", True, True, True),
]
# what the performance office picks (numbers; the demo's own projects by name)
PICKS_EARLIER = {
    "dept_eval": [101, 102, 106],
    "expert_review": [103],
    "third_party": [101, 102, 103, 104, 105, 106, 107, 108, 109, 110],
    "key_monitoring": [103, 106],
}
PICKS_LAST = {
    "dept_eval": [203, 205, 212],
    "expert_review": [202, 209],
    "third_party": [201, 202, 203, 204, 205, 207, 208, 209, 212, "城市污水处理厂提标改造"],
    "key_monitoring": [202, 203, 209, 212, "城市污水处理厂提标改造", "森林防火监测系统"],
}


def load(db: Database) -> int:
    """Add the selection demo; returns how many projects it added (0 when it was there already)."""
    with db.reading() as session:
        if specs.latest_definition(session, "annual_selection", required=False) is None:
            return 0
        office = session.scalars(holders_query("performance_office", None).limit(1)).first()
        if office is None:
            return 0
        actor = Actor.of(office)
    year = clock.now().astimezone(clock.CHINA).year - 1  # last year's projects are evaluated now
    added = _projects(db, EARLIER, year - 1) + _projects(db, LAST, year)
    try:
        _select(db, year - 1, PICKS_EARLIER, actor, confirm=True)
        _select(db, year, PICKS_LAST, actor, confirm=False)
    except (JixiaoError, LookupError) as exc:  # make run must still start; say why
        log.warning("demo selection: %s", exc)
    return added


def _code(year: int, number: int) -> str:
    return f"WZ{year}-{number:03d}"


def _projects(db: Database, rows, year: int) -> int:
    """The year's extra projects, each by its unit's submitter, in one unit of work."""
    added = 0
    with db.unit_of_work() as uow:
        existing = set(uow.scalars(select(Project.code).where(Project.fiscal_year == year)))
        for number, name, unit_code, amount, is_new, is_major, one_off in rows:
            if _code(year, number) in existing:
                continue
            unit_id = uow.scalar(select(BudgetUnit.id).where(BudgetUnit.code == unit_code))
            user = uow.scalars(holders_query("unit_submitter", unit_id).limit(1)).first() if unit_id else None
            if user is None:
                continue
            start = year if (is_new or one_off) else year - 2
            new = commands.NewProject(
                _code(year, number),
                name,
                year,
                Decimal(amount),
                unit_id,
                is_new=is_new,
                is_major=is_major,
                period_start=str(start),
                period_end=str(year if one_off else year + 1),
            )
            commands.create_project(uow, new, actor=Actor.of(user))
            added += 1
        uow.commit()
    return added


def _ids(db: Database, year: int, picks: dict) -> dict[str, list[int]]:
    with db.reading() as session:
        rows = session.execute(
            select(Project.id, Project.code, Project.name).where(Project.fiscal_year == year)
        )
        by_code = {code: pid for pid, code, _name in rows}
        by_name = {
            name: pid
            for pid, _code, name in session.execute(
                select(Project.id, Project.code, Project.name).where(Project.fiscal_year == year)
            )
        }
    out: dict[str, list[int]] = {}
    for category, items in picks.items():
        ids = [by_name.get(i) if isinstance(i, str) else by_code.get(_code(year, i)) for i in items]
        out[category] = [i for i in ids if i is not None]
    return out


def _select(db: Database, year: int, picks: dict, actor: Actor, *, confirm: bool) -> None:
    with db.reading() as session:
        if read.selection_of(session, year) is not None:
            return
    commands.start_selection(db, year, actor=actor)
    commands.save_selection(db, year, _ids(db, year, picks), actor=actor)
    commands.draw_sample(db, year, actor=actor)
    if confirm:
        commands.confirm_selection(db, year, actor=actor, note="经局务会研究确定本年度评价对象")
