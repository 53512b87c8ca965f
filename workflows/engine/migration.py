"""Moving a running workflow to a newer version of its process (issue 13, item 6).

SpiffWorkflow 3.2.0's ``bpmn.util.diff`` aligns the old spec's tasks with the new one's
by BPMN id (then by structure) and re-predicts every READY or WAITING branch on the new
spec. What it does not decide, we do here:

- a task the instance waits on (a user task, a timer, a call activity) that the new
  version removed makes the move impossible: the instance would lose its place;
- a running call activity whose called process is gone from the new version likewise;
- a waiting timer whose definition did not change keeps its due time (the library
  would compute it again from now, silently moving a deadline).

:func:`plan` only reads; :func:`migrate` changes the workflow object in memory. The
caller saves it (or, on refusal, drops it): the stored instance is untouched until then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .serializer import _full_registry, cached_spec

# The states in which a task holds the instance's place (the library resets these branches).
_WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class TaskChange:
    element: str  # BPMN id
    name: str  # the element's name, or its id
    state: str  # READY, WAITING, ...
    process: str  # the (sub)process the task runs in
    attributes: list[str] = field(default_factory=list)  # what changed, for "changed"


@dataclass
class MigrationPlan:
    """What moving one workflow to a new spec would do, or why it cannot."""

    refusals: list[str] = field(default_factory=list)
    waiting: list[TaskChange] = field(default_factory=list)  # where the instance stands now
    changed: list[TaskChange] = field(default_factory=list)  # waiting tasks whose element changed
    restarted_timers: list[str] = field(default_factory=list)  # timers whose due time is recomputed

    @property
    def possible(self) -> bool:
        return not self.refusals


def _label(task) -> str:
    spec = task.task_spec
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _element(task) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _is_timer(task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def _change(task, process: str, attributes=()) -> TaskChange:
    return TaskChange(
        _element(task), _label(task), TaskState.get_name(task.state), process, sorted(attributes)
    )


def _diffs(workflow, spec_hash: str):
    spec, subs = cached_spec(spec_hash)
    top, sub_diffs = diff_workflow(_full_registry, workflow, spec, subs)
    return spec, subs, top, sub_diffs


def _shown(task) -> bool:
    """Tasks a designer knows by name (not the engine's own joins and splits)."""
    return getattr(task.task_spec, "bpmn_id", None) is not None


def plan(workflow, spec_hash: str) -> MigrationPlan:
    """Preview moving ``workflow`` onto the cached spec ``spec_hash``; changes nothing."""
    _spec, _subs, top, sub_diffs = _diffs(workflow, spec_hash)
    result = MigrationPlan()
    parts = [(workflow, top, workflow.spec.name)]
    for sub_id, sub in workflow.subprocesses.items():
        parts.append((sub, sub_diffs.get(sub_id), sub.spec.name))
    for wf, diff, process in parts:
        live = [t for t in wf.get_tasks(skip_subprocesses=True) if t.has_state(_WAITING) and _shown(t)]
        if diff is None:
            if live:
                result.refusals.append(f"调用的流程 {process} 在新版本中已删除，实例正在其中等待")
            continue
        removed = {id(t) for t in diff.removed}
        changed_specs = {t.task_spec: None for t in diff.changed}
        spec_changes = _spec_changes(diff, changed_specs)
        for task in live:
            result.waiting.append(_change(task, process))
            if id(task) in removed:
                result.refusals.append(f"等待中的“{_label(task)}”（{_element(task)}）在新版本中已删除")
            elif task.task_spec in changed_specs:
                attrs = spec_changes.get(task.task_spec.name, [])
                result.changed.append(_change(task, process, attrs))
                if _is_timer(task) and task.state == TaskState.WAITING:
                    result.restarted_timers.append(_label(task))
    return result


def _spec_changes(workflow_diff, changed_specs) -> dict[str, list[str]]:
    """Attribute names that changed per task spec name (from the library's comparison)."""
    out: dict[str, list[str]] = {}
    for task in workflow_diff.changed:
        new_spec = workflow_diff.alignment.get(task)
        if new_spec is None:
            continue
        before = _full_registry.convert(task.task_spec)
        after = _full_registry.convert(new_spec)
        out[task.task_spec.name] = [
            k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k) and k != "outputs"
        ] or ["outputs"]
    return out


def migrate(workflow, spec_hash: str) -> MigrationPlan:
    """Move ``workflow`` (in memory) onto the cached spec ``spec_hash``.

    Returns the plan; when it is not possible the workflow is left as it was.
    """
    result = plan(workflow, spec_hash)
    if not result.possible:
        return result
    spec, subs, top, sub_diffs = _diffs(workflow, spec_hash)
    kept_due = _unchanged_timer_due_times(workflow, top, sub_diffs)
    migrate_workflow(top, workflow, spec)
    for sub_id, sub in workflow.subprocesses.items():
        diff = sub_diffs.get(sub_id)
        if diff is not None:
            migrate_workflow(diff, sub, subs[sub.spec.name])
    workflow.subprocess_specs = subs
    workflow.spec_ref = spec_hash
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if task.id in kept_due:
                task.internal_data["event_value"] = kept_due[task.id]
    return result


def _unchanged_timer_due_times(workflow, top, sub_diffs) -> dict:
    kept = {}
    parts = [(workflow, top), *((sub, sub_diffs.get(sid)) for sid, sub in workflow.subprocesses.items())]
    for wf, diff in parts:
        if diff is None:
            continue
        changed = {id(t) for t in diff.changed}
        for task in wf.get_tasks(skip_subprocesses=True):
            if (
                task.state == TaskState.WAITING
                and id(task) not in changed
                and "event_value" in task.internal_data
            ):
                kept[task.id] = task.internal_data["event_value"]
    return kept
