"""试运行 (issue 13 item 7): the designer steps through a draft process lane by lane before deploying.

Stateless: the page carries the sample start data and the steps taken so far; each post
replays them (``workflows.queries.designer_trial``) and adds one step: a task completed with
the form the task page would show, or a timer made due. Nothing is stored.
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from workflows.queries import designer_trial as trials

from . import formrender
from .auth import page_user
from .current import database
from .designer import designer_required

bp = Blueprint("designer_trial", __name__, url_prefix="/designer/trial")

MAX_START_DATA = 64_000


class _StepSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["task", "timer"]))
    element = fields.String(required=True, validate=validate.Length(1, 200))
    nth = fields.Integer(load_default=0, validate=validate.Range(0, 999))
    data = fields.Dict(load_default=dict)


def _start_data(text: str) -> tuple[dict, str | None]:
    if len(text) > MAX_START_DATA:
        return {}, _("示例启动数据过长")
    try:
        data = json.loads(text or "{}")
    except ValueError as exc:
        return {}, _("示例启动数据不是有效的 JSON：%(error)s", error=str(exc))
    if not isinstance(data, dict):
        return {}, _('示例启动数据须是一个 JSON 对象，如 {"project_amount": 362}')
    return data, None


def _taken(text: str) -> list[trials.Step]:
    try:
        rows = _StepSchema(many=True).load(json.loads(text or "[]"))
    except (ValueError, ValidationError, TypeError):
        rows = None
    if rows is None or len(rows) > trials.MAX_STEPS:
        raise ValidationError(_("试运行记录无法读取，请重新开始"))
    return [trials.Step(r["kind"], r["element"], r["nth"], r["data"]) for r in rows]


def _start_page(process_id: str | None, start_text: str | None = None, error: str | None = None):
    with database().reading() as session:
        choices = trials.processes(session, page_user().actor)
        if start_text is None:
            sample = trials.sample_start_data(session, process_id) if process_id else {}
            start_text = json.dumps(sample, ensure_ascii=False, indent=2)
    return render_template(
        "designer/trial_start.html",
        choices=choices,
        process_id=process_id,
        start_text=start_text,
        error=error,
    ), (400 if error else 200)


@bp.get("/")
@designer_required
def start():
    return _start_page(request.args.get("process"))


@bp.post("/")
@designer_required
def step():
    form = request.form
    process_id = form.get("process_id", "")
    start_text = form.get("start_data", "{}")
    start_data, problem = _start_data(start_text)
    if problem:
        return _start_page(process_id, start_text, problem)
    try:
        taken = _taken(form.get("steps", "[]"))
    except ValidationError as exc:
        return _start_page(process_id, start_text, exc.messages[0])
    action = form.get("action", "start")
    kind, _sep, rest = action.partition(":")
    element, _sep, nth = rest.rpartition(":")
    actor = page_user().actor
    undone = None
    with database().reading() as session:
        if kind == "start":
            taken = []
        elif kind == "undo" and taken:
            taken, undone = taken[:-1], taken[-1]
        elif kind == "timer" and nth.isdigit():
            taken = [*taken, trials.Step("timer", element, int(nth))]
        elif kind == "task" and nth.isdigit():
            before = trials.run(session, actor, process_id, start_data, taken)
            task = next((t for t in before.ready if t.element == element and t.nth == int(nth)), None)
            if task is not None:
                data = formrender.parse_form(task.schema or {}, form)
                taken = [*taken, trials.Step("task", element, int(nth), data)]
        state = trials.run(session, actor, process_id, start_data, taken)
        choices = {"expert-pool": trials.expert_choices(session)}
    return render_template(
        "designer/trial.html",
        state=state,
        form_fields=lambda task: _fields(state, task, undone, choices),
        start_text=start_text,
        steps_json=json.dumps([s.as_dict() for s in state.steps], ensure_ascii=False),
        short=_short,
    ), (400 if state.refused else 200)


def _fields(state, task, undone, choices) -> list:
    """A ready task's form: refused data with its errors, the undone step's data (undo keeps what
    was typed), else what the task page would pre-fill."""
    values = task.values
    for step in (state.refused_step, undone):
        if step is not None and step.kind == "task" and (step.element, step.nth) == (task.element, task.nth):
            values = step.data
            break
    return formrender.fields_of(task.schema or {}, values, choices, task.bound)


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "…"
