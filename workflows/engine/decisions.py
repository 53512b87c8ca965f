"""What the engine decided on its own, read off a workflow when it is saved.

Each business-rule task (a DMN table: the inputs it read, the rule that matched, what it
decided) and each script task (the values it computed: a self-evaluation total, a panel
mean, a budget cut) is recorded once, as the audit event ``engine.step``: the read side
never loads a workflow, and a finished call activity's steps are pruned from it on save.
A task is marked in its ``internal_data`` once recorded, so a step is never written twice.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask as ScriptTaskMixin
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.task import TaskState

from .serializer import all_tasks

RECORDED = "jixiao_step_recorded"
MAX_VALUE_CHARS = 10_000  # a value larger than this is named by its size, not copied into the log
NOT_RECORDED = ("notify",)  # delivered as notices, recorded as ``notification.sent``
_UNSET = object()


@dataclass(frozen=True)
class EngineStep:
    task_id: str
    data: dict  # kind, process, step, title, and what the step read and decided


def take_unrecorded(workflow) -> list[EngineStep]:
    """The rule and script steps completed since the last save, oldest first; marks them recorded."""
    found = []
    for task in all_tasks(workflow):
        if task.state != TaskState.COMPLETED or task.internal_data.get(RECORDED):
            continue
        spec = task.task_spec
        if isinstance(spec, BusinessRuleTaskMixin):
            data = _rule(task)
        elif isinstance(spec, ScriptTaskMixin):
            data = _script(task)
        else:
            continue
        task.internal_data[RECORDED] = True
        if data is not None:
            found.append((task.last_state_change, EngineStep(str(task.id), data)))
    found.sort(key=lambda pair: pair[0])
    return [step for _at, step in found]


def _bounded(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= MAX_VALUE_CHARS else {"omitted": f"{len(text)} characters"}


def _heading(task, kind: str) -> dict:
    spec = task.task_spec
    return {
        "kind": kind,
        "process": task.workflow.spec.name,
        "step": spec.bpmn_id or spec.name,
        "title": spec.bpmn_name or spec.bpmn_id or spec.name,
    }


def _before(task) -> dict:
    """The data the task started from: its parent's (its own once it ran holds its results too)."""
    return task.parent.data if task.parent is not None else {}


@lru_cache(maxsize=512)
def _assigned(source: str) -> tuple[str, ...]:
    """The names a script assigns (a value set again unchanged is still the script's answer)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return tuple(sorted(names))


def _script(task) -> dict | None:
    before = _before(task)
    assigned = set(_assigned(getattr(task.task_spec, "script", None) or ""))
    written = {
        key: _bounded(value)
        for key, value in task.data.items()
        if key not in NOT_RECORDED and (key in assigned or before.get(key, _UNSET) != value)
    }
    if not written:
        return None
    return {**_heading(task, "script"), "outputs": written}


class _Reading:
    """The task as the DMN engine saw it: the data before its outputs were merged in."""

    def __init__(self, task, data: dict):
        self.workflow = task.workflow
        self.task_spec = task.task_spec
        self.data = data


def _rule(task) -> dict:
    engine = task.task_spec.dmnEngine
    table = engine.decision_table
    before = _before(task)
    environment = task.workflow.script_engine.environment
    inputs = []
    for column in table.inputs:
        try:
            value = environment.evaluate(column.expression, dict(before))
        except Exception:  # it was readable when the table ran; a name since removed is not
            value = None
        inputs.append({"label": column.label, "expression": column.expression, "value": _bounded(value)})
    try:
        matched = engine.decide(_Reading(task, dict(before)))
    except Exception:
        matched = []
    if table.hit_policy != "COLLECT":
        matched = matched[:1]
    outputs = {o.name: _bounded(task.data.get(o.name)) for o in table.outputs if o.name}
    return {
        **_heading(task, "rule"),
        "decision_table": table.id,
        "hit_policy": table.hit_policy,
        "inputs": inputs,
        "outputs": outputs,
        "labels": {o.name: o.label for o in table.outputs if o.name and o.label},
        "rules": [{"id": r.id, "row": r.row_number, "description": r.description} for r in matched],
    }
