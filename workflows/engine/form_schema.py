"""A form's JSON Schema as validation sees it: every text bounded in length (issue 9), the
validator compiled once per schema."""

from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker

from ..config import settings


def bounded(schema, text_max: int, textarea_max: int):
    """The schema with a ``maxLength`` on every string that declares none (issue 9): a
    textarea (``x-widget: textarea``) gets ``textarea_max``, any other text ``text_max``.
    Only validation sees it; the page renders the form as its designer wrote it."""
    if isinstance(schema, list):
        return [bounded(s, text_max, textarea_max) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {
        key: bounded(value, text_max, textarea_max) if isinstance(value, dict | list) else value
        for key, value in schema.items()
    }
    kinds = schema.get("type")
    is_text = kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
    if is_text and "maxLength" not in schema:
        result["maxLength"] = textarea_max if schema.get("x-widget") == "textarea" else text_max
    return result


@lru_cache(maxsize=512)
def _validator(schema_text: str, text_max: int, textarea_max: int) -> Draft202012Validator:
    schema = bounded(json.loads(schema_text), text_max, textarea_max)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validator_for(schema: dict) -> Draft202012Validator:
    config = settings()
    return _validator(
        json.dumps(schema, sort_keys=True, ensure_ascii=False),
        config.max_text_length,
        config.max_textarea_length,
    )
