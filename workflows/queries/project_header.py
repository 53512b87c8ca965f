"""A project's 申报表 header (表头): the facts the unit declared when it created the project.

The workbook of a form prints them above the form (read-only), and a form field may be
pre-filled from one of them by its label (``"x-prefill": {"project": "项目负责人"}``).
"""

from __future__ import annotations

from decimal import Decimal

from ..store import Project


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def project_header(project: Project | None) -> list[tuple[str, object]]:
    """The 申报表 header of the national template: who spends how much on what, and when."""
    if project is None:
        return []
    period = "—".join(p for p in (project.period_start, project.period_end) if p) or str(project.fiscal_year)
    return [
        ("项目名称", project.name),
        ("项目编码", project.code),
        ("主管部门", project.competent_department or project.unit.name),
        ("实施单位", project.implementing_unit or project.unit.name),
        ("项目负责人", project.owner_name),
        ("联系电话", project.owner_phone),
        ("项目属性", "新增项目" if project.is_new else "延续项目"),
        ("项目期", period),
        ("资金总额（万元）", _wan(project.amount)),
        ("预算年度", project.fiscal_year),
        ("其中：财政拨款（万元）", _wan(project.fiscal_funds)),
        ("其他资金（万元）", _wan(project.other_funds)),
    ]


def _year(period: str | None) -> int | None:
    return int(period[:4]) if period and period[:4].isdigit() else None


def project_facts(project: Project | None) -> dict[str, object]:
    """``{header label: value}``, with the 项目期 as 起始年度 and 终止年度 (the fiscal year when
    the unit gave none) and 其他资金 0 when the whole amount is 财政拨款."""
    if project is None:
        return {}
    facts = {label: value for label, value in project_header(project) if value is not None}
    facts["项目期起始年度"] = _year(project.period_start) or project.fiscal_year
    facts["项目期终止年度"] = _year(project.period_end) or facts["项目期起始年度"]
    facts["其中：财政拨款（万元）"] = _wan(
        project.amount if project.fiscal_funds is None else project.fiscal_funds
    )
    facts["其他资金（万元）"] = _wan(project.other_funds) or 0
    return facts


def header_for(schema: dict | None, project: Project | None) -> list[tuple[str, object]]:
    """The header printed above ``schema``'s form: the project's facts the form does not carry
    as fields of its own (a fact a field is pre-filled from is that field's to show)."""
    carried = {
        str(prop["x-prefill"].get("project"))
        for prop in ((schema or {}).get("properties") or {}).values()
        if isinstance(prop, dict) and isinstance(prop.get("x-prefill"), dict)
    }
    if carried & {"项目期起始年度", "项目期终止年度"}:
        carried.add("项目期")
    return [(label, value) for label, value in project_header(project) if label not in carried]
