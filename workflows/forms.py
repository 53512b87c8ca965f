"""Form data entering a workflow: only declared keys, always validated (DESIGN 6).

ENGINE-NOTES 4: form data lands in the namespace gateway conditions read, so a
submitted ``finance_approved=True`` could switch a gateway. Only the keys the form's
JSON Schema declares get through; the rest are dropped (and reported in the audit).
Validation errors come back per field, in Chinese, with the English text beside.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .errors import FormInvalid


def declared_keys(schema: dict) -> set[str]:
    return set((schema or {}).get("properties", {}))


def filter_declared(schema: dict, data: dict) -> tuple[dict, list[str]]:
    """Split ``data`` into what the form declares and the names of the keys dropped."""
    allowed = declared_keys(schema)
    kept = {k: v for k, v in data.items() if k in allowed}
    dropped = sorted(k for k in data if k not in allowed)
    return kept, dropped


@lru_cache(maxsize=512)
def _validator(schema_text: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text), format_checker=FormatChecker())


def validator_for(schema: dict) -> Draft202012Validator:
    return _validator(json.dumps(schema, sort_keys=True, ensure_ascii=False))


_MESSAGES_ZH = {
    "required": "此项为必填项",
    "type": "类型不正确，应为{expected}",
    "minimum": "不能小于 {limit}",
    "maximum": "不能大于 {limit}",
    "exclusiveMinimum": "必须大于 {limit}",
    "exclusiveMaximum": "必须小于 {limit}",
    "minLength": "至少需要 {limit} 个字符",
    "maxLength": "不能超过 {limit} 个字符",
    "enum": "请从给定选项中选择",
    "const": "取值不正确",
    "pattern": "格式不正确",
    "format": "格式不正确（{limit}）",
    "minItems": "至少需要 {limit} 项",
    "maxItems": "不能超过 {limit} 项",
    "multipleOf": "必须是 {limit} 的整数倍",
    "additionalProperties": "包含未定义的字段",
}
_TYPE_ZH = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
    "null": "空",
}


def _field_path(error) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return "/".join(path) or "_form"


def _message_zh(error) -> str:
    template = _MESSAGES_ZH.get(error.validator)
    if template is None:
        return error.message
    expected = error.validator_value
    if error.validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        return template.format(expected="或".join(_TYPE_ZH.get(n, n) for n in names))
    return template.format(limit=expected, expected=expected)


def validate(schema: dict, data: dict) -> None:
    """Raise :class:`FormInvalid` with ``{field path: [messages]}`` if ``data`` breaks ``schema``."""
    errors: dict[str, list[str]] = {}
    for error in validator_for(schema).iter_errors(data):
        errors.setdefault(_field_path(error), []).append(_message_zh(error))
    if errors:
        raise FormInvalid(errors)


def accept(schema: dict | None, data: dict[str, Any]) -> tuple[dict, list[str]]:
    """Filter to declared keys, then validate; returns (clean data, dropped keys)."""
    if schema is None:
        # a user task without a form takes no data
        return {}, sorted(data)
    kept, dropped = filter_declared(schema, data)
    validate(schema, kept)
    return kept, dropped
