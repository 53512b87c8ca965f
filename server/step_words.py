"""Steps named in words a clerk reads: where the work went once a task is submitted (the flash),
and the steps a process waits at (a project's processes).

A step sent to several people is named once with how many (专家评审打分（3位专家）); a decision
that sends the work back (退回, ``queries.returns``) says so, and to whom.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from workflows.queries import returns
from workflows.store import Project

from . import labels
from .extensions import db


def _joined(parts: list[str]) -> str:
    return ("、" if labels.is_zh() else ", ").join(parts)


def next_steps(next_tasks) -> str:
    """The steps now open, each named once in the order they opened; a step opened for several
    people carries the count (one ``专家评审打分`` task per drawn expert)."""
    seen: dict[str, list] = {}
    for task in next_tasks:
        seen.setdefault(task.title, []).append(task)
    parts = []
    for title, tasks in seen.items():
        name = labels.local_name(title)
        if len(tasks) == 1:
            parts.append(name)
        elif all(t.role == "expert" for t in tasks):
            parts.append(_("%(step)s（%(n)s位专家）", step=name, n=len(tasks)))
        else:
            parts.append(_("%(step)s（%(n)s项）", step=name, n=len(tasks)))
    return _joined(parts)


def current_steps(text: str | None) -> str:
    """An instance's 当前环节 as stored (its open steps' titles joined by 、) with each step named
    once, in the page's language: 专家评审打分（3项）, not the title three times."""
    counts: dict[str, int] = {}
    for title in (text or "").split("、"):
        if title.strip():
            counts[title.strip()] = counts.get(title.strip(), 0) + 1
    return _joined(
        [
            labels.local_name(title)
            if n == 1
            else _("%(step)s（%(n)s项）", step=labels.local_name(title), n=n)
            for title, n in counts.items()
        ]
    )


def register(app) -> None:
    app.add_template_filter(current_steps, "current_steps")
    app.add_template_filter(return_notice, "return_notice")


def return_notice(decisions: list[dict] | None, came_back_from: str | None = None) -> dict | None:
    """The last earlier decision, when it returned the work: who (name and role), when, the
    verdict and the reason they gave.

    ``decisions`` are the task page's earlier steps (oldest first); only the latest one counts,
    so a return that was since resubmitted and approved shows no banner. A decision returned the
    work when it holds a return verdict (退回修改) or when it is ``came_back_from``, the decision
    that reopened this step (``queries.returns.came_back_from``: a first 不予安排, R-TG-2).
    """
    if not decisions:
        return None
    last = decisions[-1]
    data = last.get("data") or {}
    verdicts = returns.verdicts(data)
    if not verdicts and not (came_back_from and last.get("task_id") == came_back_from):
        return None
    chosen = [d["value"] for d in last.get("decision") or []]
    return {
        "title": labels.local_name(last.get("title")),
        "actor": labels.person_name(last.get("actor")),
        "role": labels.role_name(last.get("role")) if last.get("role") else "",
        "at": last.get("at"),
        "verdict": (verdicts or chosen or [""])[0],
        "note": labels.form_text(returns.return_note(last.get("form"), data)),
        "reason": returns.reason_of(data, last.get("form")),
    }


def _whom(step: returns.ReturnedTo) -> str:
    """The unit the work went back to and the person: its holder, else who handed it in last;
    with neither, the unit's role (单位填报人)."""
    person = step.assignee or step.last_handler
    named = labels.person_name(person) if person else labels.role_name(step.role)
    if step.unit_name:
        return _("%(unit)s（%(person)s）", unit=step.unit_name, person=named)
    return named


def returned(next_tasks, declared: bool = True) -> str | None:
    """``已退回至万载县住房和城乡建设局（张珊），待其修改后重新提交：填报绩效目标`` — None when the
    return opened no task (the process ended), for the ordinary wording to say where it stands.
    A decision that is no return verdict (``declared`` False) returned the work when it opened a
    step handed in before (a first 不予安排, R-TG-2); only those steps are named."""
    db.session.rollback()  # a fresh read: the command committed after this request's first read
    # only a step the submission opened: one still open beside it (another expert's sheet) was not returned
    steps = returns.returned_to(db.session, [t.id for t in next_tasks if t.opened])
    if not declared:
        steps = [step for step in steps if step.again]
    if not steps:
        return None
    by_whom: dict[str, list[str]] = {}
    for step in steps:
        titles = by_whom.setdefault(_whom(step), [])
        if labels.local_name(step.title) not in titles:
            titles.append(labels.local_name(step.title))
    return "；".join(
        _("已退回至%(whom)s，待其修改后重新提交：%(step)s", whom=whom, step=_joined(titles))
        for whom, titles in by_whom.items()
    )


def after_submit(task, data: dict, result, schema: dict | None = None) -> str:
    """The flash after ``task`` was submitted with ``data`` (on its form ``schema``) and the
    command answered ``result``; a return first says what the form says it amounts to."""
    declared = bool(returns.verdicts(data))
    # a decision (not a resubmission) that reopened a step handed in before returned the work
    if (declared or returns.decision_of(schema, data)) and (words := returned(result.next_tasks, declared)):
        note = returns.return_note(schema, data)
        return _("%(note)s：%(words)s", note=labels.form_text(note), words=words) if note else words
    where = next_steps(result.next_tasks) or _stage_after(result)
    if task.project_id:
        return _("已提交。项目当前环节：%(where)s", where=where)
    # a step of no project (an annual report, an assessment): no 项目 to speak of
    return _("已提交。当前环节：%(where)s", where=where)


def _stage_after(result) -> str:
    """Where the project stands when the step's own process has ended (a review, a sub-path):
    its stage as the command left it, not 流程已结束 while the project goes on."""
    project_id = result.instance.project_id if result.instance else None
    if project_id is None:
        return _("流程已结束")
    db.session.rollback()  # a fresh read: the command committed after this request's first read
    stage = db.session.scalar(select(Project.stage).where(Project.id == project_id))
    return labels.stage_name(stage) if stage else _("流程已结束")
