"""A message to a person, written in Chinese, that keeps how it was put together.

The engine refuses a form's data with messages built from a template and values: a form's own
check (``x-checks``: 申请金额不能超过项目金额 {ea_project_amount_wan:,.2f} 万元), a field held to
an earlier value (项目金额（万元）应与项目申报的内容一致，不能修改). A :class:`Worded` is that
message as a ``str`` (the Chinese, for everything that stores or sends it), holding its template
and values, so that a page in another language can word it again: the template and the values
that are words, each looked up in that language's catalogue, then the same placeholders filled
(:meth:`Worded.reworded`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# {name}, or {name:,.2f} (1,380.00), {name:.1%} or {name:,} (a number's format)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(,?\.\d[f%]|,))?\}")


def fill(template: str, values: dict) -> str:
    """``template`` with each ``{name}`` replaced by that value of ``values`` (20.0 reads 20);
    ``{name:,.2f}`` gives a number with thousands separators and two decimals (1,380.00 万元).
    A name without a value stays as written."""

    def value(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        found = values[name]
        if spec and isinstance(found, int | float) and not isinstance(found, bool):
            return format(found, spec)
        if isinstance(found, float) and found.is_integer():
            found = int(found)
        return "" if found is None else str(found)

    return PLACEHOLDER.sub(value, template)


class Worded(str):
    """The Chinese message, remembering its ``template`` and the ``values`` it quotes."""

    template: str
    values: dict

    def __new__(cls, template: str, values: dict | None = None) -> Worded:
        values = dict(values or {})
        shown = super().__new__(cls, fill(template, values))
        shown.template, shown.values = template, values
        return shown

    def reworded(self, translate: Callable[[str], str]) -> str:
        """The message in another language: ``translate`` gives a Chinese text's words there (or
        the text itself where it has none, as gettext does); numbers keep their format."""

        def word(value):
            if isinstance(value, Worded):
                return value.reworded(translate)
            if isinstance(value, str) and value:
                return translate(value)
            return value

        return fill(translate(self.template), {name: word(v) for name, v in self.values.items()})
