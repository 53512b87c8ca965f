"""Per-version things kept in memory: parsed specs and form schemas (deployments are immutable).

A version's spec is parsed (deserialized) once per process and its forms read once, so no
save repeats that work (issue 14).
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Deployment, ProcessDefinition
from . import serializer


def ensure_loaded(definition: ProcessDefinition) -> str:
    """Make the definition's parsed spec available in this process; returns its hash."""
    if serializer.cached_spec(definition.spec_hash) is None:
        spec, subs = serializer.load_spec(definition.serialized_spec)
        serializer.cache_spec(definition.spec_hash, spec, subs)
    return definition.spec_hash


def ensure_spec(session: Session, definition_id: int, spec_hash: str) -> str:
    """:func:`ensure_loaded` from the hash alone: the serialized spec is read only when not cached."""
    if serializer.cached_spec(spec_hash) is None:
        text = session.scalar(
            select(ProcessDefinition.serialized_spec).where(ProcessDefinition.id == definition_id)
        )
        spec, subs = serializer.load_spec(text)
        serializer.cache_spec(spec_hash, spec, subs)
    return spec_hash


_form_cache: dict[tuple[str, str], dict | None] = {}


def form_schema_of(session: Session, deployment_id: int, content_hash: str | None, form: str) -> dict | None:
    """:func:`form_schema` by the deployment's id and content hash: its files are read only once
    per process (deployments are immutable; the hash, not the id, keys the cache)."""
    if content_hash is None:
        content_hash = session.scalar(select(Deployment.content_hash).where(Deployment.id == deployment_id))
    key = (content_hash, form)
    if key not in _form_cache:
        files = session.scalar(select(Deployment.files).where(Deployment.id == deployment_id)) or {}
        text = files.get(form)
        _form_cache[key] = json.loads(text) if text else None
    return _form_cache[key]


def form_schema(definition: ProcessDefinition, form: str) -> dict | None:
    """The JSON Schema a deployed version names, cached (deployments are immutable)."""
    key = (definition.deployment.content_hash, form)
    if key not in _form_cache:
        text = definition.deployment.files.get(form)
        _form_cache[key] = json.loads(text) if text else None
    return _form_cache[key]
