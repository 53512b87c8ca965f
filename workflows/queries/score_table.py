"""The level's consolidated score table (本级部门单位项目支出绩效评价打分表, DOMAIN R-EV-3).

One row per project of the fiscal year, as the viewer may see them (R-RL-1: a finance office
its own units' rows; :func:`workflows.policy.project_clause`): each scorer's points as the
evaluation recorded them at the task boundary (``score_table_row``), the final score, the
capped grade and why it was capped (R-EV-5, R-MN-4, the R-EV-7 veto), the budget cut, and
whether the row changed after finance confirmed the table. One indexed query, no workflow.
The Excel file is the bureau's layout in the house style of :mod:`workflows.queries.exports`.
"""

from __future__ import annotations

from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass
from datetime import datetime

from openpyxl.cell import WriteOnlyCell
from sqlalchemy import Float, and_, func, select, type_coerce
from sqlalchemy.orm import Session

from .. import policy
from ..policy import OVERSIGHT_ROLES, Actor
from ..store import BudgetUnit, Project, ScoreTableConfirmation, ScoreTableRow, SpotCheck
from .exports import _BOX, RATIO, SCORE, WAN, Column, _new_workbook, _saved, _Sheet

CHANGED = "确认后变更"
VETO = "一票否决"


@dataclass(slots=True)
class ScoreLine:
    project_id: int
    code: str
    name: str
    unit: str
    amount: float  # 万元
    self_total: float | None  # 单位自评
    finance_score: float | None  # 财政复核
    panel_score: float | None  # 专家评审
    third_party_score: float | None  # 第三方评价
    final_score: float | None
    grade: str | None
    cap_reason: str | None
    budget_cut_ratio: float | None
    spot_check: str | None  # the authenticity spot check's verdict: 属实 / 不实 / None
    recovery_wan: float | None
    changed_after_confirmation: bool

    @property
    def vetoed(self) -> bool:
        return self.spot_check == "不实"

    @property
    def remark(self) -> str:
        notes = []
        if self.vetoed:
            notes.append(f"{VETO}，收回资金 {self.recovery_wan or 0:,.2f} 万元")
        if self.changed_after_confirmation:
            notes.append(CHANGED)
        return "；".join(notes)


@dataclass(frozen=True)
class Confirmation:
    confirmed_by: str
    confirmed_at: datetime
    row_count: int


def may_read(actor: Actor) -> bool:
    """Finance, the performance office, leadership (and administrators) read the table."""
    return actor.is_system or bool(actor.roles & OVERSIGHT_ROLES)


def _number(column):
    """Points and amounts as plain floats (two decimals as stored): a 50,000-row table is built
    without a Decimal per cell (bench/score_table.py)."""
    return type_coerce(column, Float)


def query(actor: Actor, year: int, unit_id: int | None = None):
    row, check = ScoreTableRow, SpotCheck
    statement = (
        select(
            Project.id,
            Project.code,
            Project.name,
            BudgetUnit.name,
            _number(Project.amount),
            _number(row.self_total),
            _number(row.finance_score),
            _number(row.panel_score),
            _number(row.third_party_score),
            _number(func.coalesce(row.final_score, Project.score)),
            func.coalesce(Project.grade, row.grade),
            row.cap_reason,
            _number(func.coalesce(Project.budget_cut_ratio, row.budget_cut_ratio)),
            check.verdict,
            _number(check.recovery_wan),
            func.coalesce(row.changed_after_confirmation, False),
        )
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .outerjoin(row, row.project_id == Project.id)
        .outerjoin(check, and_(check.project_id == Project.id, check.fiscal_year == Project.fiscal_year))
        .where(Project.fiscal_year == year, policy.project_clause(actor))
        .order_by(BudgetUnit.code, Project.code)
    )
    if unit_id is not None:
        statement = statement.where(Project.unit_id == unit_id)
    return statement


def lines(session: Session, actor: Actor, year: int, unit_id: int | None = None) -> Iterator[ScoreLine]:
    """The year's rows the actor may read, by unit then project code, streamed."""
    # Core, not the ORM: the rows are plain values (the ORM's row handling doubled the time)
    result = session.connection().execute(query(actor, year, unit_id).execution_options(yield_per=5000))
    for values in result:
        yield ScoreLine(*values[:-1], bool(values[-1]))


def count(session: Session, actor: Actor, year: int) -> int:
    statement = (
        select(func.count())
        .select_from(Project)
        .where(Project.fiscal_year == year, policy.project_clause(actor))
    )
    return session.execute(statement).scalar() or 0


def page(session: Session, actor: Actor, year: int, *, offset: int, limit: int) -> list[ScoreLine]:
    """One page of the table, for the screen (the file has every row)."""
    result = session.connection().execute(query(actor, year).offset(offset).limit(limit))
    return [ScoreLine(*values[:-1], bool(values[-1])) for values in result]


def confirmation(session: Session, year: int) -> Confirmation | None:
    row = session.get(ScoreTableConfirmation, year)
    return None if row is None else Confirmation(row.confirmed_by, row.confirmed_at, row.row_count)


def years(session: Session) -> list[int]:
    return list(session.scalars(select(Project.fiscal_year).distinct().order_by(Project.fiscal_year.desc())))


COLUMNS = (
    Column("序号", 6, "0"),
    Column("预算单位", 26),
    Column("项目编码", 16),
    Column("项目名称", 32),
    Column("项目金额（万元）", 16, WAN),
    Column("单位自评得分", 12, SCORE),
    Column("财政复核得分", 12, SCORE),
    Column("专家评审得分", 12, SCORE),
    Column("第三方评价得分", 14, SCORE),
    Column("最终得分", 10, SCORE),
    Column("评价等级", 10),
    Column("等级限定原因", 28),
    Column("预算调减比例", 12, RATIO),
    Column("真实性核查", 11),
    Column("备注", 30),
)


def cells(index: int, line: ScoreLine) -> list:
    """One row of the workbook, as the bureau files it."""
    return [
        index,
        line.unit,
        line.code,
        line.name,
        line.amount,
        line.self_total,
        line.finance_score,
        line.panel_score,
        line.third_party_score,
        line.final_score,
        line.grade,
        line.cap_reason,
        line.budget_cut_ratio,
        line.spot_check,
        line.remark or None,
    ]


def title(year: int) -> str:
    return f"{year}年度本级部门单位项目支出绩效评价打分表"


class _TableSheet(_Sheet):
    """The house sheet, with each body cell's style copied from its column's prototype: setting a
    font and a border on every cell hashes them each time (nine tenths of the export's time at
    50,000 rows, bench/score_table.py)."""

    def __init__(self, *args):
        super().__init__(*args)
        self._styles = [
            self._cell(None, border=_BOX, number_format=c.number_format)._style  # noqa: SLF001
            for c in self.columns
        ]

    def row(self, values) -> None:
        cells = []
        for style, value in zip(self._styles, values, strict=True):
            cell = WriteOnlyCell(self.ws, value=value)
            cell._style = copy(style)  # noqa: SLF001  (openpyxl's StyleArray, as its own cell copy does)
            cells.append(cell)
        self.ws.append(cells)


def workbook(session: Session, actor: Actor, year: int, progress=None) -> bytes:
    """打分表 as an .xlsx: merged title, Chinese headers, number formats, widths (R-EV-3);
    ``progress(rows written)`` every 1,000 rows (a background export, issue 12 item 7)."""
    book = _new_workbook()
    sheet = _TableSheet(book, "评价打分表", title(year), COLUMNS)
    for index, line in enumerate(lines(session, actor, year), start=1):
        sheet.row(cells(index, line))
        if progress is not None and index % 1000 == 0:
            progress(index)
    return _saved(book)
