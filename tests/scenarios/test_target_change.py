"""绩效目标调整 target change requests (DOMAIN R-TG-3, R-TG-6), through ``bpmn/target_change.bpmn``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from demo import form_data as forms
from workflows import policy
from workflows.commands import target_change as tc
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, NotFound
from workflows.store import TargetVersion

from .conftest import in_role

OFFICE = policy.Actor("scenario.office", frozenset({"performance_office"}))


def request(paths, project_id):
    return tc.request_change(paths.db, project_id, actor=in_role("unit_submitter", paths.unit_id))


def changed_targets(reason="上级下达任务调整，改造户数由1200户调整为1500户", amount=None) -> dict:
    targets = forms.performance_targets("农村人居环境整治项目")
    targets["indicators"][0]["target_value"] = "1500"
    data = {
        "tc_reason": reason,
        "tg_overall_goal": targets["tg_overall_goal"],
        "indicators": targets["indicators"],
    }
    if amount is not None:
        data["tc_new_amount"] = amount
    return data


def versions(db, project_id) -> list[TargetVersion]:
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(TargetVersion)
                .where(TargetVersion.project_id == project_id)
                .order_by(TargetVersion.version)
            )
        )
        session.expunge_all()
        return rows


@pytest.fixture
def approved(paths):
    """A continuing project whose targets finance approved."""
    iid = paths.start(is_new=False)
    paths.through_targets(iid)
    return paths.project_row(iid).id


def through_change(paths, cid, data, decision="同意调整"):
    paths.do(cid, "tc_request", data)
    paths.do(cid, "tc_head", {"tc_head_decision": "同意", "tc_head_comment": "同意报送"})
    paths.do(cid, "tc_review", {"tc_decision": decision, "tc_comment": "调整理由充分"})


def test_R_TG_3_change_refused_before_targets_are_approved(paths):
    """R-TG-3: only approved targets have a change procedure; before approval the unit edits them."""
    iid = paths.start(is_new=False)
    with pytest.raises(BusinessRuleRefused, match="尚未批复"):
        request(paths, paths.project_row(iid).id)


def test_R_TG_3_no_change_once_the_project_is_evaluated(paths):
    """R-TG-3: targets change while the budget is spent; once the project is in evaluation (or
    done) its targets are what it is judged against, and a change request is refused."""
    iid = paths.start()
    paths.to_evaluation(iid)
    with pytest.raises(BusinessRuleRefused, match="不能再调整"):
        request(paths, paths.project_row(iid).id)


def test_R_TG_3_approved_change_is_a_new_version_flagged_for_republication(paths, approved):
    """R-TG-3: approved targets change only through finance's approval; the earlier version stays
    readable and the change is flagged for re-publication."""
    cid = request(paths, approved)
    assert paths.open(cid) == ["tc_request"]
    assert paths.tasks(cid)[0].role == "unit_submitter"
    through_change(paths, cid, changed_targets())
    assert paths.status(cid) == "completed"
    first, second = versions(paths.db, approved)
    assert (first.version, first.source, first.republish_pending) == (1, "target_review", False)
    assert first.indicators[0]["target_value"] != "1500"
    assert (second.version, second.source, second.republish_pending) == (2, "target_change", True)
    assert second.indicators[0]["target_value"] == "1500"
    assert second.reason.startswith("上级下达任务调整")
    tc.mark_republished(paths.db, second.id, actor=OFFICE)
    assert versions(paths.db, approved)[1].republish_pending is False


def test_R_TG_3_finance_may_return_the_request(paths, approved):
    cid = request(paths, approved)
    paths.do(cid, "tc_request", changed_targets())
    paths.do(cid, "tc_head", {"tc_head_decision": "同意", "tc_head_comment": "同意报送"})
    paths.do(cid, "tc_review", {"tc_decision": "退回修改", "tc_comment": "请补充测算依据"})
    assert paths.open(cid) == ["tc_request"]
    assert len(versions(paths.db, approved)) == 1


def test_R_TG_3_refused_change_keeps_the_targets(paths, approved):
    cid = request(paths, approved)
    through_change(paths, cid, changed_targets(amount=500.0), decision="不同意调整")
    assert [v.version for v in versions(paths.db, approved)] == [1]
    assert paths.project_row(cid).amount == Decimal("362.00")


def test_R_TG_3_one_open_request_at_a_time(paths, approved):
    request(paths, approved)
    with pytest.raises(Conflict):
        request(paths, approved)


def test_R_TG_3_only_the_projects_unit_requests_a_change(paths, approved):
    other = policy.Actor("other.unit", frozenset({"unit_submitter"}), unit_id=(paths.unit_id or 0) + 999)
    with pytest.raises(NotFound):  # another unit does not even see the project
        tc.request_change(paths.db, approved, actor=other)


def test_R_TG_3_a_unit_head_does_not_start_a_request(paths, approved):
    head = in_role("unit_head", paths.unit_id)
    with pytest.raises(Forbidden):
        tc.request_change(paths.db, approved, actor=head)


def may_request(paths, project_id, actor) -> bool:
    from workflows.store import Project

    with paths.db.reading() as session:
        return tc.may_request_change(session, session.get(Project, project_id), actor)


def test_R_TG_3_the_page_offers_a_change_exactly_when_the_command_would_start_one(paths):
    """The project page shows 申请调整绩效目标 by ``may_request_change``, the command's own rule:
    not before approval, not to a unit head, not while a request is open."""
    iid = paths.start(is_new=False)
    project = paths.project_row(iid).id
    submitter = in_role("unit_submitter", paths.unit_id)
    assert not may_request(paths, project, submitter)  # targets not yet approved: the command refuses
    with pytest.raises(BusinessRuleRefused):
        tc.request_change(paths.db, project, actor=submitter)

    paths.through_targets(iid)
    assert may_request(paths, project, submitter)
    assert not may_request(paths, project, in_role("unit_head", paths.unit_id))
    assert versions(paths.db, project) != []  # recorded at approval: reading it costs no workflow load

    request(paths, project)
    assert not may_request(paths, project, submitter)  # one open request at a time


def test_R_TG_6_approved_change_resizes_the_budget(paths, approved):
    """R-TG-6: a target change may resize the project's budget (调整预算规模)."""
    cid = request(paths, approved)
    through_change(paths, cid, changed_targets(amount=420.5))
    assert paths.project_row(cid).amount == Decimal("420.50")
    assert [v.amount for v in versions(paths.db, approved)] == [Decimal("362.00"), Decimal("420.50")]


def test_R_TG_6_no_amount_keeps_the_budget(paths, approved):
    cid = request(paths, approved)
    through_change(paths, cid, changed_targets())
    assert paths.project_row(cid).amount == Decimal("362.00")
