"""专家库 the expert pool (DOMAIN R-EX-1) choosing the panels of R-EA-3 and R-EV-3, through the
real bpmn/ files: the finance reviewer picks the panel on the review form, or has it drawn
avoiding the project's own unit, and a member can be replaced while their task is open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from demo import form_data as demo
from workflows import commands, policy
from workflows.commands import panels
from workflows.errors import FormInvalid, TaskNotFound
from workflows.store import AuditEvent, BudgetUnit

ADMIN = policy.Actor.system("admin")
OUTSIDE = ["wang.expert", "zhao.expert", "sun.expert", "qian.expert"]


@pytest.fixture
def pool(paths):
    """Four experts from outside the project's unit, one (zhou.expert) from inside it."""
    iid = paths.start(project_name="万载县城区污水处理厂提标改造项目", amount_wan=1261.22)
    commands.create_unit(paths.db, "U-OTHER", "万载县财政局", actor=ADMIN)
    with paths.db.reading() as session:
        own_code = session.get(BudgetUnit, paths.unit_id).code
    for username in OUTSIDE:
        commands.add_expert(
            paths.db, commands.NewExpert(username, username, ("给排水",), "南昌大学", "U-OTHER"), actor=ADMIN
        )
    commands.add_expert(
        paths.db, commands.NewExpert("zhou.expert", "周工", ("工程造价",), "本单位", own_code), actor=ADMIN
    )
    paths.do(iid, "ea_write", demo.ex_ante_report("万载县城区污水处理厂提标改造项目", 1261.22))
    paths.do(iid, "ea_head", demo.head_approval())
    return iid


def review(**panel):
    return {**demo.ex_ante_review(88, next_step="专家评审"), **panel}


def test_R_EX_1_reviewer_picks_the_panel_from_the_pool(paths, pool):
    paths.do(pool, "ea_finance_review", review(experts=["wang.expert", "sun.expert"]))
    assert sorted(t.assignee for t in paths.tasks(pool, "ea_expert_score")) == ["sun.expert", "wang.expert"]


def test_R_EX_1_expert_review_needs_a_panel(paths, pool):
    with pytest.raises(FormInvalid) as refused:
        paths.do(pool, "ea_finance_review", review())
    assert "experts" in refused.value.fields
    assert paths.open(pool) == ["ea_finance_review"]


def test_R_EX_1_a_picked_expert_must_be_in_the_pool_and_not_of_the_projects_unit(paths, pool):
    for wrong in (["expert.wang"], ["zhou.expert"]):
        with pytest.raises(FormInvalid) as refused:
            paths.do(pool, "ea_finance_review", review(experts=wrong))
        assert "experts" in refused.value.fields
    assert paths.open(pool) == ["ea_finance_review"]


def test_R_EX_1_a_drawn_panel_avoids_the_projects_unit_and_its_seed_is_audited(paths, pool):
    paths.do(pool, "ea_finance_review", review(experts_draw=3))
    drawn = sorted(t.assignee for t in paths.tasks(pool, "ea_expert_score"))
    assert len(drawn) == 3 and set(drawn) <= set(OUTSIDE)
    with paths.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.drawn"))
    assert "zhou.expert" not in event.data["candidates"]
    assert panels.draw(event.data["candidates"], 3, event.data["seed"]) == drawn == event.data["chosen"]


def test_R_EX_1_cannot_draw_more_than_the_eligible_pool(paths, pool):
    with pytest.raises(FormInvalid) as refused:
        paths.do(pool, "ea_finance_review", review(experts_draw=5))
    assert "experts_draw" in refused.value.fields
    with paths.db.reading() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.drawn")) is None


def test_R_EX_1_a_panel_member_is_replaced_while_their_task_is_open(paths, pool):
    paths.do(pool, "ea_finance_review", review(experts=["wang.expert", "zhao.expert"]))
    wang = next(t for t in paths.tasks(pool, "ea_expert_score") if t.assignee == "wang.expert")
    reviewer = policy.Actor("li.si", frozenset({"finance_reviewer"}))
    commands.replace_panel_member(paths.db, wang.id, "sun.expert", actor=reviewer, reason="回避")
    assert sorted(t.assignee for t in paths.tasks(pool, "ea_expert_score")) == ["sun.expert", "zhao.expert"]
    for task in paths.tasks(pool, "ea_expert_score"):
        paths.do(
            pool, "ea_expert_score", demo.ex_ante_expert_sheet(85 if task.assignee == "sun.expert" else 80)
        )
    reviews = {r["expert"]: r["score"] for r in paths.data(pool)["ea_expert_reviews"]}
    assert reviews == {"sun.expert": 85, "zhao.expert": 80}


def test_R_EX_1_a_replacement_must_be_eligible_and_not_already_on_the_panel(paths, pool):
    paths.do(pool, "ea_finance_review", review(experts=["wang.expert", "zhao.expert"]))
    wang = next(t for t in paths.tasks(pool, "ea_expert_score") if t.assignee == "wang.expert")
    for wrong in ("zhao.expert", "zhou.expert", "nobody"):
        with pytest.raises(FormInvalid):
            commands.replace_panel_member(paths.db, wang.id, wrong, actor=ADMIN)
    other_office = policy.Actor("qian.fin", frozenset({"finance_reviewer"}), office_units=frozenset())
    with pytest.raises(TaskNotFound):
        commands.replace_panel_member(paths.db, wang.id, "sun.expert", actor=other_office)
    assert wang.assignee in [t.assignee for t in paths.tasks(pool, "ea_expert_score")]


def test_R_EX_1_evaluation_panel_is_picked_on_the_finance_review_form(paths):
    commands.create_unit(paths.db, "U-OTHER", "万载县财政局", actor=ADMIN)
    for username in OUTSIDE[:2]:
        commands.add_expert(
            paths.db, commands.NewExpert(username, username, ("绩效评价",), "", "U-OTHER"), actor=ADMIN
        )
    iid = paths.start()
    paths.to_evaluation(iid)
    paths.do(iid, "ev_self", demo.self_evaluation(362.0, 350.0))
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ev_finance_review", demo.evaluation_review(85, needs_experts=True))
    assert "experts" in refused.value.fields
    paths.do(iid, "ev_finance_review", {**demo.evaluation_review(85, needs_experts=True), "experts_draw": 2})
    assert sorted(t.assignee for t in paths.tasks(iid, "ev_expert_score")) == OUTSIDE[:2]
