"""JSON Schema forms to HTML fields and back (DESIGN 6): no JavaScript needed.

Widgets: text, number/integer, date (``format: date``), select (``enum``/``oneOf``), radio
(``x-widget: radio``), textarea (``x-widget: textarea`` or long strings), checkbox
(boolean), a table of rows (array of objects: indicator lists, score sheets) and file
attachment (``x-widget: file``; the value is the name of a file uploaded to the instance) and the expert pool
(``x-widget: expert-pool``: a multi-select of the pool experts a panel may include, R-EX-1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from workflows.config import settings
from workflows.engine import computed, forms

from .formatting import field_message
from .labels import form_text

MAX_ROWS = 50

# "（DOMAIN R-EA-3、R-EX-1）": the rule a form text rests on, for whoever maintains the form;
# the page shows the text without it (no rule numbers or English in a clerk's form).
_RULE_REFERENCE = re.compile(r"\s*[（(]\s*DOMAIN\b[^）)]*[）)]")


def help_text(description: str | None) -> str | None:
    """A field's description as the page shows it: without the DOMAIN rule references."""
    if not description:
        return None
    return _RULE_REFERENCE.sub("", description).strip() or None


@dataclass
class Field:
    name: str
    label: str
    widget: str
    required: bool
    value: Any = None
    options: list[tuple[Any, str]] = field(default_factory=list)
    description: str | None = None
    columns: list[Field] = field(default_factory=list)  # for tables
    rows: list[dict] = field(default_factory=list)
    step: str | None = None
    max_length: int | None = None  # the browser's maxlength: the form's own, else the default
    bound: list[str] = field(default_factory=list)  # a table's columns held to the approved targets
    standard: bool = False  # a score sheet's own standard items (x-prefill "rows"), not approved targets
    # a column's options that follow another column of its row (x-options-by: 二级 by 一级)
    options_by: tuple[str, dict] | None = None
    max_rows: int = MAX_ROWS
    invalid: bool = False  # a computed total one of whose inputs is in error (a score over its points)
    money: bool = False  # an amount in 万元 (its title says so): shown as text reads 1,380.00

    @property
    def fixed_rows(self) -> bool:
        """A bound table: its rows are the approved ones, none added or removed on the page."""
        return bool(self.bound)


def _max_length(prop: dict, widget: str) -> int | None:
    if widget not in ("text", "textarea"):
        return None
    if "maxLength" in prop:
        return prop["maxLength"]
    config = settings()  # the defaults the engine validates with (issue 9)
    return config.max_textarea_length if prop.get("x-widget") == "textarea" else config.max_text_length


def _options_by(prop: dict) -> tuple[str, dict] | None:
    """``x-options-by: {"level1": {"产出指标": ["数量指标", ...], ...}}``: the options the page offers
    for each value of another column of the row (the server's check holds the same pairing)."""
    spec = prop.get("x-options-by")
    if isinstance(spec, dict) and len(spec) == 1:
        (column, mapping), *_ = spec.items()
        if isinstance(mapping, dict):
            return column, mapping
    return None


def _options(prop: dict) -> list[tuple[Any, str]]:
    return [(value, form_text(label)) for value, label in forms.options(prop)]


def _widget(prop: dict) -> str:
    if computed.KEY in prop:
        return "computed"  # x-computed: shown, never typed
    explicit = prop.get("x-widget")
    if explicit in ("radio", "textarea", "file", "select", "date", "expert-pool"):
        return explicit
    kind = prop.get("type")
    if kind == "array" and (prop.get("items") or {}).get("type") == "object":
        return "table"
    if _options(prop):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return "number"
    if prop.get("format") == "date":
        return "date"
    if kind == "string" and (prop.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def fields_of(
    schema: dict,
    values: dict | None = None,
    choices: dict | None = None,
    bound: dict | None = None,
    fixed: list[str] | None = None,
) -> list[Field]:
    """The form's fields; ``choices`` gives a data-driven widget its options (``{"expert-pool": [...]}``),
    ``bound`` the tables held to the approved targets (``{table: columns}``: shown, not typed),
    ``fixed`` the plain fields held to an approved value (shown as text, posted back unchanged)."""
    values = values or {}
    totals = computed.values(schema, values)  # totals as the engine will compute them
    totals.update(dict.fromkeys(computed.untyped(schema, values)))  # "—" until an input is typed
    values = {**values, **totals}
    choices = choices or {}
    bound = bound or {}
    required = set(schema.get("required", []))
    result = []
    for name, prop in (schema.get("properties") or {}).items():
        widget = "fixed" if name in (fixed or ()) else _widget(prop)
        value = values.get(name, prop.get("default"))
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 362.0 from JSON reads as 362
        item = Field(
            name=name,
            label=form_text(prop.get("title")) or name,
            widget=widget,
            # a tick is required only where it must be ticked (承诺: ``const: true``); otherwise
            # a checkbox always answers yes or no
            required=name in required and (widget != "checkbox" or prop.get("const") is True),
            value=value,
            options=choices.get(widget) or _options(prop),
            description=form_text(help_text(prop.get("description"))),
            step="1" if prop.get("type") == "integer" else "any",
            max_length=_max_length(prop, widget),
            options_by=_options_by(prop),
            money=prop.get("type") == "number" and "万元" in str(prop.get("title") or ""),
        )
        if widget == "table":
            item.columns = fields_of(prop["items"], {})
            rows = item.value if isinstance(item.value, list) else []
            item.bound = list(bound.get(name) or [])
            item.standard = "rows" in (prop.get("x-prefill") or {})
            item.rows = rows if rows or item.bound else [{}]
        result.append(item)
    return result


def file_choices(attachments, instance_id: int) -> list[tuple[str, str]]:
    """A file field's options: the names of the files uploaded to the instance, each once."""
    names = dict.fromkeys(a.filename for a in attachments if a.instance_id == instance_id)
    return [(name, name) for name in names]


def _coerce(prop: dict, raw: str | None) -> Any:
    """Turn a posted string into the schema's type; leave it a string when it does not parse,
    so jsonschema reports the field in Chinese instead of us guessing."""
    if raw is None:
        return None
    raw = raw.strip()
    kind = prop.get("type")
    if raw == "":
        return None
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "number":
        try:
            number = float(raw)
            if not math.isfinite(number):
                return raw  # "NaN", "inf": not a number a form may hold
            return int(number) if number.is_integer() and "." not in raw else number
        except ValueError:
            return raw
    if kind == "boolean":
        return raw.lower() in ("1", "true", "on", "yes")
    options = _options(prop)
    if options and not isinstance(options[0][0], str):
        for value, _label in options:
            if str(value) == raw:
                return value
    return raw


def parse_form(schema: dict, form) -> dict:
    """Read posted fields (``name`` or ``name-<row>-<col>`` for tables) into typed data."""
    data: dict = {}
    for name, prop in (schema.get("properties") or {}).items():
        widget = _widget(prop)
        if widget == "computed":
            continue  # the engine computes it from the others
        if widget == "expert-pool":
            picked = [v.strip() for v in form.getlist(name) if v.strip()]
            if picked:
                data[name] = picked
            continue
        if widget == "checkbox":
            data[name] = name in form and form.get(name) not in ("", "0", "false")
            continue
        if widget == "table":
            columns = (prop["items"] or {}).get("properties") or {}
            rows = []
            for index in range(MAX_ROWS):
                row = {}
                for col, col_prop in columns.items():
                    key = f"{name}-{index}-{col}"
                    if key in form:
                        value = _coerce(col_prop, form.get(key))
                        if value is not None:
                            row[col] = value
                if row:
                    rows.append(row)
            data[name] = rows
            continue
        value = _coerce(prop, form.get(name))
        if value is not None:
            data[name] = value
    return data


def invalid_totals(schema: dict, errors: dict) -> set[str]:
    """The computed fields that read a field in error, directly or through another total: a sum
    with a score over its item's points is not a total (issue 10: never silently added). A cell
    in error counts only for a total reading its column: a missing 指标值 leaves 权重合计 standing."""
    paths = [str(path).split("/") for path in errors or {}]
    found: set[str] = set()
    for name, expression in computed.fields(schema).items():
        reads, keys = computed.reads(expression), computed.columns(expression)
        if reads & found or any(
            parts[0] in reads and not (len(parts) >= 3 and keys and parts[-1] not in keys) for parts in paths
        ):
            found.add(name)
    return found


def mark_invalid(fields: list[Field], schema: dict, errors: dict) -> list[Field]:
    invalid = invalid_totals(schema, errors)
    for item in fields:
        item.invalid = item.name in invalid
    return fields


def computed_values(schema: dict, form) -> dict:
    """What the page shows while a form is typed: ``values`` of its computed fields ("—" when an
    input is missing), the ``errors`` it can already tell (a score over its item's points, on its
    cell) and the totals those make ``invalid``."""
    data = parse_form(schema, form)
    values = computed.values(schema, data)
    values.update(dict.fromkeys(computed.untyped(schema, data)))  # nothing typed yet: "—", no error
    errors = forms.live_errors(schema, {**data, **{k: v for k, v in values.items() if v is not None}})
    return {
        # a computed word (等级 中) and a refusal in the page's language, as the page shows them
        "values": {name: "—" if value is None else form_text(value) for name, value in values.items()},
        "errors": {path: [field_message(m) for m in messages] for path, messages in errors.items()},
        "invalid": sorted(invalid_totals(schema, errors)),
    }
