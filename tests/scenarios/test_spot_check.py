"""真实性核查 authenticity spot checks (DOMAIN R-EV-7) through the real bpmn/ files: evidence per
core indicator, the performance office's findings, the June 30 deadline, the one-vote veto."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from demo import form_data as forms
from demo import spot_check_forms as sc
from tests.scenarios.conftest import OFFICE, YEAR, in_role
from workflows import commands, policy
from workflows.errors import Conflict, Forbidden, FormInvalid
from workflows.store import AccountabilityRecord, Project, ScoreTableRow, SpotCheck


@pytest.fixture
def graded(paths):
    """A project evaluated at ``score`` (lifecycle waiting at ra_feedback); returns its instance."""

    def _graded(score=95.0, **flags):
        iid = paths.start()
        paths.to_evaluation(iid)
        paths.evaluate(iid, score, **flags)
        assert paths.open(iid) == ["ra_feedback"]
        return iid

    return _graded


def spot_check(paths, iid) -> int:
    """The performance office samples the project of ``iid``; returns the spot check's instance."""
    project_id = paths.project_row(iid).id
    [check_id] = commands.start_spot_checks(paths.db, YEAR, [project_id], actor=OFFICE)
    with paths.db.reading() as session:
        return session.get(SpotCheck, check_id).instance_id


def check(paths, sc_iid, false_at=None, recovery=None):
    rows = paths.data(sc_iid)["sc_indicators"]
    paths.do(sc_iid, "sc_evidence", sc.evidence(rows))
    submitted = paths.data(sc_iid)["sc_indicators"]
    paths.do(sc_iid, "sc_finding", sc.findings(submitted, false_at, recovery))


def spot_row(paths, project_id) -> SpotCheck:
    with paths.db.reading() as session:
        row = session.scalar(select(SpotCheck).where(SpotCheck.project_id == project_id))
        session.expunge(row)
        return row


def test_core_indicators_are_the_self_evaluations_claims(paths, graded):
    """R-EV-7: the check focuses on core indicators: the 产出 and 效益 rows the 自评表 claimed."""
    iid = graded(95)
    sc_iid = spot_check(paths, iid)
    rows = paths.data(sc_iid)["sc_indicators"]
    claimed = paths.data(iid)
    names = [r["name"] for r in claimed["ev_output_indicators"] + claimed["ev_outcome_indicators"]]
    assert [r["indicator"] for r in rows] == names
    assert [t.role for t in paths.tasks(sc_iid)] == ["unit_submitter"]


def test_R_EV_7_spot_check_veto_at_95_grades_cha_with_recovery_and_accountability(paths, graded):
    """R-EV-7: one core indicator 不实 → 一票否决: a graded 95 (优) becomes 差, the cut of 差 and no
    priority, the funds recovered, the unit and the project owner held accountable, audited."""
    iid = graded(95)
    project_id = paths.project_row(iid).id
    assert paths.project_row(iid).grade == "优"
    sc_iid = spot_check(paths, iid)
    check(paths, sc_iid, false_at=0, recovery=120.5)
    assert [t.role for t in paths.tasks(sc_iid)] == []
    row = paths.project_row(iid)
    assert row.grade == "差" and row.budget_cut_ratio == Decimal("0.3")
    assert paths.data(sc_iid)["ra_priority"] is False
    spot = spot_row(paths, project_id)
    assert (spot.verdict, spot.veto_applied, spot.recovery_wan) == ("不实", True, Decimal("120.50"))
    assert spot.findings[0]["finding"] == "不实"
    with paths.db.reading() as session:
        [record] = session.scalars(select(AccountabilityRecord)).all()
        assert (record.unit_name, record.owner_name) == ("万载县农业农村局", "刘建国")
        score = session.get(ScoreTableRow, project_id)
        assert (score.grade, score.cap_reason, score.final_score) == (
            "差",
            "真实性核查不实：一票否决",
            Decimal("95.00"),
        )
    # the lifecycle goes on with its older copy of the grade: the veto stands
    paths.do(iid, "ra_feedback", forms.results_feedback())
    assert paths.project_row(iid).grade == "差" and paths.project_row(iid).budget_cut_ratio == Decimal("0.3")


def test_R_EV_7_veto_recovers_the_whole_amount_unless_the_checker_sets_one(paths, graded):
    iid = graded(95)
    check(paths, spot_check(paths, iid), false_at=1)
    assert spot_row(paths, paths.project_row(iid).id).recovery_wan == Decimal("362.00")


def test_R_EV_7_true_findings_leave_95_you(paths, graded):
    """R-EV-7: every core indicator 属实 → the grade stands: 95 stays 优, nobody held accountable."""
    iid = graded(95)
    check(paths, spot_check(paths, iid))
    row = paths.project_row(iid)
    assert (row.grade, row.budget_cut_ratio) == ("优", Decimal("0"))
    spot = spot_row(paths, row.id)
    assert (spot.verdict, spot.veto_applied) == ("属实", False)
    with paths.db.reading() as session:
        assert session.scalars(select(AccountabilityRecord)).all() == []


def test_R_EV_7_a_veto_before_the_evaluation_is_read_by_the_grade_cap(paths):
    """R-EV-7: checked before finance's review: finance does not tick 自评虚假; DMN grade_cap reads
    the spot check's verdict and grades a 95 差, results application cuts and does not prioritise."""
    iid = paths.start()
    paths.to_evaluation(iid)
    paths.do(iid, "ev_self", forms.self_evaluation(362.0, 350.0))
    sc_iid = spot_check(paths, iid)
    check(paths, sc_iid, false_at=0)
    assert paths.project_row(iid).grade is None  # not graded yet: recorded, waiting for the evaluation
    paths.do(iid, "ev_finance_review", forms.evaluation_review(95.0))
    row, data = paths.project_row(iid), paths.data(iid)
    assert data["ev_false_report"] is False and data["spot_check_false"] is True
    assert row.grade == "差" and row.budget_cut_ratio == Decimal("0.3") and data["ra_priority"] is False
    assert spot_row(paths, row.id).veto_applied is True


def test_R_EV_7_spot_checks_are_due_by_june_30(paths, graded):
    """R-EV-7: spot checks finish by June 30 of the year after the fiscal year: not overdue on the
    30th, overdue (the check and the project marked) on July 1."""
    iid = graded(95)
    sc_iid = spot_check(paths, iid)
    [task] = paths.tasks(sc_iid)
    assert task.due_at.astimezone().date().isoformat() in (f"{YEAR + 1}-06-30", f"{YEAR + 1}-07-01")
    assert paths.fire(sc_iid, f"{YEAR + 1}-06-30T23:00:00") == 0
    assert spot_row(paths, paths.project_row(iid).id).overdue is False
    assert paths.fire(sc_iid, f"{YEAR + 1}-07-01T00:00:00") == 1
    assert spot_row(paths, paths.project_row(iid).id).overdue is True
    assert paths.project_row(iid).overdue is True
    assert paths.open(sc_iid) == ["sc_evidence"]  # the unit still gives its evidence


def test_only_the_performance_office_starts_spot_checks(paths, graded):
    iid = graded(95)
    project_id = paths.project_row(iid).id
    for role in ("finance_reviewer", "unit_submitter", "leadership"):
        with pytest.raises(Forbidden):
            commands.start_spot_checks(paths.db, YEAR, [project_id], actor=in_role(role, paths.unit_id))
    commands.start_spot_checks(paths.db, YEAR, [project_id], actor=OFFICE)
    with pytest.raises(Conflict):
        commands.start_spot_checks(paths.db, YEAR, [project_id], actor=OFFICE)
    with pytest.raises(FormInvalid):
        commands.start_spot_checks(paths.db, YEAR + 1, [project_id], actor=OFFICE)
    with pytest.raises(FormInvalid):
        commands.start_spot_checks(paths.db, YEAR, [], actor=policy.Actor.system("x"))
    with paths.db.reading() as session:
        assert session.get(Project, project_id).grade == "优"
