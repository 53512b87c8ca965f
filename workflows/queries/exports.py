"""Excel out (issue 12, item 2): the workbooks a bureau files, built with openpyxl, no Flask.

Layout of every sheet: a merged title row, bold headers on a grey band, the header frozen,
万元 as ``#,##0.00`` and ratios as ``0.0%``, column widths that print on A4 landscape.
Workbooks are written in openpyxl's write-only mode and rows are streamed from the query,
so a 50,000-row list is not held as cell objects in memory. Visibility is the project
list's: :func:`workflows.policy.project_clause` through :func:`projects.listing`.

Names a reader sees (a stage's Chinese name) come from the caller as ``stage_name``, so the
web layer's labels serve the file too and this module stays free of Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Float, select, type_coerce
from sqlalchemy.orm import Session

from .. import clock, policy
from ..policy import Actor
from ..store import BudgetUnit, Project
from .paging import Order
from .project_filter import NO_GRADE, ProjectFilter
from .projects import listing

WAN = "#,##0.00"  # 万元, two decimals
RATIO = "0.0%"
SCORE = "0.00"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters; a CJK character counts about two
    number_format: str | None = None


PROJECT_COLUMNS = (
    Column("项目编码", 16),
    Column("项目名称", 34),
    Column("预算单位", 28),
    Column("年度", 8, "0"),
    Column("金额（万元）", 16, WAN),
    Column("阶段", 16),
    Column("得分", 9, SCORE),
    Column("等级", 8),
    Column("调减比例", 11, RATIO),
)
RESULT_COLUMNS = (
    Column("项目", 36),
    Column("单位", 28),
    Column("得分", 9, SCORE),
    Column("等级（封顶后）", 15),
    Column("调减比例", 11, RATIO),
    Column("调减金额（万元）", 18, WAN),
)

_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_HEADER_FONT = Font(name="宋体", size=11, bold=True)
_BODY_FONT = Font(name="宋体", size=11)
_HEADER_FILL = PatternFill("solid", fgColor="E5E7EB")
_THIN = Side(style="thin", color="9CA3AF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _number(value) -> float | None:
    return None if value is None else float(value)


class _Sheet:
    """A write-only sheet laid out as the bureau files it (title, headers, body, totals)."""

    def __init__(self, workbook: Workbook, name: str, title: str, columns: tuple[Column, ...]):
        self.ws: Worksheet = workbook.create_sheet(name)
        self.columns = columns
        self._styles: list | None = None  # per column: the body cell's style, or None
        last = get_column_letter(len(columns))
        for i, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = column.width
        self.ws.freeze_panes = "A3"  # title and headers stay on screen
        self.ws.print_title_rows = "1:2"  # and on every printed page
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = 9  # A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.print_options.gridLines = True  # the body's grid on paper
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.row_dimensions[1].height = 30
        self.ws.merged_cells.add(f"A1:{last}1")
        self.ws.append([self._cell(title, font=_TITLE_FONT, alignment=_CENTER)])
        self.ws.append(
            [
                self._cell(c.header, font=_HEADER_FONT, fill=_HEADER_FILL, border=_BOX, alignment=_CENTER)
                for c in columns
            ]
        )

    def _cell(self, value, *, font=_BODY_FONT, fill=None, border=None, alignment=None, number_format=None):
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = font
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        if number_format:
            cell.number_format = number_format
        return cell

    def row(self, values: Iterable, *, font=_BODY_FONT) -> None:
        if font is not _BODY_FONT:  # a totals row: styled cell by cell, it is one row
            self.ws.append(
                [
                    self._cell(v, font=font, border=_BOX, number_format=c.number_format)
                    for c, v in zip(self.columns, values, strict=True)
                ]
            )
            return
        # body rows: plain values, and a styled cell only where a number needs its format, its
        # style copied from the column's prototype (openpyxl's StyleArray, as its own cell copy
        # does); the grid is printed as gridlines. Setting font, border and number format (or a
        # named style) cell by cell hashed style objects for most of an export's time
        # (bench/reports.py).
        if self._styles is None:
            self._styles = [
                None if not c.number_format else self._format(c.number_format) for c in self.columns
            ]
        cells = []
        for style, value in zip(self._styles, values, strict=True):
            if style is None:  # an empty number cell keeps its format, for a clerk to fill in
                cells.append(value)
            else:
                cell = WriteOnlyCell(self.ws, value=value)
                cell._style = copy(style)  # noqa: SLF001
                if isinstance(value, str):  # a word where numbers stand (未抽查): centred, not flush left
                    cell.alignment = _CENTER
                cells.append(cell)
        self.ws.append(cells)

    def note(self, text: str, rows_before: int) -> None:
        """A line of explanation under the body (the ``rows_before`` rows: title, headers, body),
        across the sheet's width, as the page prints it under its table."""
        at = rows_before + 2  # one empty row between
        self.ws.append([])
        self.ws.merged_cells.add(f"A{at}:{get_column_letter(len(self.columns))}{at}")
        self.ws.row_dimensions[at].height = 30
        self.ws.append([self._cell(text, alignment=_WRAP)])

    def _format(self, number_format: str):
        prototype = WriteOnlyCell(self.ws)
        prototype.number_format = number_format
        return prototype._style  # noqa: SLF001


def _saved(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _new_workbook() -> Workbook:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Jixiao 绩效"
    return workbook


_FLAG_WORDS = {
    "overdue": "已逾期",
    "cut": "调减预算",
    "lagging": "执行进度滞后",
    "key_monitoring": "重点监控",
}


def _title(
    base: str,
    filters: ProjectFilter,
    session: Session | None = None,
    *,
    stage_name: Callable[[str], str] = str,
    fund_name: Callable[[str], str] = str,
) -> str:
    """``2026年度项目清单（万载县住房和城乡建设局，一般公共预算）``: the year and, in brackets, every
    filter the list was narrowed by, so a printed sheet says what it holds."""
    words = []
    if filters.unit is not None and session is not None:
        words.append(session.scalar(select(BudgetUnit.name).where(BudgetUnit.id == filters.unit)) or "")
    if filters.fund_type:
        words.append(str(fund_name(filters.fund_type)))
    if filters.stage:
        words.append(f"阶段：{stage_name(filters.stage)}")
    if filters.grade:
        words.append("未评价" if filters.grade == NO_GRADE else f"等级：{filters.grade}")
    words += [word for flag, word in _FLAG_WORDS.items() if getattr(filters, flag)]
    if filters.q:
        words.append(f"含「{filters.q}」")
    named = f"{filters.year}年度{base}" if filters.year else base
    words = [w for w in words if w]
    return f"{named}（{'，'.join(words)}）" if words else named


# --- the project list, as shown ----------------------------------------------------


def _float(column):
    """Amounts and scores as plain floats: a 50,000-row file without a Decimal per cell."""
    return type_coerce(column, Float)


def project_rows(
    session: Session,
    actor: Actor,
    filters: ProjectFilter,
    *,
    now: datetime | None = None,
    order: Order | None = None,
):
    """The project list's rows for ``filters`` (same order and visibility), streamed through the
    Core connection (the ORM's row handling is a third of the export's reading)."""
    query = (
        listing(actor, filters=filters, now=now or clock.now(), order=order)
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .with_only_columns(
            Project.code,
            Project.name,
            BudgetUnit.name,
            Project.fiscal_year,
            _float(Project.amount),
            Project.stage,
            _float(Project.score),
            Project.grade,
            _float(Project.budget_cut_ratio),
        )
        .execution_options(yield_per=2000)
    )
    return session.connection().execute(query)


def project_list(
    session: Session,
    actor: Actor,
    filters: ProjectFilter,
    *,
    stage_name: Callable[[str], str] = str,
    fund_name: Callable[[str], str] = str,
    now: datetime | None = None,
    order: Order | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """项目清单: the project list as the page shows it (filters and order), one row a project,
    then a 合计 row (how many projects, their amount); the title names the filters.
    ``progress(rows written)`` is called every 1,000 rows (a background export's progress)."""
    workbook = _new_workbook()
    title = _title("项目清单", filters, session, stage_name=stage_name, fund_name=fund_name)
    sheet = _Sheet(workbook, "项目清单", title, PROJECT_COLUMNS)
    names: dict[str, str] = {}  # a handful of stages over 50,000 rows: translate each once
    rows = project_rows(session, actor, filters, now=now, order=order)
    done, total = 0, Decimal(0)
    for done, (code, name, unit, year, amount, stage, score, grade, ratio) in enumerate(rows, start=1):
        if stage not in names:
            names[stage] = str(stage_name(stage))
        sheet.row([code, name, unit, year, amount, names[stage], score, grade, ratio])
        total += Decimal(str(amount or 0))
        if progress is not None and done % 1000 == 0:
            progress(done)
    totals = [f"合计（{done} 个项目）", None, None, None, float(total), None, None, None, None]
    sheet.row(totals, font=_HEADER_FONT)
    return _saved(workbook)


# --- the evaluation-results summary (评价结果汇总表) -----------------------------------


@dataclass(frozen=True)
class ResultLine:
    project: str
    unit: str
    score: Decimal | None
    grade: str | None
    cut_ratio: Decimal | None
    cut_amount: Decimal  # 万元 = amount × cut ratio (R-RA-1)


def result_lines(session: Session, actor: Actor, filters: ProjectFilter) -> Iterable[ResultLine]:
    """Graded projects (a score or a grade) of the year as ``actor`` may see them, by unit then code."""
    query = (
        select(
            Project.name,
            BudgetUnit.name,
            Project.score,
            Project.grade,
            Project.budget_cut_ratio,
            Project.amount,
        )
        .join(BudgetUnit, BudgetUnit.id == Project.unit_id)
        .where(
            policy.project_clause(actor),
            *filters.conditions(clock.now()),
            Project.score.is_not(None) | Project.grade.is_not(None),
        )
        .order_by(BudgetUnit.code, Project.code)
        .execution_options(yield_per=2000)
    )
    for name, unit, score, grade, ratio, amount in session.execute(query):
        cut = (Decimal(str(amount or 0)) * Decimal(str(ratio or 0))).quantize(Decimal("0.01"))
        yield ResultLine(name, unit, score, grade, ratio, cut)


def results_summary(
    session: Session, actor: Actor, filters: ProjectFilter, *, fund_name: Callable[[str], str] = str
) -> bytes:
    """评价结果汇总表: each graded project with its capped grade and its cut; a totals row."""
    workbook = _new_workbook()
    title = _title("绩效评价结果汇总表", filters, session, fund_name=fund_name)
    sheet = _Sheet(workbook, "评价结果汇总", title, RESULT_COLUMNS)
    count, total_cut = 0, Decimal(0)
    for line in result_lines(session, actor, filters):
        sheet.row(
            [
                line.project,
                line.unit,
                _number(line.score),
                line.grade,
                _number(line.cut_ratio),
                _number(line.cut_amount),
            ]
        )
        count += 1
        total_cut += line.cut_amount
    sheet.row([f"合计（{count} 个项目）", None, None, None, None, float(total_cut)], font=_HEADER_FONT)
    return _saved(workbook)
