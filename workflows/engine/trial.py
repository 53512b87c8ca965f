"""试运行: run a draft process in a throw-away sandbox (issue 13 item 7).

Nothing is stored. A trial is the draft's files, the sample start data and the steps taken so
far (a user task completed with its form data, or a waiting timer made due); every request
replays them from the start on a fresh in-memory workflow, so the designer can step through
the tasks lane by lane, see which way each gateway went for the values given and which
timers would be set, undo a step or start again. Expressions run in the same sandbox as in
production; a step's form data passes the same checks as on the task page.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from ..errors import FormInvalid, LocatedError
from . import forms, prefill, specs, steps, timer_events
from .serializer import all_tasks, script_engine

MAX_STEPS = 200

# the kind of element a designer reads in the path, by SpiffWorkflow class name (first match in the MRO)
_KINDS = {
    "UserTask": "user_task",
    "ManualTask": "user_task",
    "ScriptTask": "script_task",
    "BusinessRuleTask": "decision",
    "CallActivity": "call_activity",
    "SubWorkflowTask": "subprocess",
    "ExclusiveGateway": "gateway",
    "InclusiveGateway": "gateway",
    "ParallelGateway": "gateway",
    "EventBasedGateway": "gateway",
    "StartEvent": "start",
    "EndEvent": "end",
    "BoundaryEvent": "boundary",
    "IntermediateCatchEvent": "event",
    "IntermediateThrowEvent": "event",
    "SendTask": "task",
    "ReceiveTask": "task",
}


@dataclass(frozen=True)
class Step:
    """One thing the designer did: ``task`` (complete the ``nth`` ready user task ``element`` with
    ``data``) or ``timer`` (make the ``nth`` waiting timer ``element`` due)."""

    kind: str
    element: str
    nth: int = 0
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "element": self.element, "nth": self.nth, "data": self.data}


@dataclass
class ReadyTask:
    element: str
    nth: int
    title: str
    role: str | None
    form: str | None
    schema: dict | None
    item: Any = None  # one instance of a multi-instance task: its input item (the expert, the unit…)
    # what the form shows, as the task page would: the step's last submission in this run (a
    # returned report comes back filled), tables copied from earlier data (x-prefill)
    values: dict = field(default_factory=dict)
    bound: dict = field(default_factory=dict)  # tables held to their source rows


@dataclass
class Timer:
    element: str
    nth: int
    title: str
    kind: str
    due_at: datetime
    interrupting: bool


@dataclass
class Passed:
    element: str
    title: str  # "" for an element drawn without a name
    kind: str
    wrote: dict[str, Any]
    # a gateway: [(title of the branch taken, its condition or None for the default/unconditional)]
    took: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class TrialState:
    process_id: str
    title: str
    xml: str
    steps: list[Step]
    ready: list[ReadyTask] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    ended: bool = False
    lint_errors: list[LocatedError] = field(default_factory=list)
    error: str | None = None  # an expression failed, or a step no longer applies
    refused: dict[str, list[str]] | None = None  # the last step's form data, refused with field errors
    refused_step: Step | None = None

    @property
    def completed_elements(self) -> list[str]:
        return [p.element for p in self.passed]


# --- the parsed draft, kept for the next replay ---------------------------------------------

_parsed: OrderedDict[str, specs.ParsedBundle] = OrderedDict()


def _parse(files: dict[str, str]) -> specs.ParsedBundle:
    key = specs.content_hash(files)
    found = _parsed.get(key)
    if found is None:
        found = specs.parse_bundle(files)
        _parsed[key] = found
        while len(_parsed) > 4:
            _parsed.popitem(last=False)
    _parsed.move_to_end(key)
    return found


def processes(files: dict[str, str]) -> list[tuple[str, str]]:
    """(process id, name) of every executable process of a lint-clean bundle (none otherwise)."""
    parsed = _parse(files)
    if parsed.errors:
        return []
    return sorted((pid, p[0]) for pid, p in parsed.processes.items())


def _process_xml(files: dict[str, str], process_id: str) -> str:
    marker = f'id="{process_id}"'
    for name in sorted(files):
        if name.endswith(".bpmn") and marker in files[name]:
            return files[name]
    return ""


# --- replay ----------------------------------------------------------------------------------


def run(
    files: dict[str, str], process_id: str, start_data: dict, taken: list[Step], pool: list[str] | tuple = ()
) -> TrialState:
    """Replay ``taken`` on a fresh workflow of ``process_id`` from ``files``; never raises for
    what the designer typed or drew: lint errors, failing expressions and refused form data come
    back on the state. ``pool``: the experts a panel draw (``x-draw-field``) takes, in order."""
    parsed = _parse(files)
    known = parsed.processes.get(process_id)
    state = TrialState(process_id, known[0] if known else process_id, _process_xml(files, process_id), [])
    if parsed.errors:
        state.lint_errors = parsed.errors
        return state
    if process_id not in parsed.processes:
        state.error = f"草稿中没有可执行的流程 {process_id}"
        return state
    name, spec, subs, _serialized, _hash = parsed.processes[process_id]
    state.title = name
    workflow = BpmnWorkflow(spec, subs, script_engine=script_engine())
    try:
        forms.check_values(start_data)
        steps.put_start_data(workflow, start_data)
        steps.run(workflow)
    except FormInvalid as exc:
        state.error = "示例启动数据不可用：" + "；".join(
            f"{k}：{'，'.join(v)}" for k, v in exc.fields.items()
        )
        return state
    except Exception as exc:  # whatever the draft makes the engine raise is the designer's to read
        state.error = steps.error_text(exc)
        return _read(state, workflow, files)
    for index, step in enumerate(taken[:MAX_STEPS]):
        try:
            _apply(workflow, files, step, pool)
        except FormInvalid as exc:
            if index == len(taken) - 1:  # the step just posted: show its form again with the errors
                state.refused, state.refused_step = exc.fields, step
            else:
                state.error = f"第{index + 1}步的表单数据已不能通过校验"
            break
        except LookupError as exc:  # the step was taken on a path the draft no longer takes
            state.error = f"第{index + 1}步：{exc.args[0]}"
            break
        except Exception as exc:  # the step was taken; what ran after it failed (a script, a timer value…)
            state.steps.append(step)
            state.error = steps.error_text(exc)
            break
        state.steps.append(step)
    return _read(state, workflow, files)


def _apply(workflow, files: dict[str, str], step: Step, pool) -> None:
    if step.kind == "task":
        task = _nth(_ready(workflow), step.element, step.nth)
        if task is None:
            raise LookupError(f"任务 {step.element} 当前不在办理中")
        form = specs.user_task_form(task.task_spec)
        schema = _schema(files, form)
        data, _dropped = forms.accept(schema, _drawn(schema, step.data, pool), sources=dict(task.data))
        steps.complete_user_task(workflow, str(task.id), data)
    elif step.kind == "timer":
        waiting = [t for t in timer_events.waiting_timers(workflow) if t.task_spec == step.element]
        if step.nth >= len(waiting):
            raise LookupError(f"定时器 {step.element} 当前没有在等待")
        _make_due(workflow, waiting[step.nth].task_id)
        steps.fire_timers(workflow)
    else:
        raise LookupError(f"未知的试运行步骤 {step.kind}")


def _drawn(schema: dict | None, data: dict, pool) -> dict:
    """A panel asked to be drawn (R-EX-1) takes the first experts of the pool: a trial is
    repeatable, so it does not draw at random."""
    for name, prop in ((schema or {}).get("properties") or {}).items():
        size = data.get(prop.get("x-draw-field") or "")
        if prop.get("x-widget") != "expert-pool" or isinstance(size, bool) or not isinstance(size, int):
            continue
        if size > len(pool):
            raise FormInvalid({prop["x-draw-field"]: [f"专家库中可抽取的专家只有 {len(pool)} 位"]})
        if size > 0 and not data.get(name):
            data = {**data, name: list(pool[:size])}
    return data


def _shown(schema: dict | None, last: dict, sources: dict) -> tuple[dict, dict]:
    """(values, bound tables) a ready task's form shows, as the task page fills it."""
    if not schema:
        return dict(last), {}
    draw = {p.get("x-draw-field") for p in (schema.get("properties") or {}).values() if isinstance(p, dict)}
    values = {k: v for k, v in last.items() if k not in draw}  # how many to draw is asked afresh
    values.update(prefill.prefilled(schema, values, sources))
    values.update(prefill.scalars(schema, values, sources, None))
    return values, prefill.bound_tables(schema, sources)


def _make_due(workflow, task_id: str) -> None:
    """Move one waiting timer's computed due time into the past, so the next refresh fires it."""
    task = next(t for t in all_tasks(workflow) if str(t.id) == task_id)
    value = task.internal_data.get("event_value")
    past = "2000-01-01T00:00:00+00:00"
    if isinstance(value, dict):  # a cycle: the next occurrence is due now
        value = {**value, "next": past}
    else:
        value = past
    task.internal_data["event_value"] = value


def _ready(workflow) -> list:
    return [t for t in all_tasks(workflow) if t.task_spec.manual and t.state == TaskState.READY]


def _nth(tasks: list, element: str, nth: int):
    matching = [t for t in tasks if (t.task_spec.bpmn_id or t.task_spec.name) == element]
    return matching[nth] if 0 <= nth < len(matching) else None


def _schema(files: dict[str, str], form: str | None) -> dict | None:
    if not form or form not in files:
        return None
    try:
        return json.loads(files[form])
    except ValueError:
        return None


def _item(task) -> Any:
    spec = task.parent.task_spec if task.parent is not None else None
    item = getattr(spec, "input_item", None)
    return task.data.get(item.bpmn_id) if item is not None else None


def _title(task_spec) -> str:
    return task_spec.bpmn_name or task_spec.bpmn_id or task_spec.name


def _kind(task_spec) -> str:
    for cls in type(task_spec).__mro__:
        if cls.__name__ in _KINDS:
            return _KINDS[cls.__name__]
    return "task"


def _wrote(task) -> dict[str, Any]:
    before = task.parent.data if task.parent is not None else {}
    return {k: v for k, v in task.data.items() if before.get(k, _MISSING) != v}


_MISSING = object()


def _took(task) -> list[tuple[str, str | None]]:
    spec = task.task_spec
    conditions = {}
    for cond, target in getattr(spec, "cond_task_specs", None) or []:
        conditions[target] = cond.args[0] if cond is not None and getattr(cond, "args", None) else None
    return [(_title(child.task_spec), conditions.get(child.task_spec.name)) for child in task.children]


def _read(state: TrialState, workflow, files: dict[str, str]) -> TrialState:
    completed = sorted(
        (t for t in all_tasks(workflow) if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id),
        key=lambda t: t.last_state_change,
    )
    for task in completed:
        kind = _kind(task.task_spec)
        passed = Passed(task.task_spec.bpmn_id, task.task_spec.bpmn_name or "", kind, _wrote(task))
        if kind == "gateway" and len(task.task_spec.outputs) > 1:
            passed.took = _took(task)
        state.passed.append(passed)
    seen: dict[str, int] = {}
    last = {(s.element, s.nth): s.data for s in state.steps if s.kind == "task"}
    for task in _ready(workflow):
        element = task.task_spec.bpmn_id or task.task_spec.name
        nth = seen[element] = seen.get(element, -1) + 1
        form = specs.user_task_form(task.task_spec)
        schema = _schema(files, form)
        values, bound = _shown(schema, last.get((element, nth), {}), dict(task.data))
        state.ready.append(
            ReadyTask(
                element,
                nth,
                _title(task.task_spec),
                specs.task_property(task.task_spec, "role") or task.task_spec.lane,
                form,
                schema,
                _item(task),
                values,
                bound,
            )
        )
    titles = {t.task_spec.bpmn_id: _title(t.task_spec) for t in all_tasks(workflow) if t.task_spec.bpmn_id}
    seen = {}
    for timer in timer_events.waiting_timers(workflow):
        nth = seen[timer.task_spec] = seen.get(timer.task_spec, -1) + 1
        state.timers.append(
            Timer(
                timer.task_spec,
                nth,
                titles.get(timer.task_spec, timer.task_spec),
                timer.kind,
                timer.due_at,
                timer.interrupting,
            )
        )
    state.ended = workflow.is_completed()
    last = completed[-1] if completed else None
    state.data = dict(workflow.data) if state.ended else (dict(last.data) if last is not None else {})
    return state
