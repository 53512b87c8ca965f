"""The adapter around SpiffWorkflow: parsing, serializing, the spec cache.

Everything that touches SpiffWorkflow's parser and serializer lives here, so the
commands in :mod:`workflows.commands` read as the use cases they are.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from .. import clock
from ..config import settings
from . import sandbox

clock.install()

MAX_TREE_DEPTH = 1000  # SpiffWorkflow's TaskIterator default max_depth (ENGINE-NOTES 7)
DEPTH_SAFETY_MARGIN = 100  # refuse to save once a tree is this close to the limit
MAX_WORKFLOW_STATE_CHARS = 16_000_000  # refuse to save a larger workflow state (issue 14)


# --- spec cache --------------------------------------------------------------------

_spec_cache: dict[str, tuple] = {}
_spec_lock = threading.Lock()


def cache_spec(spec_hash: str, spec, subprocess_specs: dict) -> None:
    with _spec_lock:
        _spec_cache[spec_hash] = (spec, subprocess_specs)


def cached_spec(spec_hash: str):
    return _spec_cache.get(spec_hash)


# --- serialization -----------------------------------------------------------------


class _SpecByReferenceConverter(BpmnWorkflowConverter):
    """Writes ``spec_ref`` (the definition's spec hash) instead of the whole spec (ENGINE-NOTES 3)."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["spec_ref"] = workflow.spec_ref
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec_ref = dct.pop("spec_ref")
        entry = cached_spec(spec_ref)
        if entry is None:
            raise LookupError(f"spec {spec_ref} is not loaded; load its definition first")
        spec, subprocess_specs = entry
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.spec_ref = spec_ref
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_registry():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReferenceConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]))
    return registry


_full_registry = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
_serializer = BpmnWorkflowSerializer(_make_registry())


def dump_spec(spec, subprocess_specs: dict) -> str:
    return json.dumps(
        {
            "spec": _full_registry.convert(spec),
            "subprocess_specs": {name: _full_registry.convert(s) for name, s in subprocess_specs.items()},
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def load_spec(text: str):
    dct = json.loads(text)
    spec = _full_registry.restore(dct["spec"])
    subs = {name: _full_registry.restore(s) for name, s in dct["subprocess_specs"].items()}
    return spec, subs


def dump_workflow(workflow) -> str:
    return _serializer.serialize_json(workflow)


def load_workflow(text: str) -> BpmnWorkflow:
    workflow = _serializer.deserialize_json(text)
    workflow.script_engine = script_engine()
    return workflow


def new_workflow(spec_hash: str) -> BpmnWorkflow:
    spec, subs = cached_spec(spec_hash)
    workflow = BpmnWorkflow(spec, subs, script_engine=script_engine())
    workflow.spec_ref = spec_hash
    return workflow


# --- script engine -----------------------------------------------------------------

_engine = None


def script_engine():
    """The one sandboxed script engine, with the domain functions BPMN may call."""
    global _engine
    if _engine is None:
        from .. import domain

        _engine = sandbox.make_script_engine(domain.FUNCTIONS, settings().script_time_limit)
    return _engine


# --- parsing -----------------------------------------------------------------------


def new_parser() -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR)


# --- tree walking ------------------------------------------------------------------


def all_workflows(workflow) -> list:
    return [workflow, *workflow.subprocesses.values()]


def all_tasks(workflow):
    """Every task of the instance, top workflow and subprocesses, whatever its state."""
    for wf in all_workflows(workflow):
        yield from wf.tasks.values()


def tree_depth(workflow) -> int:
    """The deepest parent chain in any of the instance's task trees.

    One pass over each tree by parent id (``Task._parent``): a tree keeps its tasks in the
    order they were made, parents first; a parent not seen yet is walked up to the first known one.
    """
    deepest = 0
    for wf in all_workflows(workflow):
        tasks = wf.tasks
        depth: dict = {}
        for task_id, task in tasks.items():
            parent_id = task._parent
            if parent_id is None or parent_id in depth:
                depth[task_id] = depth.get(parent_id, 0) + 1
                continue
            chain = [task_id]
            while parent_id is not None and parent_id not in depth and parent_id in tasks:
                chain.append(parent_id)
                parent_id = tasks[parent_id]._parent
            base = depth.get(parent_id, 0)
            for offset, item in enumerate(reversed(chain), start=1):
                depth[item] = base + offset
        if depth:
            deepest = max(deepest, max(depth.values()))
    return deepest


def prune_finished_subprocesses(workflow) -> int:
    """Drop the saved state of call activities and subprocesses that have finished.

    A finished subprocess's results are already in its call activity's task data and its
    steps in the audit log; keeping its task tree would make every save carry every round
    of every path (the project lifecycle grew to 150 KB, 80% of it finished subprocesses).
    Returns how many were dropped.
    """
    finished = []
    for task_id, sub in workflow.subprocesses.items():
        owner = _owner(workflow, task_id)
        if sub.completed and owner is not None and owner.has_state(TaskState.FINISHED_MASK):
            finished.append(task_id)
    for task_id in finished:
        workflow.subprocesses.pop(task_id, None)
    # a subprocess nested in a dropped one has no owner left: drop it too
    orphans = [tid for tid in workflow.subprocesses if _owner(workflow, tid) is None]
    for task_id in orphans:
        workflow.subprocesses.pop(task_id, None)
    return len(finished) + len(orphans)


def _owner(workflow, task_id):
    """The call activity task that owns a subprocess, or None if it is gone."""
    try:
        return workflow.get_task_from_id(task_id)
    except Exception:  # SpiffWorkflow raises TaskNotFoundException for an unknown id
        return None
