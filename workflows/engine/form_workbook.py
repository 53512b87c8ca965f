"""A task form as a spreadsheet, out and back in (issue 12, item 3): the 申报表 a unit fills in Excel.

The layout comes from the form's JSON Schema alone, so any form works and a designer who
adds a field gets it in the workbook too. One sheet, as the bureau files it:

* a merged title row (the form's title) and the project's header (申报表表头: 项目名称, 主管部门,
  项目负责人 …), read-only: the system fills it and import never reads it;
* one row per plain field: its title in column A, the value in column B (merged to the end);
* per table field (the indicator list): a section row ``【绩效指标】``, a header row of column
  titles, then one row per entry until the first empty row.

The sheet is protected (no password: it guards against slips, the import is what holds): only
the white cells a person fills are unlocked. The columns of a table bound to the approved
targets (``bound``, the monitoring and self-evaluation rows) are filled in, greyed and locked;
changed anyway, the import refuses them like any other cell, by sheet, row and column.

Import finds fields by their titles, not by position, so inserted rows or reordered columns
still read. Every cell that cannot be read, and every error of the form's schema and declared
checks, comes back named by sheet, row and column (:class:`CellError`); the caller imports
nothing unless there are none. Choices are written and read as the titles a person sees.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from ..errors import FormInvalid
from . import computed, forms
from .sheet_layout import WAN, choices_for, number_format, protect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 500  # rows read per table: more is not a form a person fills in
MAX_SHEET_ROWS = 2000
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # a filled 申报表 unpacks to well under 1 MB
MAX_COLUMNS = 40  # a form's table has a handful of columns; never read a 16,384-wide row

_TITLE = Font(name="宋体", size=16, bold=True)
_BOLD = Font(name="宋体", size=11, bold=True)
_BODY = Font(name="宋体", size=11)
_GREY = PatternFill("solid", fgColor="E5E7EB")
_LIGHT = PatternFill("solid", fgColor="F3F4F6")
_THIN = Side(style="thin", color="9CA3AF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_OPEN = Protection(locked=False)  # a cell a person fills in; every other cell stays locked
_SKIPPED_WIDGETS = {"file", "expert-pool"}  # attachments and panels are not typed into a sheet


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str  # the column letter
    label: str  # the field or column title a person reads
    message: str

    def __str__(self) -> str:
        return f"工作表「{self.sheet}」第{self.row}行{self.column}列（{self.label}）：{self.message}"


class WorkbookInvalid(ValueError):
    """The uploaded workbook cannot be imported; ``errors`` names every refused cell."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


_options = forms.options


def _plain_fields(schema: dict) -> list[tuple[str, dict]]:
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("x-widget") in _SKIPPED_WIDGETS or prop.get("type") in ("array", "object"):
            continue
        out.append((name, prop))
    return out


def _tables(schema: dict) -> list[tuple[str, dict, dict]]:
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        items = prop.get("items") or {}
        if prop.get("type") == "array" and items.get("type") == "object":
            out.append((name, prop, items.get("properties") or {}))
    return out


def _title(name: str, prop: dict) -> str:
    return str(prop.get("title") or name)


def _shown(prop: dict, value: Any) -> Any:
    if value is None:
        return None
    for const, label in _options(prop):
        if const == value:
            return label
    if prop.get("type") == "boolean":
        return "是" if value else "否"
    return value


def _width(columns: int) -> int:
    return max(columns, 4)


# --- out ------------------------------------------------------------------------------


def write(
    schema: dict,
    data: dict,
    *,
    title: str,
    header: list[tuple[str, Any]],
    sheet: str,
    bound: dict[str, list[str]] | None = None,
) -> bytes:
    """The form as a workbook: ``header`` is the project's 表头 (label, value) pairs, read-only;
    ``bound`` the tables held to the approved targets (``{table: columns}``): greyed, locked."""
    bound = bound or {}
    data = {**data, **computed.values(schema, data)}  # totals as the engine computes them
    tables = _tables(schema)
    span = _width(max((len(cols) for _n, _p, cols in tables), default=2))
    last = get_column_letter(span)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.column_dimensions["A"].width = 18
    for i in range(2, span + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font, ws["A1"].alignment = _TITLE, _CENTER
    ws.row_dimensions[1].height = 30
    note = "（表头由系统填写，导入时不读取；请在白色单元格中填写"
    note += "；灰底各列为批复的绩效指标，已锁定，不能修改）" if bound else "）"
    ws.append([note])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(name="宋体", size=9, italic=True, color="6B7280")
    for pairs in [header[i : i + 2] for i in range(0, len(header), 2)]:
        row = []
        for label, value in pairs:
            row += [label, value]
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.border, cell.font = _BOX, _BODY
            cell.fill = _GREY if cell.column % 2 == 1 else _LIGHT
        for label_cell, value_cell in zip(ws[ws.max_row][::2], ws[ws.max_row][1::2], strict=False):
            if "万元" in str(label_cell.value or "") and isinstance(value_cell.value, int | float):
                value_cell.number_format = WAN
    for name, prop in _plain_fields(schema):
        ws.append([_title(name, prop), _shown(prop, data.get(name))])
        r = ws.max_row
        ws.merge_cells(f"B{r}:{last}{r}")
        ws.cell(r, 1).font, ws.cell(r, 1).fill, ws.cell(r, 1).border = _BOLD, _GREY, _BOX
        ws.cell(r, 2).alignment, ws.cell(r, 2).border, ws.cell(r, 2).protection = _WRAP, _BOX, _OPEN
        if shape := number_format(name, prop):
            ws.cell(r, 2).number_format = shape
        if prop.get("x-widget") == "textarea":
            ws.row_dimensions[r].height = 60
        choices_for(ws, prop, f"B{r}")
    repeat = None  # the longest table's column headers repeat on every printed page
    for name, prop, columns in tables:
        ws.append([])
        ws.append([f"【{_title(name, prop)}】"])
        ws.cell(ws.max_row, 1).font = _BOLD
        ws.append([_title(c, p) for c, p in columns.items()])
        for cell in ws[ws.max_row]:
            cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _GREY, _BOX, _CENTER
        first = ws.max_row + 1
        rows = data.get(name) or []
        if repeat is None or len(rows) > repeat[1]:
            repeat = (first - 1, len(rows))
        shapes = {i: number_format(c, p) for i, (c, p) in enumerate(columns.items(), start=1)}
        held = {i for i, c in enumerate(columns, start=1) if c in bound.get(name, ())}
        for entry in rows:
            ws.append([_shown(p, (entry or {}).get(c)) for c, p in columns.items()])
            for cell in ws[ws.max_row][: len(columns)]:
                cell.border, cell.font = _BOX, _BODY
                if shapes[cell.column]:
                    cell.number_format = shapes[cell.column]
                if cell.column in held:
                    cell.fill = _GREY  # as approved: read, not typed
                else:
                    cell.protection = _OPEN
        # room to add rows in Excel, with the same drop-down lists (none where the rows are bound)
        spare = first + len(rows) + (0 if name in bound else 20)
        for r in range(first + len(rows), spare):
            for index in range(1, len(columns) + 1):
                ws.cell(r, index).protection = _OPEN
                if shapes[index]:
                    ws.cell(r, index).number_format = shapes[index]
        for index, (_c, p) in enumerate(columns.items(), start=1):
            letter = get_column_letter(index)
            if spare > first and index not in held:
                choices_for(ws, p, f"{letter}{first}:{letter}{spare - 1 if name in bound else spare}")
    # on paper: the title, and the table's column headers, on every page
    ws.print_title_rows = f"{repeat[0]}:{repeat[0]}" if repeat else "1:1"
    protect(ws)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- in -------------------------------------------------------------------------------


class _Reader:
    def __init__(self, sheet: str):
        self.sheet = sheet
        self.errors: list[CellError] = []

    def value(self, prop: dict, raw: Any, row: int, col: int, label: str) -> Any:
        """The cell as the schema's type; ``None`` for an empty cell; a refused cell is recorded."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            return None
        options = _options(prop)
        if options:
            text = str(raw).strip()
            for const, shown in options:
                if text in (shown, str(const)):
                    return const
            choices = "、".join(shown for _c, shown in options)
            return self.refuse(row, col, label, f"「{text}」不是可选项（可选：{choices}）")
        kind = prop.get("type")
        if kind in ("number", "integer"):
            return self._number(kind, raw, row, col, label)
        if kind == "boolean":
            text = str(raw).strip().lower()
            if text in ("是", "true", "1", "√", "yes"):
                return True
            if text in ("否", "false", "0", "×", "no"):
                return False
            return self.refuse(row, col, label, "应填“是”或“否”")
        if isinstance(raw, datetime | date):
            return raw.date().isoformat() if isinstance(raw, datetime) else raw.isoformat()
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw).strip()

    def _number(self, kind: str, raw: Any, row: int, col: int, label: str) -> Any:
        if isinstance(raw, bool):
            return self.refuse(row, col, label, "应为数字")
        if isinstance(raw, int | float):
            number = raw
        else:
            try:
                number = float(str(raw).strip().replace(",", "").replace("，", ""))
            except ValueError:
                return self.refuse(row, col, label, f"「{raw}」不是数字")
        if not math.isfinite(number):
            return self.refuse(row, col, label, "应为有限的数字")
        if kind == "integer":
            if float(number) != int(number):
                return self.refuse(row, col, label, "应为整数")
            return int(number)
        return int(number) if float(number).is_integer() else float(number)

    def refuse(self, row: int, col: int, label: str, message: str) -> None:
        self.errors.append(CellError(self.sheet, row, get_column_letter(col), label, message))
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read(schema: dict, content: bytes, *, sources: dict | None = None) -> dict:
    """Form data from a workbook written by :func:`write` (and filled in by a person).

    Raises :class:`WorkbookInvalid` naming every cell that cannot be read or that breaks the
    form's schema or declared checks, or a row of a table bound to ``sources`` (the approved
    targets) that strays from them; returns data that passes them all.
    """
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:  # a zip bomb, or far more than a form: refuse unread
            raise WorkbookInvalid([CellError("-", 0, "-", "文件", "工作簿过大，不是一张可导入的表单")])
        wb = load_workbook(BytesIO(content), data_only=True, read_only=True)
    except WorkbookInvalid:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl errors all mean "not a workbook"
        problem = f"不是可读取的 Excel 工作簿（{type(exc).__name__}）"
        raise WorkbookInvalid([CellError("-", 0, "-", "文件", problem)]) from None
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS, values_only=True)]
    wb.close()
    reader = _Reader(ws.title)
    data: dict = {}
    where: dict[str, tuple[int, int, str]] = {}  # field path -> (row, column, label), for errors
    labels = {_text(r[0]): i for i, r in reversed(list(enumerate(rows))) if r and _text(r[0])}
    worked_out = computed.fields(schema)  # x-computed: written for reading, never read back
    for name, prop in _plain_fields(schema):
        title = _title(name, prop)
        index = labels.get(title)
        if name in worked_out:
            if index is not None:  # a check on the total (权重合计应为100) is named at its row
                where[name] = (index + 1, 2, title)
            continue
        if index is None:
            reader.refuse(0, 1, title, "找不到这一行（A列应为字段名称）")
            continue
        where[name] = (index + 1, 2, title)
        raw = rows[index][1] if len(rows[index]) > 1 else None
        value = reader.value(prop, raw, index + 1, 2, title)
        if value is not None:
            data[name] = value
    for name, prop, columns in _tables(schema):
        _read_table(reader, rows, labels, name, prop, columns, data, where)
    kept, _dropped = forms.filter_declared(schema, data)
    kept = computed.apply(schema, kept)
    try:
        forms.validate(schema, kept, sources)
    except FormInvalid as exc:
        # a cell refused while reading is missing from the data: name it once, as refused
        refused = {(e.row, e.column) for e in reader.errors}
        located = [e for e in _located(exc.fields, where, ws.title) if (e.row, e.column) not in refused]
        raise WorkbookInvalid(sorted(reader.errors + located, key=lambda e: (e.row, e.column))) from None
    if reader.errors:
        raise WorkbookInvalid(reader.errors)
    return kept


def _read_table(reader, rows, labels, name, prop, columns, data, where) -> None:
    title = _title(name, prop)
    start = labels.get(f"【{title}】")
    if start is None:
        reader.refuse(0, 1, title, f"找不到表格「【{title}】」")
        return
    head = start + 1
    header = [_text(c) for c in (rows[head] if head < len(rows) else [])]
    positions = {}
    for col, col_prop in columns.items():
        label = _title(col, col_prop)
        if label in header:
            positions[col] = header.index(label)
        elif col in (prop.get("items") or {}).get("required", []):
            reader.refuse(head + 1, len(header) + 1, label, "缺少这一列（表头应与模板一致）")
    where[name] = (head + 1, 1, title)
    entries = []
    for index in range(head + 1, min(len(rows), head + 1 + MAX_ROWS)):
        cells = rows[index]
        if all(_text(c) == "" for c in cells):
            break
        entry = {}
        for col, pos in positions.items():
            label = _title(col, columns[col])
            raw = cells[pos] if pos < len(cells) else None
            value = reader.value(columns[col], raw, index + 1, pos + 1, label)
            if value is not None:
                entry[col] = value
            where[f"{name}/{len(entries)}/{col}"] = (index + 1, pos + 1, label)
        where[f"{name}/{len(entries)}"] = (index + 1, 1, f"{title}第{len(entries) + 1}行")
        entries.append(entry)
    data[name] = entries


def _located(fields: dict[str, list[str]], where: dict, sheet: str) -> list[CellError]:
    out = []
    for path, messages in fields.items():
        spot = where.get(path)
        if spot is None:
            parent = path.rsplit("/", 1)[0]  # a missing column of a row: name the row
            spot = where.get(parent, (0, 1, path))
        row, col, label = spot
        out += [CellError(sheet, row, get_column_letter(col), label, m) for m in messages]
    return out
