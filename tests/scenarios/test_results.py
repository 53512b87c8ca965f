"""结果应用 results application (DOMAIN 3.5), through the real bpmn/ files."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pytest

from demo import form_data as forms
from tests.scenarios.conftest import YEAR, moment


@pytest.fixture
def evaluated(paths):
    """Evaluate a project at a given finance score; returns the instance at ra_feedback."""

    def _evaluated(score, results=(True, True), **flags):
        iid = paths.start()
        paths.to_evaluation(iid, results)
        paths.evaluate(iid, score, **flags)
        assert paths.open(iid) == ["ra_feedback"]
        return iid

    return _evaluated


def test_score_79_cuts_next_years_budget_by_the_dmn_ratio(paths, evaluated):
    """R-RA-1: below 80 → proportional cut; DMN budget_cut: 70–80 → 10% (36.2 of 362 万元)."""
    iid = evaluated(79)
    row = paths.project_row(iid)
    data = paths.data(iid)
    assert row.budget_cut_ratio == Decimal("0.1000")
    assert data["ra_cut_amount"] == 36.2 and data["ra_next_year_ceiling"] == 325.8


def test_score_80_has_no_cut(paths, evaluated):
    """R-RA-1: 80 → no cut."""
    iid = evaluated(80)
    assert paths.project_row(iid).budget_cut_ratio == Decimal("0")
    assert paths.data(iid)["ra_cut_amount"] == 0


@pytest.mark.parametrize(
    ("score", "ratio"),
    [(70, "0.1"), (69.99, "0.2"), (60, "0.2"), (59.99, "0.3"), (35, "0.3")],
)
def test_cut_ratio_bands(paths, evaluated, score, ratio):
    """R-RA-1 local policy default: 70–80 → 10%, 60–70 → 20%, below 60 → 30%."""
    assert paths.project_row(evaluated(score)).budget_cut_ratio == Decimal(ratio)


def test_good_results_are_prioritised(paths, evaluated):
    """R-RA-3: good results are prioritised in the next budget."""
    iid = evaluated(92)
    assert paths.data(iid)["ra_priority"] is True


def test_problems_go_back_to_the_unit_with_a_deadline(paths, evaluated):
    """R-RA-2: problems become rectification with a deadline; finance verifies."""
    iid = evaluated(76)
    paths.do(
        iid,
        "ra_feedback",
        forms.results_feedback(
            [("绩效目标未完成", f"{YEAR + 1}-09-30"), ("资金支付滞后", f"{YEAR + 1}-08-31")]
        ),
    )
    [task] = paths.tasks(iid)
    assert (task.task_spec, task.role) == ("rc_submit", "unit_submitter")
    assert task.due_at == moment(f"{YEAR + 1}-08-31T23:59:59").astimezone(UTC)
    assert paths.data(iid)["rect_reasons"] == "绩效目标未完成；资金支付滞后"
    paths.do(iid, "rc_submit", forms.rectification_submit())
    assert [t.role for t in paths.tasks(iid)] == ["finance_reviewer"]
    paths.do(iid, "rc_verify", forms.rectification_verify(True))
    assert paths.project_row(iid).stage == "results_applied"


def test_results_are_published_and_reported(paths, evaluated):
    """R-RA-4: published with the final accounts, reported to the government and the congress."""
    iid = evaluated(86)
    paths.do(iid, "ra_feedback", forms.results_feedback())
    data = paths.data(iid)
    assert data["results_disclosed"] is True
    assert data["results_reported_to_congress"] is True and data["results_reported_to_government"] is True
    assert paths.status(iid) == "completed"


def test_sensitive_results_are_not_published(paths, evaluated):
    """R-RA-4: sensitive items are excepted from publication."""
    iid = evaluated(86)
    paths.do(iid, "ra_feedback", forms.results_feedback(sensitive=True))
    assert paths.data(iid)["results_disclosed"] is False


# The capped grade decides results application, never the raw score (R-RA-1 with R-EV-5,
# R-EV-7, R-MN-4): a cap that takes a project out of 优/良 also takes away priority.


def test_R_EV_7_false_self_evaluation_at_92_is_graded_cha_cut_30_percent_not_prioritised(paths, evaluated):
    """R-EV-7: a false self-evaluation is a one-vote veto: 差, funds cut as below 60, no priority."""
    iid = evaluated(92, false_report=True)
    row, data = paths.project_row(iid), paths.data(iid)
    assert row.grade == "差" and row.budget_cut_ratio == Decimal("0.3")
    assert data["ra_priority"] is False


def test_R_EV_5_serious_misuse_at_96_is_cut_and_not_prioritised(paths, evaluated):
    """R-EV-5: serious misuse of funds → 差 directly, and results application follows the grade."""
    iid = evaluated(96, serious_misuse=True)
    row, data = paths.project_row(iid), paths.data(iid)
    assert row.grade == "差" and row.budget_cut_ratio == Decimal("0.3")
    assert data["ra_priority"] is False


def test_R_MN_4_two_failed_monitoring_rounds_cap_95_to_zhong_with_a_cut_and_no_priority(paths, evaluated):
    """R-MN-4 + R-RA-1: capped to 中, a 95 is treated as 中 (70–80 band: 10%), not prioritised."""
    iid = evaluated(95, results=(False, False))
    row, data = paths.project_row(iid), paths.data(iid)
    assert row.grade == "中" and row.budget_cut_ratio == Decimal("0.1")
    assert data["ra_priority"] is False


def test_R_EV_5_audit_findings_keep_a_90_out_of_priority(paths, evaluated):
    """R-EV-5: audit findings cap at 中: no priority for a 90, and the 中 band's cut applies."""
    iid = evaluated(90, audit_findings=True)
    row, data = paths.project_row(iid), paths.data(iid)
    assert row.grade == "中" and data["ra_priority"] is False and row.budget_cut_ratio == Decimal("0.1")
