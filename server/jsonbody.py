"""Request bodies as the app reads them (issue 9: bad input): bounded, strict JSON.

- Python's ``json`` takes ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON; here they
  are a 400 naming the field that holds one.
- A body nested deeper than :data:`MAX_DEPTH` is a 400 (a 100,000-deep array used to reach the
  recursion limit: a 500).
- A JSON body or a page's form post is limited to ``JIXIAO_MAX_BODY_BYTES``; a multipart upload
  to ``MAX_CONTENT_LENGTH`` (413 above either, answered in ``server.errors``).

Both the page views (``request.get_json``, through the app's JSON provider) and the API's
schemas (webargs, through :class:`Blueprint`'s parser) read JSON with :func:`loads`.
"""

from __future__ import annotations

import json

import flask
import flask_smorest
from flask import current_app
from flask.json.provider import DefaultJSONProvider
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32
NOT_JSON = "请求体不是有效的 JSON"
NOT_A_NUMBER = "不是有效的数字（JSON 没有 {name}）"
TOO_DEEP = f"嵌套层级过深（最多 {MAX_DEPTH} 层）"


class BadJson(json.JSONDecodeError):
    """Refused JSON, with field errors (``{path: [messages]}``) for the 400."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("refused JSON", "<body>", 0)
        self.fields = fields


class _NotFinite:
    def __init__(self, name: str):
        self.name = name


def _problems(value) -> dict[str, list[str]]:
    """Where the parsed body holds a non-number, or nests too deeply (iterative)."""
    fields: dict[str, list[str]] = {}
    stack = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        where = "/".join(path) or "_request"
        if isinstance(item, _NotFinite):
            fields.setdefault(where, []).append(NOT_A_NUMBER.format(name=item.name))
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                fields.setdefault(where, []).append(TOO_DEEP)
                continue
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((child, (*path, str(key)), depth + 1) for key, child in pairs)
    return fields


def loads(text: str | bytes):
    """Strict JSON: no NaN/Infinity, at most :data:`MAX_DEPTH` levels; else :class:`BadJson`."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJson({"_request": [NOT_JSON + "（不是 UTF-8）"]}) from None
    try:
        value = json.loads(text, parse_constant=_NotFinite)
    except RecursionError:
        raise BadJson({"_request": [TOO_DEEP]}) from None
    except json.JSONDecodeError as exc:
        raise BadJson({"_request": [f"{NOT_JSON}（第 {exc.lineno} 行第 {exc.colno} 列）"]}) from None
    fields = _problems(value)
    if fields:
        raise BadJson(fields)
    return value


class JSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        return loads(s)


def _bad_request(fields: dict[str, list[str]]) -> BadRequest:
    error = BadRequest(NOT_JSON)
    error.data = {"messages": {"json": fields}}  # read by server.errors like webargs' errors
    return error


class Request(flask.Request):
    """A request whose body limit depends on what it carries: only an upload may be large."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        body = current_app.config.get("JIXIAO_MAX_BODY_BYTES")
        if body and self.mimetype != "multipart/form-data":
            return min(limit, body) if limit else body
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def on_json_loading_failed(self, e):
        if isinstance(e, BadJson):
            raise _bad_request(e.fields)
        return super().on_json_loading_failed(e)


class Parser(FlaskParser):
    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        data = req.get_data(cache=True)
        return loads(data) if data else missing

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        fields = error.fields if isinstance(error, BadJson) else {"_request": [NOT_JSON]}
        raise _bad_request(fields)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint reading JSON bodies with :func:`loads`."""

    ARGUMENTS_PARSER = Parser()

    def errors(self, *codes: int):
        """Document the JSON error answers (``{"error", "message", "fields"}``) a view may give."""
        from .schemas import ApiErrorSchema  # schemas imports the commands; this module stays light

        def decorate(view):
            for code in codes:
                view = self.alt_response(code, schema=ApiErrorSchema)(view)
            return view

        return decorate
