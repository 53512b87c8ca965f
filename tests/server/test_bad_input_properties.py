"""Bad input, as properties (issue 9 item 7): arbitrary text never yields a 500, and every text
an input schema takes is bounded and checked by the one field that refuses what cannot be stored."""

from __future__ import annotations

import inspect
import itertools
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields
from sqlalchemy import select

from server import admin_schemas, project_schemas, schemas
from server.fields import Text
from workflows.store import Comment, Project

from .conftest import open_task

# any code point, lone surrogates and NUL included (hypothesis leaves surrogates out by default)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _storable(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _form_body(token: str, **values: str) -> bytes:
    """A urlencoded post as a client would send it, surrogates as the bytes they would be."""
    pairs = {"csrf_token": token, **values}
    return "&".join(
        f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in pairs.items()
    ).encode()


@pytest.mark.slow
def test_any_comment_text_is_stored_as_sent_or_refused_never_a_500(api, web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me_api, me_page = api("zhang.san"), web("zhang.san")

    @EXAMPLES
    @given(text=ANY_TEXT)
    def comment(text):
        response = me_api.post(
            f"/api/v1/tasks/{task.id}/comments",
            data=json.dumps({"body": text}),  # ensure_ascii: a surrogate travels as \\ud800
            content_type="application/json",
        )
        assert response.status_code in (201, 400), response.text[:200]
        stored_ok = _storable(text) and 0 < len(text.strip()) <= 4000
        assert (response.status_code == 201) == stored_ok, (text, response.json)
        if response.status_code == 400:
            assert response.json["fields"]["body"]
        page = me_page.client.post(
            f"/tasks/{task.id}/comments",
            data=_form_body(me_page.token, body=text),
            content_type="application/x-www-form-urlencoded",
        )
        assert page.status_code in (302, 400), page.text[:200]

    comment()
    with db_of.reading() as session:
        assert all(_storable(body) for body in session.scalars(select(Comment.body)))


@pytest.mark.slow
def test_any_project_name_is_stored_as_sent_or_refused_never_a_500(api, web, db_of):
    me_api, me_page = api("zhang.san"), web("zhang.san")
    codes = (f"H-{n}" for n in itertools.count())

    @EXAMPLES
    @given(name=ANY_TEXT)
    def project(name):
        body = {"code": next(codes), "name": name, "fiscal_year": 2026, "amount": 1, "process_id": "review"}
        response = me_api.post("/api/v1/projects", data=json.dumps(body), content_type="application/json")
        assert response.status_code in (201, 400), response.text[:200]
        assert (response.status_code == 201) == (_storable(name) and 0 < len(name.strip()) <= 200)
        page = me_page.client.post(
            "/projects/new",
            data=_form_body(
                me_page.token,
                code=next(codes),
                name=name,
                fiscal_year="2026",
                amount="1",
                process_id="review",
            ),
            content_type="application/x-www-form-urlencoded",
        )
        assert page.status_code in (302, 400), page.text[:200]

    project()
    with db_of.reading() as session:
        assert all(_storable(name) for name in session.scalars(select(Project.name)))


# --- every text an input schema takes is bounded and checked ----------------------------

OUTPUT = ("Schema", "Response")  # what the app sends, never loads


def _input_schemas():
    for module in (schemas, admin_schemas, project_schemas):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__ and not name.endswith(OUTPUT):
                yield name, cls


def _texts(field: fields.Field):
    yield field
    if isinstance(field, fields.List):
        yield from _texts(field.inner)
    if isinstance(field, fields.Dict) and field.key_field is not None:
        yield from _texts(field.key_field)


@pytest.mark.parametrize("name,cls", list(_input_schemas()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_text_an_input_schema_takes_is_the_bounded_checked_field(name, cls):
    for attribute, field in cls().fields.items():
        for inner in _texts(field):
            if isinstance(inner, fields.String):
                assert isinstance(inner, Text), f"{name}.{attribute}: use server.fields.Text"


def test_every_text_in_the_openapi_request_bodies_has_a_max_length(client):
    document = client.get("/api/v1/openapi.json").json
    components = document["components"]["schemas"]

    def strings(schema, where):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            yield from strings(components[name], name)
            return
        # a file, a choice or a date (its grammar bounds it: anything longer is refused unparsed)
        bounded_by_format = schema.get("format") in ("binary", "date", "date-time")
        if schema.get("type") == "string" and not bounded_by_format and "enum" not in schema:
            yield where, schema
        for key, child in (schema.get("properties") or {}).items():
            yield from strings(child, f"{where}.{key}")
        if isinstance(schema.get("items"), dict):
            yield from strings(schema["items"], f"{where}[]")

    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters: ids, not text
                continue
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                for where, schema in strings(media["schema"], f"{method.upper()} {path}"):
                    checked += 1
                    assert "maxLength" in schema, where
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                    checked += 1
                    assert "maxLength" in schema, f"{method.upper()} {path} ?{parameter['name']}"
    assert checked >= 10
