"""The one text field every input schema uses (issue 9: bad input).

``Text`` is bounded (its own ``validate.Length`` or ``max_length``, else the single-line
default ``JIXIAO_MAX_TEXT_LENGTH``), refuses what no column may store (NUL, lone UTF-16
surrogates) with a Chinese field error, and strips surrounding whitespace unless told not to
(a password keeps its spaces), so "   " is empty for the API exactly as for a page.
"""

from __future__ import annotations

from marshmallow import fields, validate

from workflows.config import settings
from workflows.engine.values import text_problem


def _has_max(validators) -> bool:
    return any(isinstance(v, validate.Length) and v.max is not None for v in validators)


class Text(fields.String):
    def __init__(self, *args, max_length: int | None = None, strip: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.strip = strip
        if max_length is not None or not _has_max(self.validators):
            # the OpenAPI document shows it as maxLength (apispec reads Length validators)
            self.validators.append(validate.Length(max=max_length or settings().max_text_length))

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem is not None:
            raise self.make_error("unsavable", problem=problem)
        return text.strip() if self.strip else text

    default_error_messages = {"unsavable": "{problem}"}
