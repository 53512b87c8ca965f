"""An expert's scoring task is not theirs to pass on (DOMAIN R-EX-1, finding 1 of walk 11).

A panel member who cannot serve is replaced by the performance office (更换专家,
``panels.replace_panel_member``), which checks avoidance and that no one scores twice. The
expert's own 转交/委托 is refused in the command, with a Chinese reason and an audit event.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from workflows import commands
from workflows.errors import BusinessRuleRefused
from workflows.policy import Actor
from workflows.store import AuditEvent, FinanceOffice, HumanTask, User

from .test_pages import _to_finance_review


def _wang_scoring(web, db_of) -> HumanTask:
    review = _to_finance_review(web, db_of)
    web("li.si").post(f"/tasks/{review.id}", {"decision": "approve", "action": "submit"})
    with db_of.reading() as session:
        return session.scalars(
            select(HumanTask).where(
                HumanTask.task_spec == "expert_score", HumanTask.assignee == "wang.expert"
            )
        ).one()


def _refusals(db_of, task_id):
    with db_of.reading() as session:
        return session.scalars(
            select(AuditEvent).where(
                AuditEvent.task_id == task_id, AuditEvent.action == "task.transfer_refused"
            )
        ).all()


def test_r_ex_1_an_expert_cannot_pass_their_scoring_task_to_another_expert(web, db_of, api):
    scoring = _wang_scoring(web, db_of)
    expert = web("wang.expert")
    page = expert.get(f"/tasks/{scoring.id}").text
    assert 'action="/tasks/' + scoring.id + '/assign"' not in page  # no 转交 control at all
    assert "更换专家" in page and "绩效管理" in page  # told who replaces a panel member
    for mode in ("assign", "delegate"):
        response = expert.post(f"/tasks/{scoring.id}/assign", {"username": "sun.expert", "mode": mode})
        assert response.status_code == 422
        assert "专家评审任务不能转交" in response.text and "sun.expert" not in response.text
    answer = api("wang.expert").post(f"/api/v1/tasks/{scoring.id}/assign", json={"username": "sun.expert"})
    assert answer.status_code == 422 and "更换专家" in answer.json["message"]
    with db_of.reading() as session:
        assert session.get(HumanTask, scoring.id).assignee == "wang.expert"
    refusals = _refusals(db_of, scoring.id)
    assert len(refusals) == 3 and {r.actor for r in refusals} == {"wang.expert"}
    assert refusals[0].data["to"] == "sun.expert"


def test_r_ex_1_the_command_refuses_an_expert_task_transfer_even_for_an_administrator(web, db_of):
    scoring = _wang_scoring(web, db_of)
    admin = Actor("admin", roles=frozenset({"admin"}))
    with pytest.raises(BusinessRuleRefused, match="更换专家"):
        commands.assign(db_of, scoring.id, "sun.expert", actor=admin)
    with pytest.raises(BusinessRuleRefused):
        commands.delegate(
            db_of, scoring.id, "sun.expert", actor=Actor("wang.expert", roles=frozenset({"expert"}))
        )
    assert len(_refusals(db_of, scoring.id)) == 2


def test_a_transfer_confirms_with_the_colleagues_name_not_their_login(web, db_of):
    with db_of.reading() as session:
        office = session.scalar(
            select(FinanceOffice.name)
            .join(User, User.office_id == FinanceOffice.id)
            .where(User.username == "li.si")
        )
    factories.user(db_of, "qian.fin", "finance_reviewer", display_name="钱多多", office=office)
    review = _to_finance_review(web, db_of)
    reviewer = web("li.si")
    reviewer.post(f"/tasks/{review.id}/claim")
    page = reviewer.get(f"/tasks/{review.id}").text
    assert "转交给" in page  # the control says what it does
    response = reviewer.post(f"/tasks/{review.id}/assign", {"username": "qian.fin"}, follow_redirects=True)
    assert "已转交给 钱多多" in response.text and "qian.fin" not in response.text
