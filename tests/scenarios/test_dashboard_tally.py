"""``dashboard_tally`` (0014_dashboard_summary) stays equal to the project rows through the
commands that move a project — start, ex-ante, targets returned and resubmitted, a failed
monitoring node and its rectification, evaluation with a budget cut — and through saves that
run at the same time (PostgreSQL: the triggers add under row locks, no count is lost)."""

from __future__ import annotations

import threading

import pytest

from demo import form_data as forms
from tests.conftest import ON_POSTGRES
from tests.reports.tally_check import assert_tally_matches
from tests.scenarios.conftest import OFFICE, YEAR
from workflows.queries import dashboard
from workflows.queries.project_filter import ProjectFilter


def test_the_tally_follows_a_project_through_the_loop(paths):
    first = paths.start()
    second = paths.start(project_name="乡村公路养护", amount_wan=120.5)
    assert_tally_matches(paths.db)
    paths.through_ex_ante(first)
    assert_tally_matches(paths.db)
    paths.do(first, "tg_set", forms.performance_targets("农村人居环境整治项目"))
    paths.do(first, "tg_review", forms.targets_decision("退回调整"))  # returned to the unit
    assert_tally_matches(paths.db)
    paths.do(first, "tg_set", forms.performance_targets("农村人居环境整治项目"))
    paths.do(first, "tg_review", forms.targets_decision("通过"))
    assert_tally_matches(paths.db)
    paths.monitoring_node(first, passed=False)  # 执行率 reported, failed, rectified
    assert_tally_matches(paths.db)
    paths.monitoring_node(first, passed=True, month_after="09")
    if "lc_escalation" in paths.open(first):
        paths.do(first, "lc_escalation", forms.escalation())
    paths.evaluate(first, 72.0)  # 中: next year's budget cut (R-RA-1)
    assert_tally_matches(paths.db)
    with paths.db.reading() as session:
        board = dashboard.build(session, OFFICE, ProjectFilter(year=YEAR))
        counted = dashboard.build(session, OFFICE, ProjectFilter(year=YEAR), from_rows=True)
    assert board == counted
    assert board.total.count == 2 and board.cuts.count == 1
    assert paths.project_row(second).stage == "ex_ante"


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers: PostgreSQL (SQLite has one writer)")
def test_saves_at_the_same_time_lose_no_count(paths):
    """Six finance reviews of the same unit's projects complete at once: each moves its project
    from 事前评估 to 绩效目标, so all six add to and take from the same tally rows."""
    started = [paths.start(project_name=f"乡村公路养护{i}", amount_wan=100 + i) for i in range(6)]
    for i, iid in enumerate(started):  # each asks for its own project's amount, no more
        paths.do(iid, "ea_write", forms.ex_ante_report(f"乡村公路养护{i}", 100 + i))
        paths.do(iid, "ea_head", forms.head_approval())
    gate = threading.Barrier(len(started))
    failures = []

    def review(iid):
        gate.wait()
        try:
            paths.do(iid, "ea_finance_review", forms.ex_ante_review(86.5, "支持"))
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=review, args=(iid,)) for iid in started]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert_tally_matches(paths.db)
    with paths.db.reading() as session:
        board = dashboard.build(session, OFFICE, ProjectFilter(year=YEAR))
    assert {f.key: f.count for f in board.by_stage} == {"targets": 6}
