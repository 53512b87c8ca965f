"""事前绩效评估 ex-ante assessment (DOMAIN 3.1), through the real bpmn/ files."""

from __future__ import annotations

import json

import pytest

from demo import form_data as forms
from tests.scenarios.conftest import BPMN, FORMS
from workflows import policy
from workflows.engine import specs
from workflows.errors import FormInvalid
from workflows.queries import tasks as tasks_query
from workflows.store import ProcessInstance

EXPERTS = ["expert.wang", "expert.liu", "expert.chen"]


def submit_report(paths, iid):
    paths.do(iid, "ea_write", forms.ex_ante_report("红色文化展览馆布展项目", 118.4))
    paths.do(iid, "ea_head", forms.head_approval())


def panel(paths, iid, scores, conclusions=None):
    conclusions = conclusions or ["支持"] * len(scores)
    for score, conclusion in zip(scores, conclusions, strict=True):
        paths.do(iid, "ea_expert_score", forms.ex_ante_expert_sheet(score, conclusion))


def test_new_project_starts_with_an_ex_ante_assessment(paths):
    """R-EA-1: every new project needs an ex-ante assessment report before budgeting."""
    iid = paths.start(is_new=True)
    assert paths.open(iid) == ["ea_write"]
    assert paths.tasks(iid)[0].role == "unit_submitter"
    assert paths.project_row(iid).stage == "ex_ante"


def test_continuing_project_goes_straight_to_targets(paths):
    """R-EA-1: only new projects are assessed ex ante; continuing ones set targets."""
    iid = paths.start(is_new=False)
    assert paths.open(iid) == ["tg_set"]
    assert paths.project_row(iid).stage == "targets"


def test_report_must_cover_all_six_aspects(paths):
    """R-EA-2: necessity, economy, targets, feasibility, funding compliance and risks."""
    iid = paths.start()
    report = forms.ex_ante_report("智慧消防建设项目", 189.123)
    del report["ea_risks"]
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ea_write", report)
    assert "ea_risks" in refused.value.fields
    assert paths.open(iid) == ["ea_write"]


def test_unit_head_approves_before_finance_sees_it(paths):
    """R-EA-2 / DOMAIN 2: the unit head answers for what the unit sends."""
    iid = paths.start()
    paths.do(iid, "ea_write", forms.ex_ante_report("智慧消防建设项目", 189.123))
    assert paths.open(iid) == ["ea_head"]
    assert paths.tasks(iid)[0].role == "unit_head"
    paths.do(iid, "ea_head", forms.head_approval(agree=False))
    assert paths.open(iid) == ["ea_write"]


def test_score_80_is_supported(paths):
    """R-EA-4: 80 passes."""
    iid = paths.start()
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(80))
    data = paths.data(iid)
    assert data["ea_supported"] is True
    assert paths.open(iid) == ["tg_set"]
    assert paths.project_row(iid).stage == "targets"


def test_score_79_9_is_not_budgeted(paths):
    """R-EA-4: a score below 80 → the project does not go on to budgeting."""
    iid = paths.start()
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(79.9, "不支持"))
    assert paths.status(iid) == "completed"
    assert paths.data(iid)["ea_supported"] is False
    assert paths.project_row(iid).stage == "not_budgeted"


def test_buzhichi_blocks_whatever_the_score(paths):
    """R-EA-4: a conclusion of "不支持" blocks the project even at 95 points."""
    iid = paths.start()
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(95, "不支持"))
    assert paths.status(iid) == "completed"
    assert paths.project_row(iid).stage == "not_budgeted"


def test_no_report_after_the_head_keeps_returning_it_is_not_budgeted(paths):
    """R-EA-4: no report → no budget (the head returned it more than the bounded rounds)."""
    iid = paths.start()
    for _ in range(4):
        paths.do(iid, "ea_write", forms.ex_ante_report("智慧消防建设项目", 189.123))
        paths.do(iid, "ea_head", forms.head_approval(agree=False))
    assert paths.status(iid) == "completed"
    assert paths.data(iid)["ea_decision"] == "未报送事前绩效评估报告"
    assert paths.project_row(iid).stage == "not_budgeted"


def test_major_project_goes_to_a_parallel_expert_panel(paths):
    """R-EA-3: a major project (DMN project_classification: ≥ 500 万元) is scored by each expert."""
    iid = paths.start(project_name="万载县城区污水处理厂提标改造项目", amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    experts = paths.tasks(iid, "ea_expert_score")
    assert sorted(t.assignee for t in experts) == sorted(EXPERTS)
    assert {t.role for t in experts} == {"expert"}


def test_specialised_small_project_also_gets_experts(paths):
    """R-EA-3: specialised projects count as major whatever the amount (DMN project_classification)."""
    iid = paths.start(amount_wan=118.4, is_specialised=True, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    assert len(paths.tasks(iid, "ea_expert_score")) == 3


def test_R_EA_3_a_project_its_unit_declares_major_is_major_whatever_its_amount(paths):
    """R-EA-3 with DOMAIN 3.1's local policy: 重大项目 ticked on the new-project page counts (walk of
    session 11: a ticked 118.4 万元 project showed 重大或专业项目 否, the table had overruled it)."""
    iid = paths.start(amount_wan=118.4, is_major=True, experts=EXPERTS)
    assert paths.data(iid)["is_major"] is True and paths.project_row(iid).is_major
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    assert len(paths.tasks(iid, "ea_expert_score")) == 3


def test_an_undeclared_small_project_is_not_major(paths):
    """DOMAIN 3.1: under 500 万元, neither declared major nor specialised: the finance review decides alone."""
    iid = paths.start(amount_wan=118.4, experts=EXPERTS)
    assert paths.data(iid)["is_major"] is False and not paths.project_row(iid).is_major
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    assert paths.tasks(iid, "ea_expert_score") == []


def test_expert_sees_only_the_task_assigned_to_them(paths):
    """R-EA-3 / DESIGN 8: each expert scores independently; another expert cannot see it."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    task = paths.tasks(iid, "ea_expert_score")[0]
    owner = policy.Actor(task.assignee, frozenset({"expert"}))
    other = policy.Actor(next(e for e in EXPERTS if e != task.assignee), frozenset({"expert"}))
    assert policy.may_see(owner, task) and not policy.may_see(other, task)


def test_expert_reads_no_other_experts_sheet_in_the_history(paths):
    """R-EA-3 / DESIGN 8: the instance history (API audit, project page) hides the other sheets too."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    first, second = paths.tasks(iid, "ea_expert_score")[:2]
    paths.do(iid, "ea_expert_score", forms.ex_ante_expert_sheet(70))  # completes the first open expert task
    done = next(t for t in (first, second) if t.id not in {x.id for x in paths.tasks(iid, "ea_expert_score")})
    waiting = second if done is first else first
    other = policy.Actor(waiting.assignee, frozenset({"expert"}))
    office = policy.Actor("zhou.perf", frozenset({"performance_office"}))
    with paths.db.reading() as session:
        seen_by_other = {e.task_id for e in tasks_query.history(session, iid, other)}
        seen_by_office = {e.task_id for e in tasks_query.history(session, iid, office)}
    assert done.id in seen_by_office and done.id not in seen_by_other


def test_three_expert_panel_scores_by_the_mean(paths):
    """R-EA-3, DOMAIN 3.1 local policy: the DMN expert_panel says mean for three experts."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(70))
    panel(paths, iid, [78, 82, 83.5])
    data = paths.data(iid)
    assert data["panel_method"] == "mean"
    assert data["ea_panel_score"] == 81.17
    assert data["ea_supported"] is True


def test_panel_mean_below_80_blocks_even_if_finance_scored_higher(paths):
    """R-EA-3/R-EA-4: the panel's re-assessment score decides: mean 79 < 80."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(92))
    panel(paths, iid, [78, 79, 80])
    assert paths.data(iid)["ea_final_score"] == 79.0
    assert paths.project_row(iid).stage == "not_budgeted"


def test_panel_majority_against_concludes_buzhichi(paths):
    """R-EA-3/R-EA-4: two of three experts say 不支持 → 不支持, though the mean is 85."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    panel(paths, iid, [85, 85, 85], ["不支持", "不支持", "支持"])
    data = paths.data(iid)
    assert data["ea_panel_conclusion"] == "不支持" and data["ea_supported"] is False


def test_five_expert_panel_drops_highest_and_lowest(paths):
    """R-EA-3, local policy: five or more experts → trimmed mean (DMN expert_panel)."""
    experts = [f"expert.{n}" for n in ("a", "b", "c", "d", "e")]
    iid = paths.start(amount_wan=1261.22, experts=experts)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(90))
    panel(paths, iid, [60, 81, 82, 83, 100])
    data = paths.data(iid)
    assert data["panel_method"] == "trimmed_mean" and data["ea_panel_score"] == 82.0


def test_third_party_reassessment_score_decides(paths):
    """R-EA-3: finance may bring in a third party; its score (78) decides."""
    iid = paths.start()
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(88, next_step="第三方复核"))
    assert [t.role for t in paths.tasks(iid)] == ["third_party"]
    paths.do(
        iid, "ea_third_party", {"tp_ea_score": 78, "tp_ea_conclusion": "支持", "tp_ea_report": "复核报告"}
    )
    assert paths.project_row(iid).stage == "not_budgeted"


def test_finance_returns_assessment_for_rectification_then_rescores(paths):
    """R-EA-4 / R-RC-1: finance may instead return it for rectification, then review again."""
    iid = paths.start()
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(75, next_step="退回整改"))
    assert paths.open(iid) == ["rc_submit"]
    assert paths.data(iid)["rect_subject"] == "事前绩效评估"
    paths.do(iid, "rc_submit", forms.rectification_submit())
    paths.do(iid, "rc_verify", forms.rectification_verify(True))
    assert paths.open(iid) == ["ea_finance_review"]
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(84))
    assert paths.open(iid) == ["tg_set"]


def test_designer_raises_threshold_to_85_new_instances_use_it_running_keep_80(paths):
    """R-EA-4 local policy: the threshold lives in the DMN; a redeploy affects new instances only."""
    running = paths.start()
    submit_report(paths, running)

    files = specs.load_bundle(BPMN, FORMS)
    files["ex_ante_decision.dmn"] = files["ex_ante_decision.dmn"].replace("&gt;= 80", "&gt;= 85")
    assert "&gt;= 85" in files["ex_ante_decision.dmn"]
    result = paths.deploy(files)
    assert result.created["project_lifecycle"] == 2

    fresh = paths.start()
    submit_report(paths, fresh)
    with pytest.raises(FormInvalid):  # R-EA-4: 82 + 支持 refused by the fresh instance's table
        paths.do(fresh, "ea_finance_review", forms.ex_ante_review(82))
    paths.do(fresh, "ea_finance_review", forms.ex_ante_review(82, "不支持"))
    paths.do(running, "ea_finance_review", forms.ex_ante_review(82))
    assert paths.project_row(fresh).stage == "not_budgeted"
    assert paths.data(running)["ea_supported"] is True


def test_r_ea_4_support_below_the_tables_threshold_is_refused_quoting_the_table(paths):
    """R-EA-4: 支持 with a total the deployed ex_ante_decision table does not support (79.5 < 80)
    is refused on the conclusion, in the table's words; nothing changes."""
    iid = paths.start()
    submit_report(paths, iid)
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ea_finance_review", forms.ex_ante_review(79.5, "支持"))
    assert refused.value.fields == {"ea_finance_conclusion": ["评分低于80分，不进入预算安排：不能选择“支持”"]}
    assert paths.open(iid) == ["ea_finance_review"] and "ea_finance_conclusion" not in paths.data(iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(80, "支持"))  # the table's yes
    assert paths.open(iid) == ["tg_set"]


def test_r_ea_4_a_designer_raising_the_threshold_to_85_refuses_82_with_support(paths):
    """R-EA-4: the 80 lives in the DMN only: a designer's 85 (and its text) refuses 82 + 支持 in new
    instances, the form untouched."""
    files = specs.load_bundle(BPMN, FORMS)
    form_before = files["ex_ante_finance_review.json"]
    dmn = files["ex_ante_decision.dmn"].replace("&gt;= 80", "&gt;= 85").replace("低于80分", "低于85分")
    paths.deploy({**files, "ex_ante_decision.dmn": dmn})
    assert files["ex_ante_finance_review.json"] == form_before
    iid = paths.start()
    submit_report(paths, iid)
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ea_finance_review", forms.ex_ante_review(82, "支持"))
    assert refused.value.fields["ea_finance_conclusion"] == ["评分低于85分，不进入预算安排：不能选择“支持”"]
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(86, "支持"))
    assert paths.open(iid) == ["tg_set"]


def test_r_ea_4_support_under_the_threshold_may_still_go_to_the_expert_panel(paths):
    """R-EA-3/R-EA-4: the finance total decides only when it is the final score: sent to the expert
    panel of a major project, 支持 at 70 is the finance view, the panel's mean decides."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(70, "支持"))
    assert paths.open(iid) == ["ea_expert_score"] * 3


def test_major_project_without_an_expert_list_is_decided_on_the_finance_score(paths):
    """R-EA-3: experts "may" be brought in; with no experts named, finance's score decides."""
    iid = paths.start(amount_wan=1261.22, experts=[])
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(81))
    assert paths.open(iid) == ["tg_set"]


def test_r_ea_2_the_expert_scores_the_same_aspects_and_points_as_finance():
    """R-EA-2 / R-EA-3: the expert's sheet is the finance review's standard aspects with their
    points (data in forms/), each at most its points, the total computed, never free rows."""
    finance = json.loads((FORMS / "ex_ante_finance_review.json").read_text(encoding="utf-8"))["properties"]
    expert = json.loads((FORMS / "ex_ante_expert_score.json").read_text(encoding="utf-8"))["properties"]
    aspects = [k for k in finance if k.startswith("ea_score_")]
    assert len(aspects) == 6
    for key in aspects:
        mine = expert[key.replace("ea_score_", "ex_score_")]
        assert (mine["title"], mine["maximum"]) == (finance[key]["title"], finance[key]["maximum"])
    assert sum(finance[k]["maximum"] for k in aspects) == 100
    assert expert["expert_total"]["x-computed"] == " + ".join(
        k.replace("ea_score_", "ex_score_") for k in aspects
    )


def test_r_ea_2_an_experts_aspect_over_its_points_is_refused_and_the_total_is_the_panel_input(paths):
    """R-EA-2 / R-EA-3: 22 on the 20-point 必要性 is refused beside the field, nothing recorded; a
    sheet within its points counts with its computed total in the panel."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(70))
    over = {**forms.ex_ante_expert_sheet(80), "ex_score_necessity": 22}
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ea_expert_score", over)
    assert list(refused.value.fields) == ["ex_score_necessity"]
    assert len(paths.tasks(iid, "ea_expert_score")) == 3
    panel(paths, iid, [78, 82, 83.5])
    assert paths.data(iid)["ea_panel_score"] == 81.17


def test_r_ea_3_the_expert_does_not_see_the_finance_reviews_scores(paths):
    """R-EA-3: experts re-assess on their own: the finance review's aspect scores, total and
    conclusion (fields the form marks x-hidden-from-experts) are not on the expert's earlier
    steps; the comment and next step are, and the performance office still reads every score."""
    iid = paths.start(amount_wan=1261.22, experts=EXPERTS)
    submit_report(paths, iid)
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(86))
    task = paths.tasks(iid, "ea_expert_score")[0]
    expert = policy.Actor(task.assignee, frozenset({"expert"}))
    office = policy.Actor("zhou.perf", frozenset({"performance_office"}))
    with paths.db.reading() as session:
        instance = session.get(ProcessInstance, iid)
        seen = {
            "expert": tasks_query.decisions(session, [instance], expert),
            "office": tasks_query.decisions(session, [instance], office),
        }
    [by_expert] = [d for d in seen["expert"] if "ea_finance_comment" in d["data"]]
    [by_office] = [d for d in seen["office"] if "ea_finance_comment" in d["data"]]
    assert by_office["data"]["ea_finance_score"] == 86
    assert not {k for k in by_expert["data"] if k.startswith("ea_score_")}
    assert "ea_finance_score" not in by_expert["data"]
    assert "ea_finance_conclusion" not in by_expert["data"]
    assert "ea_finance_conclusion" in {d["key"] for d in by_office["decision"]}
    assert "ea_finance_conclusion" not in {d["key"] for d in by_expert["decision"]}
    assert by_expert["data"]["ea_finance_comment"] == by_office["data"]["ea_finance_comment"]
