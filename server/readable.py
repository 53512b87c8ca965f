"""Recorded data as a clerk reads it: form field titles in form order, tables with their
column titles, values in words, the return banner, element names (issue 10).

The names of things (stages, roles, people, processes) are in :mod:`server.labels`.
"""

from __future__ import annotations

import html
import json
import re
import threading
from datetime import date, datetime
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext
from sqlalchemy import select

from workflows.commands import start_data
from workflows.config import settings

from .formatting import cn_date, cn_datetime, percent, wan_figure
from .labels import (
    HIDDEN_FIELDS,
    ROLE_NAMES,
    START_FIELDS,
    _database,
    form_text,
    fund_name,
    is_zh,
    local_name,
    person_name,
    unit_code,
    unit_text,
)

_forms_lock = threading.Lock()
_forms: dict[str, dict] = {}  # source (file path or "deployment:<id>:<file>") -> schema
_element_names: dict[str, str] = {}  # BPMN element id -> its name, from every deployed bundle
_ELEMENT = re.compile(r'<(?:\w+:)?\w+\b[^>]*?\bid="([^"]+)"[^>]*?\bname="([^"]+)"')
_seen_deployments: set[str] = set()  # content hashes: ids repeat across databases
_files_loaded = False


def _is_form(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("properties"), dict)


def _load_form_files() -> None:
    global _files_loaded
    if _files_loaded:
        return
    forms_dir = settings().forms_dir
    if forms_dir.is_dir():
        for path in sorted(forms_dir.glob("*.json")):
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if _is_form(schema):
                _forms[str(path)] = schema
    _files_loaded = True


def _load_deployed_forms() -> None:
    """Forms of every deployment not read yet (deployments are immutable: read once)."""
    db = _database()
    if db is None or (has_app_context() and g.get("_deployments_checked")):
        return
    from workflows.store import Deployment

    with db.reading() as session:
        hashes = set(session.scalars(select(Deployment.content_hash))) - _seen_deployments
        new = session.scalars(select(Deployment).where(Deployment.content_hash.in_(hashes))) if hashes else ()
        for deployment in new:
            for name, text in (deployment.files or {}).items():
                if name.endswith(".bpmn"):
                    for element_id, element_name in _ELEMENT.findall(text):
                        _element_names.setdefault(element_id, html.unescape(element_name))
                if not name.endswith(".json"):
                    continue
                try:
                    schema = json.loads(text)
                except ValueError:
                    continue
                if _is_form(schema):
                    _forms[f"deployment:{deployment.content_hash}:{name}"] = schema
            _seen_deployments.add(deployment.content_hash)
    if has_app_context():
        g._deployments_checked = True


def known_forms() -> list[dict]:
    with _forms_lock:
        _load_form_files()
        _load_deployed_forms()
        return list(_forms.values())


def form_for(data: dict) -> dict | None:
    """The form whose fields best cover ``data``'s keys (ties: the one with fewer extra fields)."""
    keys = set(data)
    best, best_score = None, (0, 0)
    for schema in known_forms():
        props = set(schema["properties"])
        score = (len(keys & props), -len(props - keys))
        if score > best_score:
            best, best_score = schema, score
    return best


def field_title(key: str, schema: dict | None = None) -> str:
    """A field's title from ``schema``, else from any known form, else from the start-data names."""
    for form in ([schema] if schema else []) + known_forms():
        prop = (form.get("properties") or {}).get(key)
        if isinstance(prop, dict) and prop.get("title"):
            return form_text(str(prop["title"]))
    for form in known_forms():  # a column of a form's table (an indicator's 一级指标 …)
        for prop in (form.get("properties") or {}).values():
            column = (
                ((prop.get("items") or {}).get("properties") or {}).get(key)
                if isinstance(prop, dict)
                else None
            )
            if isinstance(column, dict) and column.get("title"):
                return form_text(str(column["title"]))
    if key in START_FIELDS:
        return str(START_FIELDS[key])
    return key


PEOPLE_FIELDS = {"experts", "assignee", "delegate", "delegator", "submitted_by"}


def _display_value(value: Any, prop: dict, key: str = "") -> Any:
    if isinstance(value, bool):
        return str(lazy_gettext("是")) if value else str(lazy_gettext("否"))
    if value is None or value == "":
        return "—"
    if "oneOf" in prop:
        for option in prop["oneOf"]:
            if isinstance(option, dict) and option.get("const") == value and option.get("title"):
                return form_text(option["title"])
    names = prop.get("x-enumNames") or prop.get("enumNames") or []
    if value in (prop.get("enum") or []):
        index = prop["enum"].index(value)
        return form_text(names[index] if index < len(names) else value)
    if "x-computed" in prop and isinstance(value, str):
        return form_text(value)  # a word the system gave (按得分评定等级 中): in the page's language
    if prop.get("format") == "date" and isinstance(value, str):
        return _date_text(value)  # 2026年12月1日, as every other date on the page reads
    if isinstance(value, int | float) and _in_wan(prop, key):
        return wan_figure(value)  # 申请金额（万元） 1,380.00
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "、".join(str(person_name(v) if key in PEOPLE_FIELDS else v) for v in value)
    if key in PEOPLE_FIELDS and isinstance(value, str):
        return person_name(value)
    if key == "fund_type" and isinstance(value, str):
        return fund_name(value)
    if key == "unit_id" and isinstance(value, int) and not isinstance(value, bool):
        return unit_code(value) or value  # the unit's code (360922-001), not its internal number
    return value


def _date_text(value: str) -> str:
    try:
        return cn_date(date.fromisoformat(value))
    except ValueError:
        return value  # not a date after all: as it was typed


def _in_wan(prop: dict, key: str) -> bool:
    """An amount in 万元: its title says so (a form's field or column, or the start data's 项目金额)."""
    start = start_data.FIELDS.get(key)
    return "万元" in str(prop.get("title") or (start.title if start else ""))


_choices_seen: tuple[int, dict[str, frozenset]] = (-1, {})


def _column_choices() -> dict[str, frozenset]:
    """``{column: values}`` a known form offers as a choice in a table's column (一级指标 产出指标 …),
    recomputed only when a form is added."""
    global _choices_seen
    forms = known_forms()
    if _choices_seen[0] != len(forms):
        found: dict[str, set] = {}
        for form in forms:
            for prop in form["properties"].values():
                columns = (
                    ((prop.get("items") or {}).get("properties") or {}) if isinstance(prop, dict) else {}
                )
                for name, column in columns.items():
                    if isinstance(column, dict) and isinstance(column.get("enum"), list):
                        found.setdefault(name, set()).update(v for v in column["enum"] if isinstance(v, str))
                # a score sheet's standard items (决策 / 项目立项 / 立项依据充分性 …), the form's own words
                prefill = prop.get("x-prefill") if isinstance(prop, dict) else None
                for row in (prefill.get("rows") or []) if isinstance(prefill, dict) else []:
                    for name, value in row.items() if isinstance(row, dict) else ():
                        if isinstance(value, str):
                            found.setdefault(name, set()).add(value)
        _choices_seen = (len(forms), {k: frozenset(v) for k, v in found.items()})
    return _choices_seen[1]


def category_text(value: Any, column: str = "") -> Any:
    """A table cell whose column another form offers as a choice (the 一级/二级指标 a self-evaluation
    or a monitoring report carries over as text from the approved targets) or lists as a standard
    item (a score sheet's 决策 / 项目立项 / 立项依据充分性), or a usual unit of measure: the stored
    Chinese value in the page's language. Anything else is shown as stored."""
    if column == "unit":
        return unit_text(value)
    if isinstance(value, str) and value in _column_choices().get(column, ()):
        return form_text(value)
    return value


def readable_fields(data: dict | None, schema: dict | None = None) -> list[dict]:
    """``{key: value}`` as a list of ``{label, value}`` or ``{label, columns, rows}`` in form order.

    ``schema`` when the caller knows the form; otherwise the best-matching known form. Keys no
    form declares come last under their start-data names.
    """
    if not data:
        return []
    schema = schema if _is_form(schema) else form_for(data)
    props = (schema or {}).get("properties") or {}
    ordered = [k for k in props if k in data] + sorted(
        k for k in data if k not in props and k not in HIDDEN_FIELDS
    )
    result = []
    for key in ordered:
        value = data[key]
        prop = props.get(key) or {}
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            item_props = ((prop.get("items") or {}).get("properties")) or {}
            # a column nobody filled in (no 偏差原因 where every target is met) is left out
            filled = {c for row in value for c, v in row.items() if v is not None and v != ""}
            seen = [c for c in item_props if c in filled]
            extra = sorted(filled - set(item_props))
            columns = [
                {"key": c, "label": form_text((item_props.get(c) or {}).get("title")) or field_title(c)}
                for c in seen + extra
            ]
            rows = [
                [
                    category_text(
                        _display_value(row.get(c["key"]), item_props.get(c["key"]) or {}, c["key"]), c["key"]
                    )
                    for c in columns
                ]
                for row in value
            ]
            result.append(
                {
                    "key": key,
                    "label": form_text(prop.get("title")) or field_title(key),
                    "columns": columns,
                    "rows": rows,
                }
            )
        else:
            result.append(
                {
                    "key": key,
                    "label": form_text(prop.get("title")) or field_title(key),
                    "value": _display_value(value, prop, key),
                    "file": prop.get("x-widget") == "file",  # the name of an uploaded file (评估报告附件)
                }
            )
    return result


def form_title(data: dict | None) -> str | None:
    schema = form_for(data or {})
    return local_name(schema.get("title")) if schema and schema.get("title") else None


def element_name(element_id: str | None) -> str:
    """A BPMN element's name (a timer, a step) by its id, in the page's language."""
    if not element_id:
        return "—"
    known_forms()  # loads the deployed bundles, names included
    name = _element_names.get(element_id)
    return local_name(name) if name else element_id


def choice_title(value: Any, key: str, schema: dict | None = None) -> Any:
    """A recorded choice (审核结论 退回调整) under its title in the form, in the page's language."""
    props = (schema if _is_form(schema) else form_for({key: value}) or {}).get("properties") or {}
    return _display_value(value, props.get(key) or {}, key)


def plain_value(value: Any, label: str = "") -> Any:
    """A value no form describes (a rule's input or output) in words: 是/否, —, 1 not 1.0; under a
    label naming 万元 (项目金额(万元)) an amount reads 1,380.00."""
    return _display_value(value, {"title": label} if label else {})


# expert_panel.dmn's aggregation methods (DOMAIN 3.1), as the rulings name them
PANEL_METHODS = {
    "mean": "平均分",
    "median": "中位数",
    "trimmed_mean": "去掉最高分和最低分后的平均分",
    "min": "最低分",
    "max": "最高分",
}


def ruling_value(value: Any, name: str = "") -> Any:
    """A rule's output: a ``*_ratio`` (调减比例 0.1) as a percentage (10%), a panel's scoring
    method in words, the rest as plain values."""
    if name.endswith("ratio") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return percent(value)
    if name.endswith("method") and value in PANEL_METHODS:
        return str(lazy_gettext(PANEL_METHODS[value]))
    if isinstance(value, str):
        return form_text(value)  # a table's own words (予以支持，进入预算安排; 中) in the page's language
    return plain_value(value)


FILTERS = {
    "ruling_value": ruling_value,
    "element_name": element_name,
    "readable_fields": readable_fields,
    "field_title": field_title,
    "plain_value": plain_value,
    "choice_title": choice_title,
    "category_text": category_text,
}


_NAME_ATTRIBUTE = re.compile(r'(\sname=")([^"]*)(")')
_CJK_TEXT = re.compile(r"[\u3400-\u9fff]")


def localized_bpmn(xml: str) -> str:
    """A deployed BPMN file as the page's language shows it: in en each element's Chinese name
    (a task, an event, a gateway, a flow) replaced by its English from the message catalogue, as
    task titles are (:func:`server.labels.local_name`); the stored file is not changed."""
    if is_zh() or not xml:
        return xml

    def english(match: re.Match) -> str:
        text = html.unescape(match.group(2))
        if not _CJK_TEXT.search(text):
            return match.group(0)
        return match.group(1) + html.escape(local_name(text), quote=True) + match.group(3)

    return _NAME_ATTRIBUTE.sub(english, xml)


def diagram_labels() -> dict:
    """What the diagram script needs to relabel a BPMN file: role names for lanes, the language."""
    return {"lang": "zh" if is_zh() else "en", "roles": {k: str(v) for k, v in ROLE_NAMES.items()}}


def iso_datetime(value) -> str:
    """An ISO timestamp kept as text in the audit log (``2026-05-31T18:00:00+08:00``), readable."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return cn_datetime(value)


FILTERS["iso_datetime"] = iso_datetime


def register(app) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
    app.add_template_global(diagram_labels)
