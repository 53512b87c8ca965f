"""Declared checks that ask a deployed DMN decision (``x-checks`` of kind ``decision``, issue 10).

A form may refuse data a decision table of the process would judge otherwise, without copying
the table's thresholds into the form: the ex-ante review's 支持 with a total the
``ex_ante_decision`` table does not support (R-EA-4) is refused at submit, quoting the table::

    {"id": "support_follows_ex_ante_decision", "kind": "decision", "decision": "ex_ante_decision",
     "inputs": {"ea_final_conclusion": "ea_finance_conclusion", "ea_final_score": "ea_finance_score"},
     "reads": ["is_major"],
     "rule": "ea_finance_conclusion != '支持' or ea_supported",
     "field": "ea_finance_conclusion", "message": "{ea_decision}"}

``inputs`` gives each name the table reads an expression over the submitted data; the table of
the instance's own deployment decides (a redeployed threshold applies to the instances that run
it); ``rule`` is then true when the data is right, its names the form's fields, the table's
outputs and the process data named in ``reads`` (what the task data will hold after the submit:
the process data overlaid with the form's). ``message`` may quote any of those as ``{name}``.

Where no deployment is at hand (a draft, a workbook import before its submit) a decision check
is not run: the submit runs it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Deployment
from . import sandbox, serializer
from .worded import PLACEHOLDER, Worded

KIND = "decision"
KEYS = {"id", "kind", "decision", "inputs", "reads", "rule", "field", "message", "description"}


@dataclass(frozen=True)
class Context:
    """What a decision check reads besides the form: the task's process data and the tables."""

    data: dict
    decide: Callable[[str, dict], dict]  # decision id, {input name: value} -> {output: value}


def is_decision(check: dict) -> bool:
    return isinstance(check, dict) and check.get("kind") == KIND


def _names(expression: str) -> set[str]:
    tree = ast.parse(expression.strip(), mode="eval")
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return loaded - stored - set(sandbox.BASE_GLOBALS) - set(sandbox.BUILTINS)


def problems(check: dict, where: str, declared: set[str], decisions: dict[str, set[str]] | None) -> list[str]:
    """What is wrong with one decision check (``decisions``: the bundle's decision ids and their
    outputs, when known)."""
    found = []
    unknown = set(check) - KEYS
    if unknown:
        found.append(f"{where}: unknown keys {sorted(unknown)}")
    decision = check.get("decision")
    if not isinstance(decision, str) or not decision:
        return [*found, f"{where}: 'decision' names the DMN decision to ask (text)"]
    inputs = check.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        found.append(f"{where}: 'inputs' maps each name the decision reads to an expression")
        inputs = {}
    reads = check.get("reads") or []
    if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
        found.append(f"{where}: 'reads' lists process data names")
        reads = []
    outputs = (decisions or {}).get(decision)
    if decisions is not None and outputs is None:
        found.append(f"{where}: no DMN decision {decision!r} in the bundle")
    known = declared | set(reads)
    for name, expression in inputs.items():
        refused = sandbox.check(expression) if isinstance(expression, str) else "not text"
        if refused is not None:
            found.append(f"{where}: input {name!r}: the sandbox refuses it: {refused}")
        elif missing := _names(expression) - known:
            found.append(f"{where}: input {name!r} names {sorted(missing)}, not fields of the form")
    if field := check.get("field"):
        if field not in declared | {"_form"}:
            found.append(f"{where}: field {field!r} is not declared")
    rule = check.get("rule")
    if not isinstance(rule, str) or not rule.strip():
        return [*found, f"{where}: 'rule' is required (text)"]
    refused = sandbox.check(rule)
    if refused is not None:
        return [*found, f"{where}: the sandbox refuses the rule: {refused}"]
    if outputs is not None and (missing := _names(rule) - known - outputs):
        found.append(
            f"{where}: the rule names {sorted(missing)}, not fields of the form or outputs of {decision!r}"
        )
    if not isinstance(check.get("message"), str) or not check["message"].strip():
        found.append(f"{where}: 'message' is required (text)")
    return found


def message(template: str, scope: dict) -> Worded:
    """``template`` with each ``{name}`` replaced by that value of ``scope`` (20.0 reads 20);
    ``{name:,.2f}`` gives a number with thousands separators and two decimals (1,380.00 万元).
    The message keeps its template and the values it quotes (an English page words it again)."""
    quoted = {name: scope[name] for name, _spec in PLACEHOLDER.findall(template) if name in scope}
    return Worded(template, quoted)


def errors(check: dict, form_data: dict, context: Context | None, environment) -> dict[str, list[str]]:
    """``{field: [message]}`` when the decision, asked on the submitted data, refuses it."""
    if context is None:
        return {}
    scope = dict(form_data)
    for name in check.get("reads") or []:  # as the task will hold it: the form's value, else the process's
        if scope.get(name) in (None, [], ""):
            scope[name] = context.data.get(name)
    inputs = {name: environment.evaluate(expr, dict(scope)) for name, expr in check["inputs"].items()}
    outputs = context.decide(check["decision"], inputs)
    scope = {**scope, **outputs}
    if environment.evaluate(check["rule"], dict(scope)):
        return {}
    return {check["field"]: [message(check["message"], scope)]}


# --- the deployed tables --------------------------------------------------------------


def bundle_decisions(files: dict[str, str]) -> dict[str, set[str]]:
    """decision id → its outputs' names, for every DMN file of a bundle (lint)."""
    found: dict[str, set[str]] = {}
    for name, text in files.items():
        if not name.endswith(".dmn"):
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        for decision in root.iter("{*}decision"):
            found[decision.get("id")] = {o.get("name") for o in decision.iter("{*}output") if o.get("name")}
    return found


@lru_cache(maxsize=64)
def _engine(content_hash: str, decision: str, text: str):
    parser = serializer.new_parser()
    parser.add_dmn_xml(etree.fromstring(text.encode("utf-8")), filename=f"{decision}.dmn")
    return parser.get_engine(decision, None)


def _dmn_text(files: dict[str, str], decision: str) -> str | None:
    for name, text in sorted(files.items()):
        if (
            name.endswith(".dmn")
            and f'id="{decision}"' in text
            and decision in bundle_decisions({name: text})
        ):
            return text
    return None


def decide_with(files: dict[str, str], content_hash: str) -> Callable[[str, dict], dict]:
    """A ``decide`` over a deployment's own DMN files, run by the sandboxed script engine."""

    def decide(decision: str, inputs: dict[str, Any]) -> dict:
        text = _dmn_text(files, decision)
        if text is None:
            raise LookupError(f"no DMN decision {decision!r} in the deployment")
        engine = _engine(content_hash, decision, text)
        reading = SimpleNamespace(
            workflow=SimpleNamespace(script_engine=serializer.script_engine()), data=dict(inputs)
        )
        return dict(engine.result(reading))

    return decide


def context_of(session: Session, deployment_id: int, content_hash: str, data: dict) -> Context:
    """The decision checks' context for a task of an instance of that deployment."""
    files: dict[str, str] | None = None

    def decide(decision: str, inputs: dict) -> dict:
        nonlocal files
        if files is None:
            files = session.scalar(select(Deployment.files).where(Deployment.id == deployment_id)) or {}
        return decide_with(files, content_hash)(decision, inputs)

    return Context(data=dict(data), decide=decide)


def task_data(workflow, task_id: str) -> dict:
    """The data a task of ``workflow`` holds now (its process data before a submit); empty when
    the task is not found (the completion reports that)."""
    try:
        return dict(workflow.get_task_from_id(UUID(task_id)).data)
    except Exception:  # noqa: BLE001 - an unknown id: complete_user_task refuses it
        return {}
