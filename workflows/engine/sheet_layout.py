"""How a form's workbook looks and guards its cells (:mod:`workflows.engine.form_workbook`): number
formats read from a field's title (万元, %), drop-down lists of a field's choices, sheet protection."""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from . import forms

WAN = "#,##0.00"  # 万元, as the list exports write it
PERCENT = '0.0"%"'  # the form holds percentage points (95 = 95%): shown with a sign, read back as typed


def number_format(name: str, prop: dict) -> str | None:
    """A number field's format, read from its title as the form shows it (万元, %)."""
    if prop.get("type") not in ("number", "integer"):
        return None
    title = str(prop.get("title") or name)
    if "万元" in title:
        return WAN
    if "%" in title or "％" in title:
        return PERCENT
    return None


def protect(ws) -> None:
    """Lock every cell not opened for input; columns and rows may still be resized, rows added."""
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.sort = ws.protection.autoFilter = False


def choices_for(ws, prop: dict, where: str) -> None:
    labels = [label for _v, label in forms.options(prop)]
    if prop.get("type") == "boolean":
        labels = ["是", "否"]
    formula = '"' + ",".join(labels) + '"'
    if not labels or len(formula) > 255 or any("," in x or '"' in x for x in labels):
        return
    check = DataValidation(type="list", formula1=formula, allow_blank=True)
    check.error, check.errorTitle = "请从下拉列表中选择", "选项无效"
    ws.add_data_validation(check)
    check.add(where)
