"""Rankings as the workbooks the bureau files with its 通报 (issue 12, item 2).

单位考核排名表 (DOMAIN R-AS-1): a cycle's rank, unit, each fact's points, the office's judgement,
the total. 扶贫资金项目绩效管理月度评价排名 (R-AS-2): a month's rank, unit, projects, each kind of
item counted, the points lost, the office's adjustment, the total and 督导; a second sheet
lists the items fed back with the units' measures. Both laid out by one function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import assessment, poverty
from .exports import SCORE, WAN, Column, _new_workbook, _saved, _Sheet

# why an unchecked unit's points do not add up to its total (domain.rank_units), as the page says it
UNCHECKED_NOTE = (
    "注：本年度未被抽查的单位，自评准确性不计分，其余计分项得分按满分比例折算后计入总分，与其他单位一并排名。"
)


def _points(value) -> float | None:
    return None if value is None else float(value)


def _ranking_sheet(
    workbook,
    name: str,
    title: str,
    middle: tuple[Column, ...],
    rows: Iterable,
    cells: Callable,
    after: tuple[Column, ...] = (),
    after_cells: Callable = lambda row: [],
    rank: Callable = lambda row: row.rank,
) -> tuple[_Sheet, int]:
    """名次 | 预算单位 | the ranking's own columns | 总分 | what follows the total: one row per
    unit, ranks as the page shows them. The sheet and its number of rows (title and headers in)."""
    columns = (Column("名次", 7, "0"), Column("预算单位", 30), *middle, Column("总分", 10, SCORE), *after)
    sheet = _Sheet(workbook, name, title, columns)
    written = 2
    for row in rows:
        sheet.row([rank(row), row.unit_name, *cells(row), _points(row.total), *after_cells(row)])
        written += 1
    return sheet, written


def _unchecked(row) -> bool:
    """A unit nobody spot-checked this year (R-EV-7): no accuracy score, its other items converted
    (R-AS-1, :func:`workflows.domain.rank_units`); one ranked before that rule (rank None) says so."""
    return row.points.get("accuracy") is None and row.total is not None and not row.facts.get("spot_checked")


def _unit_cell(row, key):
    return "未抽查" if key == "accuracy" and _unchecked(row) else _points(row.points.get(key))


def unit_ranking(ranking: assessment.Ranking) -> bytes:
    workbook = _new_workbook()
    sheet, written = _ranking_sheet(
        workbook,
        "考核排名",
        f"{ranking.cycle.name}部门预算绩效管理工作考核排名",
        (
            *(Column(f"{title}（分）", 14, SCORE) for _key, title in assessment.POINT_COLUMNS),
            Column("综合评价（分）", 14, SCORE),
        ),
        ranking.rows,
        lambda row: [
            *(_unit_cell(row, key) for key, _t in assessment.POINT_COLUMNS),
            _points(row.judgement),
        ],
        rank=lambda row: "未抽查" if row.rank is None and _unchecked(row) else row.rank,
    )
    if any(_unchecked(row) for row in ranking.rows):  # the page's note under its table, in the file too
        sheet.note(UNCHECKED_NOTE, written)
    return _saved(workbook)


def poverty_ranking(ranking: poverty.Ranking) -> bytes:
    workbook = _new_workbook()
    name = ranking.month.name
    _ranking_sheet(
        workbook,
        "月度排名",
        f"{name}扶贫资金项目绩效管理评价排名",
        (
            Column("项目数", 8, "0"),
            Column("项目金额（万元）", 16, WAN),
            *(Column(f"{title}（项）", 12, "0") for _key, title in poverty.COUNT_COLUMNS),
            Column("扣分", 9, SCORE),
            Column("调整分", 9, SCORE),
            Column("调整理由", 28),
        ),
        ranking.rows,
        lambda row: [
            int(row.facts.get("projects") or 0),
            float(row.facts.get("amount") or 0),
            *(row.points[key] for key, _t in poverty.COUNT_COLUMNS),
            _points(row.deduction),
            _points(row.judgement),
            row.reason or "",
        ],
        (Column("督导", 8),),
        lambda row: ["督导" if row.supervise else ""],
    )
    issues = _Sheet(
        workbook,
        "问题清单",
        f"{name}扶贫资金项目绩效管理问题反馈清单",
        (
            Column("预算单位", 28),
            Column("项目编码", 16),
            Column("项目名称", 30),
            Column("问题类型", 18),
            Column("问题描述", 50),
            Column("整改措施", 40),
        ),
    )
    for item in ranking.issues:
        issues.row(
            [
                item.unit_name,
                item.project_code,
                item.project_name,
                item.kind_name,
                item.detail,
                item.measure or "",
            ]
        )
    return _saved(workbook)
