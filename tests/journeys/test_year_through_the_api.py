"""The same year through ``/api/v1`` only (issue 9): each person's program signs in with their
own account (setting their own password first: a one-time password gets no token), creates or
claims and completes its tasks, reads its notices; on SQLite and on PostgreSQL.

智慧停车场建设 (540 万元, a major project: R-EA-3) goes through ex-ante with a drawn panel,
targets returned once, two monitoring rounds (the second late: notices and mail), a
self-evaluation found false at 92 points (一票否决, R-EV-7: graded 差 whatever the score), a 30%
cut (R-RA-1) and rectification, until ``GET /api/v1/projects/{id}`` shows the closed loop.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from demo import form_data as forms
from tests.journeys.conftest import POOL
from workflows import clock

pytestmark = pytest.mark.slow

PROJECT, CODE, AMOUNT = "智慧停车场建设", "WZ2027-ZJ-002", 540.0


def day(when: str) -> None:
    clock.set_now(clock.parse_moment(when))


def test_a_year_of_one_project_through_the_api(year, people):
    day("2026-12-01T09:00")
    tian = people("zj.tian")
    me = tian.call("GET", "/api/v1/me")
    assert me["unit_name"] == "万载县住房和城乡建设局"

    # --- create: the project and its lifecycle in one call (R-EA-1) ------------------------
    created = tian.call(
        "POST",
        "/api/v1/projects",
        201,
        json={
            "code": CODE,
            "name": PROJECT,
            "unit_id": me["unit_id"],
            "fiscal_year": 2027,
            "amount": AMOUNT,
            "fund_type": "general_public",
            "is_new": True,
        },
    )
    project_id = created["id"]
    assert created["stage"] == "ex_ante"
    [lifecycle] = created["instances"]
    assert (lifecycle["process_id"], lifecycle["status"]) == ("project_lifecycle", "running")
    assert ("ea_write", CODE) in tian.waiting()

    # --- ex-ante: report → unit head → finance draws a panel → three experts -------------
    assert tian.complete(
        CODE, "ea_write", {**forms.ex_ante_report(PROJECT, AMOUNT), "ea_truth_pledge": True}
    ) == ["ea_head"]
    head = people("zj.head")
    assert ("ea_head", CODE) in head.waiting()
    assert head.complete(CODE, "ea_head", forms.head_approval()) == ["ea_finance_review"]

    li, he = people("fin.li"), people("fin.he")
    assert ("ea_finance_review", CODE) in li.waiting()
    assert he.waiting() == []  # 行政政法科 reviews 应急局, not 住建局 (R-RL-1)
    review = li.task(CODE, "ea_finance_review")
    pool = review["form_schema"]["properties"]["experts"]
    assert pool["x-widget"] == "expert-pool"
    panel = li.complete(
        CODE,
        "ea_finance_review",
        {**forms.ex_ante_review(85, "支持", "专家评审"), "experts_draw": 3},
        claim=True,
    )
    assert panel == ["ea_expert_score"] * 3
    # the draw is in the history with its candidates and seed: replayable (R-EX-1)
    history = li.call("GET", f"/api/v1/instances/{lifecycle['id']}/audit")
    [drawn] = [e["data"] for e in history if e["action"] == "panel.drawn"]
    assert drawn["candidates"] == POOL and drawn["seed"]  # never 住建局's own ex.qian
    assert len(drawn["chosen"]) == 3 and set(drawn["chosen"]) <= set(POOL)
    scores = dict(zip(drawn["chosen"], (84, 82, 80), strict=True))  # mean 82: supported (R-EA-4)
    for expert, score in scores.items():
        caller = people(expert)
        [(spec, code)] = caller.waiting()
        assert (spec, code) == ("ea_expert_score", CODE)
        sheet = forms.ex_ante_expert_sheet(score)
        sheet["expert_opinion"] = f"{expert} 的独立意见：得分{score}。"
        caller.complete(CODE, "ea_expert_score", sheet)
    [left_out] = set(POOL) - set(drawn["chosen"])
    assert people(left_out).waiting() == []
    assert ("tg_set", CODE) in tian.waiting()

    # --- targets: returned once, the reason reaches the submitter, resubmitted (R-TG-2) ----
    assert tian.complete(CODE, "tg_set", forms.performance_targets(PROJECT)) == ["tg_review"]
    reason = "满意度指标目标值偏低，请调整后重新报送。"
    assert li.complete(CODE, "tg_review", {"tg_decision": "退回调整", "tg_comment": reason}, claim=True) == [
        "tg_set"
    ]
    again = tian.task(CODE, "tg_set")
    last = again["context"]["decisions"][-1]
    assert (last["data"]["tg_decision"], last["data"]["tg_comment"]) == ("退回调整", reason)
    [returned] = tian.notices()  # the bell says who returned it and why (R-RC-1)
    assert returned["kind"] == "returned" and reason in returned["message"]
    assert returned["task_id"] == again["id"]
    tian.call("POST", f"/api/v1/notifications/{returned['id']}/read", 204)
    assert len(again["data"]["indicators"]) == 5  # pre-filled with what was sent
    targets = again["data"]
    targets["indicators"][-1]["target_value"] = "95"
    assert tian.complete(CODE, "tg_set", targets) == ["tg_review"]
    assert li.complete(CODE, "tg_review", forms.targets_decision("通过"), claim=True) == []
    assert tian.call("GET", f"/api/v1/projects/{project_id}")["stage"] == "monitoring"

    # --- monitoring: May on time, August late → notices and mail (R-MN-2) -----------------
    year.jixiao.run_due("2027-06-01T09:00")
    report = tian.task(CODE, "mn_report")
    assert report["due_at"].startswith("2027-06-10T15:59:59")  # the 10th, 23:59 China time
    day("2027-06-05T10:00")
    approved = targets["indicators"]  # the report's rows are the approved targets (issue 10 item 4)
    assert [r["target_value"] for r in report["data"]["mn_indicator_progress"]][-1] == "95"
    assert report["bound_tables"]["mn_indicator_progress"] == [
        "level1",
        "level2",
        "name",
        "direction",
        "target_value",
        "unit",
    ]
    assert tian.complete(CODE, "mn_report", forms.monitoring_report(AMOUNT, indicators=approved)) == [
        "mn_review"
    ]
    assert li.complete(CODE, "mn_review", forms.monitoring_review(True), claim=True) == []

    year.jixiao.run_due("2027-09-01T09:00")
    assert ("mn_report", CODE) in tian.waiting()
    assert head.notices() == [] and li.notices() == []
    year.jixiao.run_due("2027-09-11T09:00")
    for caller in (head, li, tian):
        [notice] = caller.notices()
        assert notice["kind"] == "escalation" and PROJECT in notice["message"], caller.username
        assert notice["project_id"] == project_id
    for outsider in (he, people("yj.head")):
        assert outsider.notices(unread=False) == [], outsider.username
    assert "[绩效] 绩效监控情况已逾期" in year.mail.subjects("head@zj.wanzai.example", wait_for=1)
    [notice] = head.notices()
    head.call("POST", f"/api/v1/notifications/{notice['id']}/read", 204)
    assert head.notices() == [] and len(head.notices(unread=False)) == 1
    assert tian.call("GET", f"/api/v1/projects/{project_id}")["overdue"] is True

    day("2027-09-12T10:00")
    assert tian.complete(CODE, "mn_report", forms.monitoring_report(AMOUNT, 0.8, approved)) == ["mn_review"]
    # the last node: the year's evaluation opens (R-EV-1)
    assert li.complete(CODE, "mn_review", forms.monitoring_review(True), claim=True) == ["ev_self"]

    # --- evaluation: the self-evaluation is found false: 一票否决 (R-EV-7) ------------------
    assert ("ev_self", CODE) in tian.waiting()
    day("2028-02-20T10:00")
    self_evaluation = forms.self_evaluation(AMOUNT, 520.0, indicators=approved)
    assert tian.complete(CODE, "ev_self", self_evaluation) == ["ev_finance_review"]
    day("2028-04-10T10:00")
    # a major project's evaluation goes to the experts (R-EV-3): the ex-ante panel is offered
    # again, pre-filled; how many to draw is never pre-filled (it would clash with the panel)
    offered = li.task(CODE, "ev_finance_review")["data"]
    assert offered["experts"] == drawn["chosen"] and "experts_draw" not in offered
    veto = forms.evaluation_review(92, false_report=True)
    veto["ev_review_comment"] = "真实性核查发现自评佐证材料与实际不符。"
    veto["experts"] = offered["experts"]
    assert li.complete(CODE, "ev_finance_review", veto, claim=True) == ["ev_expert_score"] * 3
    for expert, score in zip(drawn["chosen"], (90, 92, 94), strict=True):
        people(expert).complete(CODE, "ev_expert_score", forms.expert_sheet(score))
    assert ("ra_feedback", CODE) in people("perf.zhou").waiting()
    graded = tian.call("GET", f"/api/v1/projects/{project_id}")
    assert (graded["score"], graded["grade"]) == ("92.00", "差")

    # --- results: the capped grade drives the cut (R-RA-1); rectification (R-RA-2) ---------
    zhou = people("perf.zhou")
    feedback = forms.results_feedback([("自评佐证材料与实际不符", "2028-06-30")])
    assert zhou.complete(CODE, "ra_feedback", feedback) == ["rc_submit"]
    rectify = tian.task(CODE, "rc_submit")
    assert rectify["due_at"].startswith("2028-06-30T15:59:59")
    # the deadline has its timer: late rectification reaches people too (R-RC-1)
    timers = year.jixiao("timers", "list")
    assert f"2028-06-30T23:59:59+08:00  instance {lifecycle['id']}  rc_deadline" in timers
    day("2028-06-01T10:00")
    assert tian.complete(CODE, "rc_submit", forms.rectification_submit()) == ["rc_verify"]
    assert li.complete(CODE, "rc_verify", forms.rectification_verify(True), claim=True) == []

    # --- the closed loop, as any client reads it -----------------------------------------
    done = people("lead.liu").call("GET", f"/api/v1/projects/{project_id}")
    assert done["stage"] == "results_applied"
    assert (done["score"], done["grade"]) == ("92.00", "差")
    assert Decimal(done["budget_cut_ratio"]) == Decimal("0.3")
    assert [i["status"] for i in done["instances"]] == ["completed"]
    for caller in (tian, head, li, zhou):
        assert caller.waiting() == [], caller.username
