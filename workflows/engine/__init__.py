"""The adapter around SpiffWorkflow: specs (load, lint, deploy), serializer and spec cache,
the sandbox for BPMN expressions, and reading timers off a workflow.

Nothing outside this package imports SpiffWorkflow.
"""

from . import sandbox, specs, timer_events
from .serializer import (
    DEPTH_SAFETY_MARGIN,
    MAX_TREE_DEPTH,
    MAX_WORKFLOW_STATE_CHARS,
    all_tasks,
    all_workflows,
    cache_spec,
    cached_spec,
    dump_workflow,
    load_workflow,
    new_workflow,
    prune_finished_subprocesses,
    script_engine,
    tree_depth,
)

__all__ = [
    "DEPTH_SAFETY_MARGIN",
    "MAX_TREE_DEPTH",
    "MAX_WORKFLOW_STATE_CHARS",
    "all_tasks",
    "all_workflows",
    "cache_spec",
    "cached_spec",
    "dump_workflow",
    "load_workflow",
    "new_workflow",
    "prune_finished_subprocesses",
    "sandbox",
    "script_engine",
    "specs",
    "timer_events",
    "tree_depth",
]
