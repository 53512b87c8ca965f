"""Demo of the year's selection (年度评价对象选取), made through the commands the workbench calls.

DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7, at the scale of Wanzai's 2020 report (DOMAIN 8:
4 third-party key evaluations, 6 key-monitoring projects; the seeds ask for 10 key evaluations).
Two years, both read from the demo's fiscal year (:func:`demo.paths.this_fiscal_year`): last
year, selected and confirmed (its key evaluations' funds are what this year's must not fall
below; its department evaluations make the history), and this year (the one whose evaluation is
prepared now, at the year's end): started, ticked and drawn, waiting for the performance office
to confirm on the workbench. More projects are added to both years through ``create_project``,
each by its unit's submitter, so that every quota has something to work on. Idempotent.
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

from . import paths, spot_check

log = logging.getLogger(__name__)

# 住建局, 应急管理局, 文广旅局, 农业农村局 (demo/data.py UNITS)
ZJ, YJ, WL, NY = "360922-001", "360922-002", "360922-003", "360922-004"
# (number, name, unit, amount 万元, new?, key?, one-off?) — offset from the year evaluated;
# key (重点项目) is what bpmn/project_classification.dmn decides: 500 万元 and above
EARLIER = [  # last year: selected and confirmed, beside the demo's own projects of that year
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
LAST = [  # this year: the selection waiting to be confirmed, beside the demo's own projects
    (301, "市政路灯节能改造", ZJ, "300.00", False, False, False),
    (302, "农村危房改造补助", ZJ, "110.00", False, False, False),  # evaluated last year (R-EV-2)
    (303, "城区公厕提升改造", ZJ, "128.00", True, False, True),
    (304, "城镇老旧小区改造", ZJ, "1380.00", True, True, False),
    (305, "地质灾害隐患点监测", YJ, "132.00", False, False, False),
    (306, "危化品企业安全检查", YJ, "40.00", False, False, False),
    (307, "应急救援队伍培训", YJ, "58.00", False, False, False),
    (308, "基层应急能力标准化建设", YJ, "620.00", True, True, False),
    (309, "非物质文化遗产保护传承", WL, "95.00", False, False, False),
    (310, "县图书馆数字化建设", WL, "260.00", True, False, True),
    (311, "农村饮水安全巩固提升", NY, "540.00", False, True, False),
    (312, "水稻绿色高产高效示范", NY, "180.00", False, False, False),
]
# what the performance office picks (numbers; the demo's own projects by name)
PICKS_EARLIER = {
    "dept_eval": [203, 204, 205, 212],
    "expert_review": [202, 209],
    "third_party": [201, 202, 203, 204, 205, 207, 208, 209, 212, "城市污水处理厂提标改造"],
    "key_monitoring": [202, 203, 209, 212, "城市污水处理厂提标改造", "森林防火监测系统"],
}
PICKS_LAST = {
    "dept_eval": [303, 304, 308, 310, 311],
    "expert_review": [305, 312],
    "third_party": [
        301,
        304,
        308,
        310,
        311,
        312,
        "城市污水管网维护",
        "农村人居环境整治",
        "园林绿化养护",
        "乡镇应急救援装备购置",
    ],
    "key_monitoring": [304, 308, 311, 301, "城市污水管网维护", "农村人居环境整治"],
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
    year = paths.this_fiscal_year()  # this year's evaluation objects are chosen now, at its end
    # last year's projects: targets approved, selected and confirmed early this year (before they
    # self-evaluated: the spot-check sample waits for their 自评表), then evaluated and graded
    earlier = _projects(db, EARLIER, year - 1, "targets")
    # this year's: monitored, their self-evaluation due; the selection is drawn now, at the year's end
    added = len(earlier) + len(_projects(db, LAST, year, "self_evaluation"))
    try:
        with paths._clock_kept():  # noqa: SLF001 - the demo's own clock walk
            clock.set_now(clock.parse_moment(f"{year}-03-05T10:00:00"))
            _select(db, year - 1, PICKS_EARLIER, actor, confirm=True)
        spot_check.check_the_sample(db, year - 1, actor)  # the sample's self-evaluated projects
        paths.advance(db, [(project_id, "results_applied") for project_id in earlier])
        _select(db, year, PICKS_LAST, actor, confirm=False)
    except (JixiaoError, LookupError, RuntimeError) as exc:  # make run must still start; say why
        log.warning("demo selection: %s", exc)
    return added


def _code(year: int, number: int) -> str:
    return f"WZ{year}-{number:03d}"


def _projects(db: Database, rows, year: int, stage: str) -> list[int]:
    """The year's extra projects, each created by its unit's submitter (``create_project``, as the
    new-project page does) and driven along its review path to ``stage`` (:mod:`demo.paths`).
    Returns the projects added."""
    added = []
    with db.reading() as session:
        existing = set(session.scalars(select(Project.code).where(Project.fiscal_year == year)))
    for number, name, unit_code, amount, is_new, is_major, one_off in rows:
        if _code(year, number) in existing:
            continue
        with db.reading() as session:
            unit_id = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == unit_code))
            user = (
                session.scalars(holders_query("unit_submitter", unit_id).limit(1)).first()
                if unit_id
                else None
            )
            submitter = Actor.of(user) if user is not None else None
        if submitter is None:
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
        try:
            created = paths.create_at_stage(db, new, stage, actor=submitter)
        except (JixiaoError, LookupError, RuntimeError) as exc:  # make run must still start; say why
            log.warning("demo selection project %s (%s): %s", new.code, stage, exc)
            continue
        added.append(created.project_id)
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
