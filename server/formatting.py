"""How numbers, dates and roles read on screen: 万元 with two decimals, 2026年5月31日."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import get_locale, lazy_gettext

from workflows import clock

from . import labels

ROLE_NAMES = {
    "unit_submitter": lazy_gettext("单位填报人"),
    "unit_head": lazy_gettext("单位负责人"),
    "finance_reviewer": lazy_gettext("财政业务科室"),
    "performance_office": lazy_gettext("绩效科"),
    "expert": lazy_gettext("专家"),
    "third_party": lazy_gettext("第三方机构"),
    "leadership": lazy_gettext("分管领导"),
    "designer": lazy_gettext("流程设计"),
    "admin": lazy_gettext("系统管理员"),
}

FUND_TYPES = {
    "general_public": lazy_gettext("一般公共预算"),
    "government_fund": lazy_gettext("政府性基金预算"),
    "state_capital": lazy_gettext("国有资本经营预算"),
    "social_insurance": lazy_gettext("社会保险基金预算"),
}


def _is_zh() -> bool:
    return str(get_locale() or "zh_CN").startswith("zh")


def wan(amount) -> str:
    """An amount in 万元 with two decimals: ``1,261.22 万元``."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return f"{value:,.2f} 万元" if _is_zh() else f"{value:,.2f} (10k CNY)"


def _local(value):
    if isinstance(value, datetime):
        return value.astimezone(clock.CHINA)
    return value


def cn_date(value) -> str:
    """``2026年5月31日`` in Chinese, ``31 May 2026`` in English (China time)."""
    if value is None:
        return "—"
    value = _local(value)
    if not isinstance(value, date):
        return str(value)
    if _is_zh():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


def cn_datetime(value) -> str:
    if value is None:
        return "—"
    value = _local(value)
    return f"{cn_date(value)} {value:%H:%M}"


def role_name(role: str | None) -> str:
    return str(ROLE_NAMES.get(role or "", role or "—"))


def fund_name(fund: str | None) -> str:
    return str(FUND_TYPES.get(fund or "", fund or "—"))


def register(app: Flask) -> None:
    app.add_template_filter(wan)
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_datetime)
    app.add_template_filter(role_name)
    app.add_template_filter(fund_name)

    for name, function in labels.FILTERS.items():
        app.add_template_filter(function, name)
    app.add_template_global(labels.diagram_labels)
