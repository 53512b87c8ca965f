"""单位考核排名表 (issue 12, item 2; DOMAIN R-AS-1): a cycle's ranking as the workbook the bureau
files with its 通报 — rank, unit, each fact's points, the office's judgement, the total."""

from __future__ import annotations

from .assessment import POINT_COLUMNS, Ranking
from .exports import SCORE, Column, _new_workbook, _saved, _Sheet


def unit_ranking(ranking: Ranking) -> bytes:
    columns = (
        Column("名次", 7, "0"),
        Column("预算单位", 30),
        *(Column(f"{title}（分）", 14, SCORE) for _key, title in POINT_COLUMNS),
        Column("综合评价（分）", 14, SCORE),
        Column("总分", 10, SCORE),
    )
    workbook = _new_workbook()
    sheet = _Sheet(workbook, "考核排名", f"{ranking.cycle.name}部门预算绩效管理工作考核排名", columns)
    for row in ranking.rows:
        points = [
            None if row.points.get(key) is None else float(row.points[key]) for key, _t in POINT_COLUMNS
        ]
        sheet.row(
            [
                row.rank,
                row.unit_name,
                *points,
                None if row.judgement is None else float(row.judgement),
                None if row.total is None else float(row.total),
            ]
        )
    return _saved(workbook)
