"""Values that may enter task data at all, whatever the form says (issue 9: bad input).

Form data, drafts and start data become JSON in the database and the audit log and land in
the namespace BPMN code reads, so before any schema is consulted every value must be one a
JSON column stores and reads back unchanged:

- text without NUL (PostgreSQL refuses it, SQLite keeps it and cuts it elsewhere) and without
  lone UTF-16 surrogates (``"\\ud800"`` parses in JSON but cannot be encoded as UTF-8);
- finite numbers (``NaN``/``Infinity`` make the stored JSON invalid) within 64 bits;
- at most :data:`MAX_DEPTH` levels of nesting and :data:`MAX_SIZE` chars and items per save.

:func:`problems` answers ``{field path: [messages]}`` in Chinese, as form errors do.
"""

from __future__ import annotations

import math
import re

from .sandbox import MAX_TASK_DATA

MAX_DEPTH = 10  # a form's data: fields → table → row → cell, with room to spare
# Half of what one script may leave behind, so BPMN code can still add to what a user saved.
MAX_SIZE = MAX_TASK_DATA // 2
MAX_INTEGER = 2**63 - 1

NUL = "不能包含空字符（\\0）"
SURROGATE = "包含无效的字符（不成对的 UTF-16 代理项）"
NOT_FINITE = "不是有效的数字"
TOO_BIG_NUMBER = "数值超出范围"
TOO_DEEP = f"嵌套层级过深（最多 {MAX_DEPTH} 层）"
TOO_LARGE = f"提交的数据过大（最多 {MAX_SIZE} 个字符和项）"

_SURROGATES = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored, or None."""
    if "\x00" in text:
        return NUL
    if _SURROGATES.search(text):
        return SURROGATE
    return None


def number_problem(number) -> str | None:
    if isinstance(number, float) and not math.isfinite(number):
        return NOT_FINITE
    if isinstance(number, int) and not isinstance(number, bool) and abs(number) > MAX_INTEGER:
        return TOO_BIG_NUMBER
    return None


def problems(data, *, root: str = "_form") -> dict[str, list[str]]:
    """Every value in ``data`` that may not enter task data, by field path (iterative: a
    hostile depth never reaches Python's recursion limit)."""
    errors: dict[str, list[str]] = {}
    size = 0
    stack: list[tuple[object, tuple[str, ...], int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        where = "/".join(path) or root
        size += 1 + (len(value) if isinstance(value, str) else 0)
        if size > MAX_SIZE:
            return {where: [TOO_LARGE]}  # where the limit was crossed: a huge text names its field
        if isinstance(value, str):
            problem = text_problem(value)
        elif value is None or isinstance(value, bool):
            problem = None
        elif isinstance(value, int | float):
            problem = number_problem(value)
        elif isinstance(value, dict | list | tuple):
            if depth >= MAX_DEPTH:
                problem = TOO_DEEP
            else:
                problem = None
                items = value.items() if isinstance(value, dict) else enumerate(value)
                for key, item in items:
                    key_text = str(key)
                    size += len(key_text)
                    if isinstance(key, str) and text_problem(key):
                        errors.setdefault("/".join(path) or root, []).append(text_problem(key))
                        continue
                    stack.append((item, (*path, key_text), depth + 1))
        else:
            problem = None  # a date or Decimal a command passes: not from a request, sized as 1
        if problem is not None:
            errors.setdefault(where, []).append(problem)
    return errors
