"""扶贫资金项目月度评价排名 (DOMAIN R-AS-2, seed 000 (十)), through the real ``poverty_fund_ranking`` BPMN.

Each month the bureau evaluates the units' poverty-alleviation fund projects: red lights
(execution lagging 序时进度), wrong amounts, badly filled indicators and 细散小 projects are
counted per unit from the read tables, the performance office reviews, leadership approves,
the ranking is published (通报) and each unit gets its items back to rectify.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import select

from demo import form_data as forms
from tests import factories
from tests.scenarios.conftest import BPMN, FORMS, YEAR, in_role
from workflows import commands
from workflows.engine import specs
from workflows.errors import BusinessRuleRefused, Forbidden, FormInvalid
from workflows.store import (
    HumanTask,
    Notification,
    PovertyIssue,
    PovertyMonth,
    PovertyScore,
    ProcessInstance,
    TargetVersion,
)

OFFICE = in_role("performance_office", None)
LEADER = in_role("leadership", None)
POVERTY = "poverty_alleviation"
NY, JY, WJ = "万载县农业农村局", "万载县教育局", "万载县卫生健康委员会"


@pytest.fixture
def units(paths):
    """Three units, each with its submitter account (the feedback goes to them)."""
    ids = {}
    with paths.db.unit_of_work() as uow:
        for code, name, user in (
            ("360922-001", NY, "ny.li"),
            ("360922-002", JY, "jy.wu"),
            ("360922-003", WJ, "wj.he"),
        ):
            ids[name] = factories.unit(uow, code, name)
            factories.user(uow, user, "unit_submitter", unit_code=code)
        uow.commit()
    paths.unit_id = ids[NY]
    return ids


def project(paths, unit_id, code, name, amount, *, fund_type=POVERTY, targets=None) -> int:
    """A continuing poverty-fund project of ``unit_id`` whose targets finance approves; returns
    its lifecycle instance."""
    with paths.db.unit_of_work() as uow:
        created = factories.project(
            uow,
            code,
            actor=in_role("unit_submitter", unit_id),
            name=name,
            fiscal_year=YEAR,
            amount=amount,
            is_new=False,
            fund_type=fund_type,
        )
        uow.commit()
    iid = created.instance_id
    paths.unit_id = unit_id
    approved = targets or forms.performance_targets(name, float(amount))  # the year's funds: the project's
    paths.do(iid, "tg_set", approved)
    paths.do(iid, "tg_review", forms.targets_decision("通过"))
    _APPROVED[iid] = approved["indicators"]  # the monitoring report's rows are these (bound rows)
    return iid


_APPROVED: dict[int, list[dict]] = {}


def report(paths, iid, unit_id, amount, share):
    """The May node's monitoring report with ``share`` of the budget executed, passed by finance."""
    paths.unit_id = unit_id
    paths.fire(iid, f"{YEAR}-06-01T09:00:00")
    paths.do(iid, "mn_report", forms.monitoring_report(amount, share, _APPROVED[iid]))
    paths.do(iid, "mn_review", forms.monitoring_review(True))


def month_instance(paths, month: int) -> int:
    with paths.db.reading() as session:
        return session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.business_key == f"poverty-ranking-{YEAR}-{month:02d}"
            )
        )


def started_year(paths, when=f"{YEAR}-03-02T09:00:00") -> dict[int, int]:
    paths.clock_at(when)
    return commands.start_poverty_year(paths.db, YEAR, actor=OFFICE)


def open_month(paths, month: int) -> int:
    iid = month_instance(paths, month)
    paths.fire(iid, f"{YEAR}-{month + 1:02d}-01T00:00:00")
    return iid


def sheet(paths, iid) -> dict[str, dict]:
    (task,) = paths.tasks(iid, "pr_review")
    return {row["unit_name"]: row for row in task.draft["units"]}


def review(paths, iid, adjustments=None, reasons=None):
    (task,) = paths.tasks(iid, "pr_review")
    ids = {row["unit_name"]: row["unit_id"] for row in task.draft["units"]}
    return commands.review_month(
        paths.db,
        task.id,
        {ids[n]: p for n, p in (adjustments or {}).items()},
        reasons={ids[n]: r for n, r in (reasons or {}).items()},
        actor=OFFICE,
    )


def approve(paths, iid, decision="同意"):
    (task,) = paths.tasks(iid, "pr_approve")
    return commands.complete_task(
        paths.db, task.id, {"as_decision": decision, "as_comment": "请复核"}, actor=LEADER
    )


def scores(paths, month=6) -> dict[str, PovertyScore]:
    from workflows.store import BudgetUnit

    with paths.db.reading() as session:
        rows = session.execute(
            select(PovertyScore, BudgetUnit.name)
            .join(BudgetUnit, BudgetUnit.id == PovertyScore.unit_id)
            .join(PovertyMonth, PovertyMonth.id == PovertyScore.month_id)
            .where(PovertyMonth.month == month)
        ).all()
        session.expunge_all()
        return {name: score for score, name in rows}


def issues(paths, kind=None) -> list[PovertyIssue]:
    with paths.db.reading() as session:
        query = select(PovertyIssue).order_by(PovertyIssue.id)
        if kind:
            query = query.where(PovertyIssue.kind == kind)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def month_row(paths, month=6) -> PovertyMonth | None:
    with paths.db.reading() as session:
        row = session.scalar(select(PovertyMonth).where(PovertyMonth.month == month))
        if row is not None:
            session.expunge(row)
        return row


@pytest.fixture
def county(paths, units):
    """Three units' poverty-fund projects: 农业农村局 spends 10% by May (a red light by June's
    end), 教育局 45%, 卫健委 has a small project and targets without satisfaction indicators."""
    ny = project(paths, units[NY], "WZ-FP-001", "高标准农田建设项目", 362.0)
    jy = project(paths, units[JY], "WZ-FP-002", "农村义务教育营养改善计划", 420.5)
    bad = forms.performance_targets("村卫生室标准化建设", 12.0)
    bad["indicators"] = [dict(i, direction="定性", target_value="明显改善") for i in bad["indicators"][:4]]
    bad["indicators"][0]["weight"] = 40
    wj = project(paths, units[WJ], "WZ-FP-003", "村卫生室标准化建设", 12.0, targets=bad)
    project(paths, units[JY], "WZ-GP-009", "城区学校校舍维修", 230.0, fund_type="general_public")
    report(paths, ny, units[NY], 362.0, 0.10)
    report(paths, jy, units[JY], 420.5, 0.45)
    report(paths, wj, units[WJ], 12.0, 0.45)
    return units


def test_R_AS_2_the_timer_opens_a_month_on_the_1st_and_not_on_its_last_day(paths, units):
    started = started_year(paths)
    assert sorted(started) == list(range(3, 13))  # January and February opened already: not started
    iid = started[5]
    paths.fire(iid, f"{YEAR}-05-31T23:59:00")
    assert paths.open(iid) == [] and month_row(paths, 5) is None
    paths.fire(iid, f"{YEAR}-06-01T00:00:00")
    assert paths.open(iid) == ["pr_review"]
    opened = month_row(paths, 5)
    assert (opened.fiscal_year, opened.month, opened.status) == (YEAR, 5, "reviewing")
    assert opened.rules["red_light_lag"] == 10 and opened.rules["fund_types"] == [POVERTY]


def test_R_AS_2_december_opens_on_january_1_of_the_next_year(paths, units):
    iid = started_year(paths)[12]
    paths.fire(iid, f"{YEAR}-12-31T23:59:00")
    assert paths.open(iid) == []
    paths.fire(iid, f"{YEAR + 1}-01-01T00:00:00")
    assert paths.open(iid) == ["pr_review"]


def test_R_AS_2_a_project_lagging_schedule_progress_is_a_red_light(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)  # June 30: 序时进度 49.59%
    rows = sheet(paths, iid)
    assert set(rows) == {NY, JY, WJ}  # 教育局's general-budget project does not count
    assert (rows[NY]["red_lights"], rows[JY]["red_lights"]) == (1, 0)  # 10% lags 39.59 points; 45% 4.59
    (red,) = issues(paths, "red_light")
    assert red.detail == "预算执行率 10.00% 落后序时进度 49.59%（39.59 个百分点）"


def test_R_AS_2_wrong_amounts_badly_filled_indicators_and_small_projects_are_counted(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    rows = sheet(paths, iid)
    assert rows[WJ]["indicator_issues"] == 1 and rows[WJ]["small_projects"] == 1
    assert rows[NY]["indicator_issues"] == 0 and rows[NY]["small_projects"] == 0
    (indicator,) = issues(paths, "indicator")
    assert indicator.detail == "缺少一级指标：满意度指标；量化指标 0 个，少于 1 个"
    (small,) = issues(paths, "small")
    assert small.detail == "项目金额 12.00 万元低于 20 万元（细散小）"
    assert rows[WJ]["projects"] == 1 and rows[JY]["amount"] == 420.5


def test_R_AS_2_a_cut_budget_leaves_the_amounts_wrong(paths, units):
    """Two failed monitoring rounds: leadership cuts 100 万元 (R-MN-4); the funding sources and
    the approved targets still declare the old amount."""
    iid = project(paths, units[NY], "WZ-FP-011", "高标准农田建设项目", 362.0)
    paths.monitoring_node(iid, passed=False, month_after="06")
    paths.monitoring_node(iid, passed=False, month_after="09")
    paths.do(iid, "lc_escalation", forms.escalation("调减预算"))
    assert paths.project_row(iid).amount < Decimal("362")
    started_year(paths)
    month = open_month(paths, 9)
    assert sheet(paths, month)[NY]["amount_errors"] == 1
    (wrong,) = issues(paths, "amount_error")
    assert "资金来源合计 362.00 万元与预算" in wrong.detail and "绩效目标申报金额 362.00 万元" in wrong.detail


def test_R_AS_2_approved_targets_are_recorded_when_finance_approves_them(paths, units):
    iid = project(paths, units[NY], "WZ-FP-021", "高标准农田建设项目", 362.0)
    with paths.db.reading() as session:
        (version,) = session.scalars(select(TargetVersion)).all()
        assert version.project_id == paths.project_row(iid).id and version.version == 1
        assert len(version.indicators) == 5 and version.instance_id == iid


def test_R_AS_2_ties_share_a_rank_and_the_bottom_units_are_supervised(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    review(paths, iid)
    rows = scores(paths)
    # DMN poverty_fund_rules: 100, red light −5, indicators −3, 细散小 −2
    assert {n: rows[n].total for n in rows} == {
        NY: Decimal("95.00"),
        JY: Decimal("100.00"),
        WJ: Decimal("95.00"),
    }
    assert [rows[n].rank for n in (JY, NY, WJ)] == [1, 2, 2]
    # the bottom two (supervise_bottom 2): tied at 95, both; the full score never
    assert [rows[n].supervise for n in (JY, NY, WJ)] == [False, True, True]
    assert month_row(paths).status == "approving" and paths.open(iid) == ["pr_approve"]


def test_R_AS_2_the_office_adjusts_with_a_reason_within_the_dmns_bound(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    with pytest.raises(FormInvalid) as no_reason:
        review(paths, iid, {NY: 3})
    assert list(no_reason.value.fields) == [f"reason_{county[NY]}"]
    with pytest.raises(FormInvalid) as too_much:
        review(paths, iid, {NY: 10.5}, {NY: "已整改"})
    assert list(too_much.value.fields) == [f"adjustment_{county[NY]}"]
    assert paths.open(iid) == ["pr_review"]  # nothing changed
    review(paths, iid, {NY: 3}, {NY: "月内已追加支出，红灯已消除"})
    rows = scores(paths)
    assert rows[NY].total == Decimal("98.00") and rows[NY].adjustment_reason == "月内已追加支出，红灯已消除"
    assert [rows[n].rank for n in (JY, NY, WJ)] == [1, 2, 3]


def test_R_AS_2_the_generic_task_door_refuses_the_review(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    (task,) = paths.tasks(iid, "pr_review")
    tampered = copy.deepcopy(task.draft)
    tampered["units"][0]["red_lights"] = 0
    with pytest.raises(BusinessRuleRefused):
        commands.complete_task(paths.db, task.id, tampered, actor=OFFICE)


def test_R_AS_2_leadership_approves_and_the_feedback_reaches_each_unit(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    review(paths, iid)
    paths.clock_at(f"{YEAR}-07-08T10:00:00")
    approve(paths, iid)
    published = month_row(paths)
    assert (
        published.published and published.status == "published" and published.approved_by == LEADER.username
    )
    tasks = paths.tasks(iid, "pr_rectify")
    # 农业农村局 (red light) and 卫健委 (indicators, 细散小); 教育局 has nothing to rectify
    assert sorted(t.unit_id for t in tasks) == sorted([county[NY], county[WJ]])
    assert {t.due_at.date().isoformat() for t in tasks} == {f"{YEAR}-07-23"}  # 15 days (DMN)
    with paths.db.reading() as session:
        told = {n.username: n.message for n in session.scalars(select(Notification))}
    assert set(told) == {"ny.li", "wj.he"} and "7月23日" not in told["ny.li"]
    assert (
        f"{YEAR}年6月扶贫资金项目绩效管理评价结果已通报" in told["ny.li"] and f"{YEAR}-07-23" in told["ny.li"]
    )
    other = in_role("unit_submitter", county[JY])
    (ny_task,) = [t for t in tasks if t.unit_id == county[NY]]
    with pytest.raises(Forbidden):
        commands.rectify(paths.db, ny_task.id, {}, actor=other)


def test_R_AS_2_the_unit_states_a_measure_for_each_item(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    review(paths, iid)
    approve(paths, iid)
    (task,) = [t for t in paths.tasks(iid, "pr_rectify") if t.unit_id == county[WJ]]
    mine = [i for i in issues(paths) if i.unit_id == county[WJ]]
    assert [i.kind for i in mine] == ["indicator", "small"]
    wj = in_role("unit_submitter", county[WJ])
    with pytest.raises(FormInvalid) as missing:
        commands.rectify(paths.db, task.id, {mine[0].id: "补充满意度指标并量化目标值"}, actor=wj)
    assert list(missing.value.fields) == [f"measure_{mine[1].id}"]
    commands.rectify(
        paths.db,
        task.id,
        {mine[0].id: "补充满意度指标并量化目标值", mine[1].id: "与相邻村卫生室项目整合实施"},
        actor=wj,
    )
    done = [i for i in issues(paths) if i.unit_id == county[WJ]]
    assert all(i.rectified_at and i.rectified_by == wj.username for i in done)
    assert [t.unit_id for t in paths.tasks(iid, "pr_rectify")] == [county[NY]]


def test_R_AS_2_a_returned_ranking_comes_back_as_it_was_sent(paths, county):
    started_year(paths)
    iid = open_month(paths, 6)
    review(paths, iid, {WJ: 2}, {WJ: "细散小项目已报整合方案"})
    approve(paths, iid, "退回")
    assert paths.open(iid) == ["pr_review"] and month_row(paths).status == "reviewing"
    again = sheet(paths, iid)[WJ]
    assert (again["adjustment"], again["adjustment_reason"]) == (2, "细散小项目已报整合方案")
    assert paths.tasks(iid, "pr_rectify") == []


def test_R_AS_2_a_month_without_poverty_projects_closes_without_a_ranking(paths, units):
    started_year(paths)
    iid = open_month(paths, 4)
    assert sheet(paths, iid) == {}
    review(paths, iid)
    assert paths.status(iid) == "completed" and month_row(paths, 4).status == "empty"


def test_R_AS_2_the_thresholds_are_the_dmns(paths, county):
    """A bureau raising 细散小 to 400 万元 in the DMN flags 362 and 12 万元 alike."""
    files = specs.load_bundle(BPMN, FORMS)
    files["poverty_fund_rules.dmn"] = files["poverty_fund_rules.dmn"].replace(
        '<outputEntry id="Out_poverty_fund_rules_1_2"><text>20</text>',
        '<outputEntry id="Out_poverty_fund_rules_1_2"><text>400</text>',
    )
    paths.deploy(files)
    started_year(paths)
    rows = sheet(paths, open_month(paths, 6))
    assert [rows[n]["small_projects"] for n in (NY, JY, WJ)] == [1, 0, 1]


def test_R_AS_2_starting_the_year_again_starts_nothing_twice(paths, units):
    first = started_year(paths)
    assert started_year(paths, f"{YEAR}-05-02T09:00:00") == {}
    with paths.db.reading() as session:
        assert session.query(ProcessInstance).filter_by(process_id="poverty_fund_ranking").count() == len(
            first
        )
    with pytest.raises(FormInvalid):
        commands.start_poverty_year(paths.db, YEAR - 2, actor=OFFICE)


def test_R_AS_2_only_the_performance_office_starts_the_year(paths, units):
    with pytest.raises(Forbidden):
        commands.start_poverty_year(paths.db, YEAR, actor=in_role("unit_submitter", units[NY]))
    with paths.db.reading() as session:
        assert (
            session.scalar(select(HumanTask.id).where(HumanTask.process_id == "poverty_fund_ranking")) is None
        )
