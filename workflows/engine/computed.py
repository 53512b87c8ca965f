"""Fields a form computes from the others (``x-computed``), never typed (issue 10, item 4).

A plain field may declare an expression, as data a designer edits, evaluated in the BPMN
sandbox over the form's other fields::

    "ea_finance_score": {"type": "number", "title": "审核得分（合计）",
                         "x-computed": "ea_score_necessity + ea_score_economy + ..."}

The engine sets the value on every submission and draft, whatever was posted for it (a typed
``ea_finance_score`` is overwritten by the sum of the aspect scores), and the page shows it as
text, not an input. Fields are computed in the form's order, so a later one may read an
earlier one (全年执行数 → 执行率 → 预算执行得分). A field whose inputs are missing or not numbers
computes to nothing (``None``): the inputs carry their own errors. An expression that does not
compile or names something the form does not declare is the designer's mistake, reported by
:func:`problems` (lint and deploy).
"""

from __future__ import annotations

import ast
from typing import Any

from . import sandbox

KEY = "x-computed"
_ENVIRONMENT = sandbox.SandboxedEnvironment()


def fields(schema: dict | None) -> dict[str, str]:
    """``{field: expression}`` in the form's order."""
    out = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and isinstance(prop.get(KEY), str):
            out[name] = prop[KEY]
    return out


def _free_names(rule: str) -> set[str]:
    tree = ast.parse(rule.strip(), mode="eval")
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return loaded - bound - set(sandbox.BASE_GLOBALS) - set(sandbox.BUILTINS)


def reads(expression: str) -> set[str]:
    """The names a computed field's expression reads (empty when it does not compile)."""
    try:
        return _free_names(expression)
    except SyntaxError:
        return set()


def columns(expression: str) -> set[str]:
    """The row keys an expression reads from a table (``row['weight']``, ``row.get('score')``):
    a cell in another column cannot make the total wrong. Empty when it names none (or does not
    compile): then any cell of a table it reads may."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            key = node.args[0].value
        else:
            continue
        if isinstance(key, str):
            found.add(key)
    return found


def problems(schema: dict, title: str) -> list[str]:
    """Every problem with the form's computed fields, as text (empty when they are sound)."""
    found = []
    declared = set(schema.get("properties") or {})
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or KEY not in prop:
            continue
        where = f"form {title!r}, field {name!r}: x-computed"
        expression = prop[KEY]
        if not isinstance(expression, str) or not expression.strip():
            found.append(f"{where} must be an expression (text)")
            continue
        if prop.get("type") not in ("number", "integer", "string"):
            found.append(f"{where} is only for a number or text field")
        refused = sandbox.check(expression)
        if refused is not None:
            found.append(f"{where}: the sandbox refuses the expression: {refused}")
            continue
        missing = _free_names(expression) - declared
        if missing:
            found.append(f"{where} names {sorted(missing)}, not fields of the form")
    return found


def _number(value: Any) -> Any:
    if isinstance(value, float):
        value = round(value, 4)
        return int(value) if value.is_integer() else value
    return value


def values(schema: dict | None, data: dict) -> dict:
    """``{field: value}`` for every computed field of the form, from ``data`` (None when an
    input is missing or not a number)."""
    expressions = fields(schema)
    if not expressions:
        return {}
    declared = (schema or {}).get("properties") or {}
    scope = {name: data.get(name) for name in declared}
    out: dict = {}
    for name, expression in expressions.items():
        try:
            result = _ENVIRONMENT.evaluate(expression, scope)
        except Exception:  # noqa: BLE001 - a missing or malformed input: that field's error, not this one
            result = None
        if isinstance(result, bool) or not isinstance(result, int | float | str | type(None)):
            result = None
        out[name] = scope[name] = _number(result)
    return out


def _typed(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(row, dict) and any(_typed(v) for v in row.values()) for row in value)
    return value not in (None, "")


def untyped(schema: dict | None, data: dict) -> set[str]:
    """The computed fields none of whose inputs has been typed yet (directly or through another
    total): "not yet", so the page shows "—" and flags nothing (a blank 全年预算数合计 is not 0)."""
    props = (schema or {}).get("properties") or {}
    totals = fields(schema)
    found: set[str] = set()
    for name, expression in totals.items():
        inputs = reads(expression)
        if any(n in totals and n not in found for n in inputs):
            continue  # it reads a total something was typed into (执行数合计 → 执行率)
        typed = [n for n in inputs - totals.keys() if _typed(data.get(n))]
        # a value still at the form's default (上年结转 0) is not typed either
        if all(data.get(n) == (props.get(n) or {}).get("default") for n in typed):
            found.add(name)
    return found


def apply(schema: dict | None, data: dict) -> dict:
    """``data`` with the computed fields set from the others (a posted value for one is ignored)."""
    computed = values(schema, data)
    if not computed:
        return data
    kept = {k: v for k, v in data.items() if k not in computed}
    return {**kept, **{k: v for k, v in computed.items() if v is not None}}
