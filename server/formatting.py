"""How numbers and dates read on screen: 万元 with two decimals, 30%, 2026年5月31日."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import get_locale, gettext, lazy_gettext

from workflows import clock


def _is_zh() -> bool:
    return str(get_locale() or "zh_CN").startswith("zh")


def wan(amount) -> str:
    """An amount in 万元 with two decimals: ``1,261.22 万元``."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return f"{value:,.2f} 万元" if _is_zh() else f"{value:,.2f} (10k CNY)"


def wan_figure(amount) -> str:
    """An amount in 万元 under a title that names the unit (申请金额（万元）): ``1,380.00``."""
    if amount is None or amount == "" or isinstance(amount, bool):
        return "—"
    try:
        return f"{Decimal(str(amount)).quantize(Decimal('0.01')):,.2f}"
    except ArithmeticError:  # not a number (text a form let through): shown as written
        return str(amount)


def wan_format():
    """:func:`wan` with the language looked up once, for a page that shows hundreds of amounts."""
    unit = " 万元" if _is_zh() else " (10k CNY)"
    cent = Decimal("0.01")

    def shown(amount) -> str:
        if amount is None or amount == "":
            return "—"
        return f"{Decimal(str(amount)).quantize(cent):,.2f}{unit}"

    return shown


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


def year_month(year, month) -> str:
    """A month of a year: ``2026年6月`` in Chinese, ``June 2026`` in English."""
    if not year or not month:
        return "—"
    if _is_zh():
        return f"{year}年{int(month)}月"
    return f"{date(int(year), int(month), 1):%B} {year}"


def _month(text: str) -> str:
    year, _sep, month = text.partition("-")
    if _is_zh():
        return f"{year}年{int(month)}月" if month else f"{year}年"
    return f"{month}/{year}" if month else year


def project_period(project) -> str:
    """项目期: ``2026年``, or ``2026年3月—2027年12月``."""
    start, end = project.period_start, project.period_end
    if not start and not end:
        return "—"
    if start == end or not end:
        return _month(start)
    return f"{_month(start)}—{_month(end)}" if start else _month(end)


def as_of_node(node) -> str:
    """The day a monitoring node stands for (``"08-31"``, the project's ``execution_node``, R-MN-2):
    ``截至8月31日`` (``as of 31/8``). The project page and the dashboard's 序时进度 both say it so."""
    month, _dash, day = str(node or "").partition("-")
    if not (month.isdigit() and day[:2].isdigit()):
        return ""
    if not _is_zh():  # as of 31 Aug
        return gettext("截至%(m)s月%(d)s日", m=date(2000, int(month), 1).strftime("%b"), d=int(day[:2]))
    return gettext("截至%(m)s月%(d)s日", m=int(month), d=int(day[:2]))


def percent(ratio) -> str:
    """A ratio as a percentage: ``0.3000`` → ``30%``, ``0.125`` → ``12.5%``."""
    if ratio is None or ratio == "":
        return "—"
    value = (Decimal(str(ratio)) * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}%"


def file_size(size) -> str:
    """An attachment's size: ``50`` → ``50 B`` (not 0.0 KB), ``2048`` → ``2.0 KB``, then MB."""
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# the engine's fixed field messages (workflows/engine/forms.py writes them in Chinese): an English
# page shows them in English; a message with a figure in it stays as written
FIELD_MESSAGES = {
    "此项为必填项": lazy_gettext("此项为必填项"),
    "请从给定选项中选择": lazy_gettext("请从给定选项中选择"),
    "请勾选此项": lazy_gettext("请勾选此项"),
    "取值不正确": lazy_gettext("取值不正确"),
    "格式不正确": lazy_gettext("格式不正确"),
    "包含未定义的字段": lazy_gettext("包含未定义的字段"),
    "请选择已上传的附件": lazy_gettext("请选择已上传的附件"),  # workflows.commands.attachment_fields
}


def field_message(message) -> str:
    """A field's error in the page's language: the engine's fixed messages, and a form's own
    (its checks, a held field's refusal), which the engine hands over with their template and
    values (:class:`~workflows.engine.worded.Worded`): worded again from the catalogue, the
    numbers they quote kept. Any other message is shown as written."""
    if not isinstance(message, str) or _is_zh():
        return message
    if message in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[message])
    reworded = getattr(message, "reworded", None)
    return reworded(gettext) if reworded is not None else message


def register(app: Flask) -> None:
    app.add_template_filter(field_message)
    app.add_template_filter(percent)
    app.add_template_filter(file_size)
    app.add_template_filter(as_of_node)
    app.add_template_filter(wan)
    app.add_template_filter(wan_figure)
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_datetime)
    app.add_template_filter(project_period)
    app.add_template_filter(year_month)
