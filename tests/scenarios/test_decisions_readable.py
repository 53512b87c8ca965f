"""Decisions readable (issue 9, item 9): every decision the processes took for a project, in
order, with who, when and the values that drove it — read from the audit log, through the real
bpmn/ files, as ``GET /api/v1/projects/{id}`` serves it."""

from __future__ import annotations

import pytest

from demo import form_data as forms
from workflows import policy
from workflows.queries import decisions

OFFICE = policy.Actor("zhou.perf", frozenset({"performance_office"}))


def _decisions(paths, iid, viewer=OFFICE) -> list[dict]:
    with paths.db.reading() as session:
        return decisions.of_project(session, viewer, paths.project_row(iid).id)


def _one(entries, kind, step) -> dict:
    found = [e for e in entries if e["kind"] == kind and e["step"] == step]
    assert len(found) == 1, [(e["kind"], e["step"]) for e in entries]
    return found[0]


@pytest.fixture
def year_closed(paths):
    """One project through a hard year: targets returned once, two failed monitoring rounds and
    leadership's cut, a false self-evaluation at 92 (一票否决), results applied."""
    iid = paths.start()
    paths.through_ex_ante(iid, score=86.5)
    paths.do(iid, "tg_set", forms.performance_targets("农村人居环境整治项目"))
    paths.do(iid, "tg_review", forms.targets_decision("退回调整"))
    paths.through_targets(iid)
    for month in ("06", "09"):
        paths.monitoring_node(iid, passed=False, month_after=month)
    paths.do(iid, "lc_escalation", forms.escalation("调减预算"))  # 50 万元 off 362
    paths.evaluate(iid, 92.0, false_report=True)
    return iid


def test_the_years_decisions_read_in_order_with_the_values_that_drove_them(paths, year_closed):
    entries = _decisions(paths, year_closed)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    start = entries[0]
    assert start["kind"] == "start" and start["values"]["amount_wan"] == 362.0
    assert start["actor"] == "scenario.unit_submitter"

    # ex-ante: the DMN read the final score and conclusion; its rule says why (R-EA-4)
    ex_ante = _one(entries, "rule", "ea_decide")
    assert ex_ante["values"] == {"ea_supported": True, "ea_decision": "予以支持，进入预算安排"}
    assert {i["expression"]: i["value"] for i in ex_ante["inputs"]} == {
        "ea_final_conclusion": "支持",
        "ea_final_score": 86.5,
    }
    assert (
        ex_ante["rules"][0]["description"] == "80分及以上：予以支持"
    )  # the matched row of ex_ante_decision.dmn
    assert ex_ante["labels"]["ea_supported"] == "是否支持"
    review = _one(entries, "task", "ea_finance_review")
    assert review["values"]["ea_finance_score"] == 86.5 and review["role"] == "finance_reviewer"

    # targets: returned once, then approved
    verdicts = [
        e["values"]["tg_decision"] for e in entries if e["kind"] == "task" and e["step"] == "tg_review"
    ]
    assert verdicts == ["退回调整", "通过"]

    # monitoring: two failed reviews counted, leadership cut the budget, the grade capped at 中
    counts = [e["values"].get("project_consecutive_failures") for e in entries if e["step"] == "lc_mn_count"]
    assert counts == [1, 2]
    leadership = _one(entries, "task", "lc_escalation")
    assert leadership["values"]["escalation_decision"] == "调减预算" and leadership["role"] == "leadership"
    cap = _one(entries, "script", "lc_cap")
    assert cap["values"]["project_grade_cap"] == "中" and cap["values"]["amount_wan"] == 312.0

    # evaluation: total computed, band 优 from 92, capped to 差 by the one-vote veto (R-EV-7)
    assert _one(entries, "script", "ev_self_total")["values"]["ev_self_total"] > 0
    band = _one(entries, "rule", "ev_band")
    assert band["values"]["ev_band_grade"] == "优" and band["inputs"][0]["value"] == 92.0
    capped = _one(entries, "rule", "ev_cap")
    assert capped["values"] == {"project_grade": "差"}
    assert (
        capped["rules"][0]["description"] == "自评不实：一票否决"
    )  # R-EV-7, the matched row of grade_cap.dmn
    assert {i["expression"]: i["value"] for i in capped["inputs"]}["ev_false_report"] is True

    # results application reads the capped grade: 30% of the cut budget, no priority (R-RA-1)
    cut = _one(entries, "rule", "ra_cut")
    assert cut["values"] == {"project_budget_cut_ratio": 0.3, "ra_priority": False}
    assert {i["expression"]: i["value"] for i in cut["inputs"]}["project_grade"] == "差"
    assert _one(entries, "script", "ra_amounts")["values"]["ra_cut_amount"] == 93.6


def test_a_step_is_recorded_once_however_often_the_instance_is_saved(paths, year_closed):
    entries = _decisions(paths, year_closed)
    engine_steps = [e["task_id"] for e in entries if e["kind"] in ("rule", "script")]
    assert len(engine_steps) == len(set(engine_steps))


def test_an_overdue_monitoring_report_reads_as_a_warning(paths):
    """R-MN-2: the late report is marked and the unit head and finance are warned."""
    iid = paths.start()
    paths.through_ex_ante(iid)
    paths.through_targets(iid)
    paths.fire(iid, "2027-06-01T09:00:00")
    paths.fire(iid, "2027-06-11T09:00:00")  # the 10th has passed
    entries = _decisions(paths, iid)
    overdue = _one(entries, "script", "mn_mark_overdue")
    assert overdue["values"]["project_overdue"] is True and overdue["actor"] == "scheduler"
    warned = {tuple(e["values"]["to"].items()) for e in entries if e["kind"] == "notice"}
    assert (("role", "unit_head"),) in warned and (("role", "finance_reviewer"),) in warned


def test_an_expert_reads_their_own_sheet_but_not_the_others_nor_the_panels_computations(paths, expert_pool):
    """DESIGN 8 / R-EX-1: experts score independently, also when reading the project's decisions."""
    iid = paths.start(amount_wan=1261.22, experts=expert_pool)
    paths.do(iid, "ea_write", forms.ex_ante_report("万载县城区污水处理厂提标改造项目", 1261.22))
    paths.do(iid, "ea_head", forms.head_approval())
    paths.do(iid, "ea_finance_review", forms.ex_ante_review(85))
    for score in (70, 80, 90):
        paths.do(iid, "ea_expert_score", forms.ex_ante_expert_sheet(score))

    everything = _decisions(paths, iid)
    sheets = [e for e in everything if e["step"] == "ea_expert_score"]
    assert sorted(e["actor"] for e in sheets) == sorted(expert_pool)
    assert _one(everything, "script", "ea_panel_result")["values"]["ea_panel_score"] == 80.0

    wang = policy.Actor("wang.expert", frozenset({"expert"}))
    seen = _decisions(paths, iid, viewer=wang)
    assert [e["actor"] for e in seen if e["step"] == "ea_expert_score"] == ["wang.expert"]
    assert not [e for e in seen if e["kind"] in ("rule", "script")]
    # the finance review is there, its scores are not: the expert re-assesses on their own (R-EA-3)
    assert "ea_finance_score" not in _one(seen, "task", "ea_finance_review")["values"]
    assert _one(everything, "task", "ea_finance_review")["values"]["ea_finance_score"] == 85
