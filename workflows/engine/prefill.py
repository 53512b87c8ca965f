"""Tables a form fills from earlier data (``x-prefill``), and rows bound to it (issue 10, item 4).

A table of rows may declare where its rows come from, as data a designer edits::

    "x-prefill": {
      "from": "indicators",                       # the data key of the rows to copy
      "when": {"level1": "产出指标"},               # only the rows with these values
      "copy": {"name": "name", "weight": "weight"},  # table column <- key of the copied row
      "scale_to": {"weight": 50},                 # copied numbers rescaled to this total
      "bound": ["name", "target_value"]           # the rows ARE the copied rows (optional)
    }

The monitoring and self-evaluation tables copy the approved 绩效指标 (R-TG-5) this way. With
``bound`` the table is held to its source: a submission that adds a row the source does not
have, drops one it has, or changes a bound column of a row is refused, each with a field error
naming the row (``<table>/<row>/<column>``, or ``<table>`` for a dropped row). A table is bound
only where its source is known (``from`` is in the earlier data): a form used outside the path
that approves the rows stays free. Rows may come in any order; the other columns are the
person's to fill.

A score sheet's standard items are written into the form itself (``"rows": [...]`` instead of
``from``/``copy``): the 决策/过程/产出/效益 indicator system of a finance or third-party score
sheet, each row its 一级/二级/三级 indicator and 分值. Such a table is always bound: the
reviewer scores the items, never adds, drops or rewrites one.
"""

from __future__ import annotations

from decimal import Decimal

from .worded import Worded

_SPEC_KEYS = {"from", "when", "copy", "scale_to", "bound", "description", "rows"}


def _row_props(schema: dict, table: str) -> dict:
    prop = (schema.get("properties") or {}).get(table) or {}
    return ((prop.get("items") or {}).get("properties")) or {}


def _specs(schema: dict | None) -> dict[str, dict]:
    """``{table: x-prefill}`` for every table of the form that declares one."""
    out = {}
    for table, prop in ((schema or {}).get("properties") or {}).items():
        spec = prop.get("x-prefill") if isinstance(prop, dict) else None
        if isinstance(spec, dict):
            out[table] = spec
    return out


def problems(schema: dict, title: str) -> list[str]:
    """Every problem with the form's ``x-prefill`` declarations (for lint and deploy)."""
    found = []
    for table, prop in (schema.get("properties") or {}).items():
        spec = prop.get("x-prefill") if isinstance(prop, dict) else None
        if spec is None:
            continue
        columns = _row_props(schema, table)
        where = f"form {title!r}, table {table!r}: x-prefill"
        if not columns:
            found.extend(_scalar_problems(spec, where))
            continue
        if isinstance(spec, dict) and "rows" in spec:
            found.extend(_rows_problems(spec, columns, where))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("from"), str):
            found.append(f"{where} needs 'from' (the data key of the rows to copy)")
            continue
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            found.append(f"{where}: unknown keys {sorted(unknown)}")
        copy = spec.get("copy")
        if not isinstance(copy, dict) or not copy or not set(copy) <= set(columns):
            found.append(f"{where}: 'copy' maps columns of the table to keys of the copied rows")
            copy = {}
        scale = spec.get("scale_to") or {}
        if not isinstance(scale, dict) or not set(scale) <= set(copy):
            found.append(f"{where}: 'scale_to' names copied number columns and their total")
        if not isinstance(spec.get("when", {}), dict):
            found.append(f"{where}: 'when' is a mapping of column values the copied rows must have")
        bound = spec.get("bound", [])
        if "bound" in spec and not (
            isinstance(bound, list) and bound and all(isinstance(c, str) and c in copy for c in bound)
        ):
            found.append(f"{where}: 'bound' lists copied columns the rows are held to")
    return found


def _rows_problems(spec: dict, columns: dict, where: str) -> list[str]:
    """A table's own standard rows (``rows``): a list of rows of the table's columns, and the
    columns they are held to (``bound``, each given in every row)."""
    found = []
    rows, bound = spec.get("rows"), spec.get("bound")
    if set(spec) - {"rows", "bound", "description"}:
        found.append(f"{where}: with 'rows' only 'bound' and 'description' may be given")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return [*found, f"{where}: 'rows' is a list of the table's rows"]
    if not all(set(r) <= set(columns) for r in rows):
        found.append(f"{where}: 'rows' may only give columns of the table")
    if not (isinstance(bound, list) and bound and all(isinstance(c, str) for c in bound)):
        return [*found, f"{where}: 'bound' lists the columns the standard rows are held to"]
    if not all(c in r for r in rows for c in bound):
        found.append(f"{where}: every row of 'rows' gives every 'bound' column")
    return found


_SCALAR_KEYS = {"project", "from", "bound", "held_as", "description"}


def _scalar_problems(spec, where: str) -> list[str]:
    """A plain field's ``x-prefill``: ``{"project": "<申报表 header label>"}`` (a project fact) or
    ``{"from": "<data key>"}`` (a value recorded earlier, e.g. the approved 年度目标). A held one
    (``"bound": true``) says in ``held_as`` what a changed value is refused with, after the
    field's title: 「应为批复的内容」 for the approved 年度总体目标, 「应与项目申报的内容一致」
    for the project's amount; only the form knows where its value comes from."""
    if not isinstance(spec, dict) or set(spec) - _SCALAR_KEYS:
        return [f"{where} of a plain field takes 'project' or 'from' (and 'bound', 'held_as', 'description')"]
    given = [k for k in ("project", "from") if k in spec]
    if len(given) != 1 or not isinstance(spec[given[0]], str) or not spec[given[0]].strip():
        return [f"{where} of a plain field names one 'project' fact or one 'from' data key"]
    if "bound" in spec and not (spec["bound"] is True and "from" in spec):
        return [f"{where}: 'bound' is true, for a value copied 'from' earlier data"]
    held_as = spec.get("held_as")
    if spec.get("bound") is True and not (isinstance(held_as, str) and held_as.strip()):
        return [f"{where}: a held field says in 'held_as' what a changed value should be (应为批复的内容 …)"]
    if "held_as" in spec and spec.get("bound") is not True:
        return [f"{where}: 'held_as' words the refusal of a held field ('bound': true)"]
    return []


def _bound_scalars(schema: dict | None) -> dict[str, str]:
    """``{field: data key}`` of the plain fields held to an earlier value (``"bound": true``)."""
    return {
        name: spec["from"]
        for name, spec in _specs(schema).items()
        if spec.get("bound") is True and isinstance(spec.get("from"), str) and not _row_props(schema, name)
    }


def held_values(schema: dict | None, data: dict, values: dict | None) -> dict:
    """The bound plain fields ``data`` leaves empty, set to their earlier value in ``values``: a
    submission need not repeat the approved 年度总体目标, only never change it."""
    held = _bound_scalars(schema)
    return {
        name: (values or {})[held[name]]
        for name in bound_fields(schema, values)
        if data.get(name) in (None, "")
    }


def bound_fields(schema: dict | None, values: dict | None) -> list[str]:
    """The plain fields held to an earlier value present in ``values`` (shown, not typed: the
    approved 年度总体目标 on the self-evaluation)."""
    values = values or {}
    return [name for name, key in _bound_scalars(schema).items() if values.get(key) not in (None, "")]


def scalars(schema: dict | None, values: dict, sources: dict | None, facts: dict | None) -> dict:
    """Plain fields a form declares ``x-prefill`` for, filled when empty: from the project's facts
    (``{"project": "项目负责人"}``, ``facts`` keyed by the 申报表 header's labels) or from the
    earlier data (``{"from": "tg_overall_goal"}``). Returns only the fields filled; the person may
    change them."""
    out: dict = {}
    sources, facts = sources or {}, facts or {}
    held = _bound_scalars(schema)
    for name, spec in _specs(schema).items():
        if _row_props(schema, name) or (values.get(name) not in (None, "") and name not in held):
            continue
        value = facts.get(spec.get("project")) if "project" in spec else sources.get(spec.get("from"))
        if value is not None and value != "" and not isinstance(value, list | dict):
            out[name] = value
    return out


def _source_rows(spec: dict, values: dict) -> list[dict] | None:
    """The rows ``spec`` copies from ``values`` (None when the source is not there at all); a
    table's own standard rows (``rows``) are always there."""
    if "rows" in spec:
        return [dict(r) for r in spec["rows"] if isinstance(r, dict)]
    source = values.get(spec.get("from"))
    if not isinstance(source, list):
        return None
    when = spec.get("when") or {}
    picked = [r for r in source if isinstance(r, dict) and all(r.get(k) == v for k, v in when.items())]
    rows = [
        {col: r[key] for col, key in (spec.get("copy") or {}).items() if r.get(key) is not None}
        for r in picked
    ]
    for column, total in (spec.get("scale_to") or {}).items():
        _rescale(rows, column, Decimal(str(total)))
    return rows


def _rescale(rows: list[dict], column: str, total: Decimal) -> None:
    """Weights in proportion, to two decimals, the last row taking the rounding so they sum to ``total``."""
    weights = [Decimal(str(r.get(column) or 0)) for r in rows]
    whole = sum(weights)
    if not rows or whole <= 0:
        return
    given = Decimal(0)
    for i, row in enumerate(rows):
        share = (
            total - given if i == len(rows) - 1 else (weights[i] * total / whole).quantize(Decimal("0.01"))
        )
        given += share
        row[column] = int(share) if share == share.to_integral_value() else float(share)


def bound_tables(schema: dict | None, values: dict) -> dict[str, list[str]]:
    """``{table: bound columns}`` for the tables held to a source present in ``values``."""
    return {
        table: list(spec["bound"])
        for table, spec in _specs(schema).items()
        if spec.get("bound") and _source_rows(spec, values) is not None
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key_column(bound: list[str]) -> str:
    return "name" if "name" in bound else bound[0]


def _same(row: dict, source: dict, bound: list[str]) -> bool:
    return all(_text(row.get(c)) == _text(source.get(c)) for c in bound)


def _pairs(rows: list, sources: list[dict], bound: list[str], *, by_place: bool = True):
    """Match submitted rows to source rows: equal on every bound column first (any order), then a
    row to the unmatched source row of the same key (its name), then the one at the same place.
    Returns (row index -> source index for equal rows, for changed rows, unmatched source rows)."""
    key = _key_column(bound)
    free = list(range(len(sources)))
    equal: dict[int, int] = {}
    for i, row in enumerate(rows):
        options = ([i] if i in free else []) + free
        hit = next((s for s in options if _same(row, sources[s], bound)), None)
        if hit is not None:
            equal[i] = hit
            free.remove(hit)
    changed: dict[int, int] = {}
    for how in ("key", "place") if by_place else ("key",):
        for i, row in enumerate(rows):
            if i in equal or i in changed:
                continue
            if how == "key":
                hit = next((s for s in free if _text(row.get(key)) == _text(sources[s].get(key))), None)
            else:
                hit = i if i in free else None
            if hit is not None:
                changed[i] = hit
                free.remove(hit)
    return equal, changed, free


def _titles(schema: dict, table: str) -> dict[str, str]:
    return {c: str(p.get("title") or c) for c, p in _row_props(schema, table).items()}


def bound_errors(schema: dict, data: dict, values: dict | None) -> dict[str, list[str]]:
    """``{field path: [messages]}`` for bound tables of ``data`` that are not their source rows
    in ``values`` (the earlier data the form's prefill reads); empty when ``values`` is None."""
    errors: dict[str, list[str]] = {}
    specs = _specs(schema)
    for name in bound_fields(schema, values):
        expected = _text((values or {}).get(_bound_scalars(schema)[name]))
        if _text(data.get(name)) != expected:
            prop = (schema.get("properties") or {}).get(name) or {}
            title = str(prop.get("title") or name)
            # the form says where the value comes from (lint asks for it, no guess made here)
            held_as = str(prop["x-prefill"].get("held_as") or "应为系统带出的内容").strip()
            errors.setdefault(name, []).append(
                Worded("{title}{held_as}，不能修改", {"title": title, "held_as": held_as})
            )
    for table, bound in bound_tables(schema, values or {}).items():
        if values is None and "rows" not in specs[table]:
            continue  # held to earlier data only where that data is known
        sources = _source_rows(specs[table], values or {}) or []
        standard = "rows" in specs[table]
        errors.update(_table_errors(schema, table, bound, data.get(table) or [], sources, standard))
    return errors


def _table_errors(
    schema: dict, table: str, bound: list[str], given: list, sources: list[dict], standard: bool = False
) -> dict:
    errors: dict[str, list[str]] = {}
    rows = [r if isinstance(r, dict) else {} for r in given]
    titles, key = _titles(schema, table), _key_column(bound)
    equal, changed, missing = _pairs(rows, sources, bound)
    for i, row in enumerate(rows):
        if i in equal:
            continue
        name = _text(row.get(key)) or _text((sources[changed[i]] if i in changed else {}).get(key))
        if i not in changed:
            kind = "评价指标体系中的指标" if standard else "批复的绩效指标"
            message = Worded(
                "第{row}行「{name}」不是{kind}，不能新增", {"row": i + 1, "name": name, "kind": kind}
            )
            errors.setdefault(f"{table}/{i}/{key}", []).append(message)
            continue
        source = sources[changed[i]]
        for column in bound:
            expected = _text(source.get(column))
            if _text(row.get(column)) == expected:
                continue
            basis = "评价指标体系" if standard else "批复"
            told = Worded(
                f"应为{basis}的「{{expected}}」" if expected else f"{basis}时为空", {"expected": expected}
            )
            quoted = {"row": i + 1, "name": name, "column": titles.get(column, column), "told": told}
            message = Worded("第{row}行「{name}」的{column}{told}，不能修改", quoted)
            errors.setdefault(f"{table}/{i}/{column}", []).append(message)
    for s in missing:
        kind = "评价指标体系中的指标" if standard else "批复的绩效指标"
        message = Worded("缺少{kind}「{name}」，不能删除", {"kind": kind, "name": _text(sources[s].get(key))})
        errors.setdefault(table, []).append(message)
    return errors


def _carried(old: list, fresh: list[dict], spec: dict, bound: list[str]) -> list[dict]:
    """``fresh`` source rows, each with the person's own columns from its matching ``old`` row."""
    copied = set(spec.get("copy") or {})
    rows = [r for r in old if isinstance(r, dict)]
    equal, changed, _missing = _pairs(rows, fresh, bound, by_place=False)
    by_source = {s: rows[i] for i, s in {**changed, **equal}.items()}
    return [
        {**{c: v for c, v in by_source.get(s, {}).items() if c not in copied}, **row}
        for s, row in enumerate(fresh)
    ]


def prefilled(schema: dict | None, values: dict, sources: dict | None = None) -> dict:
    """Tables a form declares ``x-prefill`` for, filled from earlier data when they are empty.

    ``values`` holds the tables as they are (a draft, or what the instance recorded), ``sources``
    the earlier data copied from (default: ``values``). ``{"from": "indicators", "when":
    {"level1": "产出指标"}, "copy": {"name": "name"}, "scale_to": {"weight": 50}}`` copies the
    approved 绩效指标 of that kind into a monitoring or self-evaluation table, column by column,
    and rescales the copied weights to the table's share (the self-evaluation's 产出 50 / 效益 30
    / 满意度 10). A bound table that no longer matches its source (the targets changed since, a
    draft from elsewhere) is filled again, keeping what was typed in the rows that remain.
    Returns only the tables filled.
    """
    sources = values if sources is None else sources
    out: dict = {}
    for table, spec in _specs(schema).items():
        fresh = _source_rows(spec, sources)
        if fresh is None:
            continue
        have = values.get(table)
        if not have:
            if fresh:
                out[table] = fresh
        elif spec.get("bound") and _table_errors(schema, table, spec["bound"], have, fresh):
            out[table] = _carried(have, fresh, spec, spec["bound"])
    return out
