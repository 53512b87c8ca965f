"""绩效目标审核 performance targets (DOMAIN 3.2), through the real bpmn/ files."""

from __future__ import annotations

import pytest

from demo import form_data as forms
from workflows.errors import FormInvalid
from workflows.queries import inbox

from .conftest import YEAR, in_role


@pytest.fixture
def at_targets(paths):
    """A continuing project whose unit is setting targets."""
    return paths.start(is_new=False)


def test_every_project_sets_targets_before_budgeting(paths, at_targets):
    """R-TG-1: the targets are part of the budget submission, set by the unit."""
    task = paths.tasks(at_targets)[0]
    assert (task.task_spec, task.role, task.form) == ("tg_set", "unit_submitter", "performance_targets.json")


def test_indicator_table_is_summarised(paths, at_targets):
    """R-TG-5: an indicator table (level, name, value, unit, direction, weight) is kept with the targets."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    data = paths.data(at_targets)
    assert data["tg_indicator_count"] == 5
    assert data["tg_weight_total"] == 100.0
    assert data["indicators"][0]["level1"] == "产出指标"


def test_indicator_without_weight_is_refused(paths, at_targets):
    """R-TG-5: every indicator has a weight."""
    targets = forms.performance_targets("高标准农田建设项目")
    del targets["indicators"][1]["weight"]
    with pytest.raises(FormInvalid) as refused:
        paths.do(at_targets, "tg_set", targets)
    assert "indicators/1/weight" in refused.value.fields


def test_indicator_level_must_be_a_known_type(paths, at_targets):
    """R-TG-5: second-level types are quantity, quality, timeliness, cost, benefits, sustainability, satisfaction."""
    targets = forms.performance_targets("高标准农田建设项目")
    targets["indicators"][0]["level2"] = "其他指标"
    with pytest.raises(FormInvalid) as refused:
        paths.do(at_targets, "tg_set", targets)
    assert "indicators/0/level2" in refused.value.fields


def test_no_targets_cannot_be_submitted(paths, at_targets):
    """R-TG-2: no targets → nothing to budget; an empty indicator table is refused."""
    targets = forms.performance_targets("高标准农田建设项目")
    targets["indicators"] = []
    with pytest.raises(FormInvalid):
        paths.do(at_targets, "tg_set", targets)


def test_finance_reviews_the_targets(paths, at_targets):
    """R-TG-2: finance reviews what the unit set."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    assert [t.role for t in paths.tasks(at_targets)] == ["finance_reviewer"]


def test_targets_are_returned_before_they_can_be_refused(paths, at_targets):
    """R-TG-2: unreasonable targets are first returned for adjustment."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    paths.do(at_targets, "tg_review", forms.targets_decision("不予安排"))
    assert paths.open(at_targets) == ["tg_set"]
    assert paths.status(at_targets) == "running"


def test_targets_not_adjusted_after_a_return_block_the_budget(paths, at_targets):
    """R-TG-2: unreasonable targets that the unit does not adjust → no budget."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    paths.do(at_targets, "tg_review", forms.targets_decision("退回调整"))
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    paths.do(at_targets, "tg_review", forms.targets_decision("不予安排"))
    assert paths.status(at_targets) == "completed"
    assert paths.data(at_targets)["targets_status"] == "不予安排预算"
    assert paths.project_row(at_targets).stage == "not_budgeted"


def test_targets_returned_beyond_the_bound_are_refused(paths, at_targets):
    """R-TG-2 with R-RC-2: returns are bounded (3); the fourth return ends in refusal."""
    for _ in range(4):
        paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
        paths.do(at_targets, "tg_review", forms.targets_decision("退回调整"))
    assert paths.project_row(at_targets).stage == "not_budgeted"


def test_approved_targets_are_published_with_the_budget(paths, at_targets):
    """R-TG-3: approved targets go with the draft budget to the congress and are published."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    paths.do(at_targets, "tg_review", forms.targets_decision("通过"))
    data = paths.data(at_targets)
    assert data["targets_publish_with_budget"] is True and data["targets_report_to_congress"] is True
    assert data["indicators"] == forms.performance_targets("高标准农田建设项目")["indicators"]
    assert paths.project_row(at_targets).stage == "monitoring"


def _inbox_row(paths, iid, role):
    """The instance's row in the inbox of someone holding ``role`` in the unit: 我的任务 (the
    project's filer, who created it, gets its targets) or 待认领."""
    with paths.db.reading() as session:
        actor = in_role(role, paths.unit_id)
        rows = [*inbox.tasks(session, actor, "mine").items, *inbox.tasks(session, actor, "claimable").items]
    return next(row for row in rows if row.instance_id == iid)


def test_r_tg_2_returned_targets_are_marked_in_the_submitters_inbox(paths, at_targets):
    """R-TG-2 退回调整: the unit sees in its inbox that the targets came back, not only on the task page;
    once resubmitted, the reviewer's row carries no mark."""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    assert _inbox_row(paths, at_targets, "finance_reviewer").returned is False
    paths.do(at_targets, "tg_review", forms.targets_decision("退回调整"))
    assert _inbox_row(paths, at_targets, "unit_submitter").returned is True
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    assert _inbox_row(paths, at_targets, "finance_reviewer").returned is False


def test_r_tg_2_a_first_refusal_marks_the_returned_targets_in_the_submitters_inbox(paths, at_targets):
    """R-TG-2: a first 不予安排 sends the targets back to the unit to adjust: its inbox row is marked
    退回 as a 退回调整's is (the task page's banner says so too); a fresh task carries no mark, and
    neither does the reviewer's row once the adjusted targets are in. (Each step a day apart: a
    step handed in before is one handed in at an earlier moment.)"""
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    assert _inbox_row(paths, at_targets, "finance_reviewer").returned is False
    paths.clock_at(f"{YEAR - 1}-09-11T09:00:00")
    paths.do(at_targets, "tg_review", forms.targets_decision("不予安排"))
    assert _inbox_row(paths, at_targets, "unit_submitter").returned is True
    fresh = paths.start(is_new=False)
    assert _inbox_row(paths, fresh, "unit_submitter").returned is False
    paths.clock_at(f"{YEAR - 1}-09-12T09:00:00")
    paths.do(at_targets, "tg_set", forms.performance_targets("高标准农田建设项目"))
    assert _inbox_row(paths, at_targets, "finance_reviewer").returned is False
