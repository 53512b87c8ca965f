"""A notice (通知, the bell) to whom the work went back: who returned it, to which step, and the
reason they gave (DOMAIN R-RC-1: the unit learns of a return and its reasons).

A completed decision returned the work when it holds a return verdict (退回修改) or when it
reopened a step handed in before (a first 不予安排, R-TG-2): the same test the task page's
banner makes (:mod:`workflows.queries.returns`). The notice goes through the ``notify``
delivery (:func:`workflows.commands.notices.deliver`), to the reopened task's owner.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..queries import returns
from ..store import HumanTask, Project, User
from . import notices


def _handed_in_before(session: Session, task: HumanTask) -> bool:
    return (
        session.scalar(
            select(HumanTask.id)
            .where(
                HumanTask.instance_id == task.instance_id,
                HumanTask.task_spec == task.task_spec,
                HumanTask.status == "completed",
            )
            .limit(1)
        )
        is not None
    )


def returned_steps(
    session: Session, completed_spec: str, data: dict, schema: dict | None, next_task_ids: list[str]
) -> list[HumanTask]:
    """The tasks a decision sent the work back to (none when it returned nothing)."""
    verdict = bool(returns.verdicts(data))
    if not verdict and not returns.decision_of(schema, data):  # a resubmission reopens the review: no return
        return []
    opened = (
        list(session.scalars(select(HumanTask).where(HumanTask.id.in_(next_task_ids))))
        if next_task_ids
        else []
    )
    if verdict:
        return opened
    return [t for t in opened if t.task_spec != completed_spec and _handed_in_before(session, t)]


def notify_returned(
    session: Session,
    instance,
    completed_spec: str,
    data: dict,
    schema: dict | None,
    next_task_ids,
    actor_name: str,
) -> None:
    """Deliver one notice per reopened step: ``「项目」已被李四退回至「填报绩效目标」…退回理由：…``."""
    steps = returned_steps(session, completed_spec, data, schema, list(next_task_ids))
    if not steps:
        return
    who = session.scalar(select(User.display_name).where(User.username == actor_name)) or actor_name
    project = (
        session.scalar(select(Project.name).where(Project.id == instance.project_id))
        if instance.project_id
        else None
    )
    what = f"「{project}」" if project else ""
    reason = returns.reason_of(data, schema)
    note = returns.return_note(schema, data)
    raised, seen = [], set()
    for step in steps:
        if step.task_spec in seen:
            continue
        seen.add(step.task_spec)
        message = f"{what}已被{who}退回至「{step.title}」，请修改后重新提交。"
        if note:
            message += f"{note}。"
        if reason:
            message += f"退回理由：{reason}"
        raised.append(
            {
                "task": step.task_spec,
                "kind": "returned",
                "subject": f"已被退回：{step.title}",
                "message": message,
            }
        )
    notices.deliver(session, instance, raised, actor_name)
