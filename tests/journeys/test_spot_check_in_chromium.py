"""真实性核查 in Chromium from an empty database (DOMAIN R-EV-7, R-EV-3): a project graded 优 at
95 through ``/api/v1``; then, at their desks, the performance office samples it on the spot-check
page, the unit gives evidence per core indicator, the office finds one core indicator 不实: the
project page shows 差 with the accountability record, and the score table's row shows the veto."""

from __future__ import annotations

import pytest

from demo import form_data as forms
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT, CODE, AMOUNT = "老旧小区改造", "WZ2027-ZJ-009", 362.0


def day(when: str) -> None:
    clock.set_now(clock.parse_moment(when))


def graded_through_the_api(year, people) -> int:
    """A continuing project through targets, two monitoring rounds and its evaluation at 95."""
    day("2026-12-01T09:00")
    tian, li, zhou = people("zj.tian"), people("fin.li"), people("perf.zhou")
    me = tian.call("GET", "/api/v1/me")
    created = tian.call(
        "POST",
        "/api/v1/projects",
        201,
        json={"code": CODE, "name": PROJECT, "unit_id": me["unit_id"], "fiscal_year": 2027,
              "amount": AMOUNT, "fund_type": "general_public", "is_new": False},
    )  # fmt: skip
    tian.complete(CODE, "tg_set", forms.performance_targets(PROJECT))
    li.complete(CODE, "tg_review", forms.targets_decision("通过"), claim=True)
    for node in ("2027-06-01T09:00", "2027-09-01T09:00"):
        year.jixiao.run_due(node)
        tian.complete(CODE, "mn_report", forms.monitoring_report(AMOUNT))
        li.complete(CODE, "mn_review", forms.monitoring_review(True), claim=True)
    day("2028-02-20T10:00")
    tian.complete(CODE, "ev_self", forms.self_evaluation(AMOUNT, 350.0))
    day("2028-04-10T10:00")
    li.complete(CODE, "ev_finance_review", forms.evaluation_review(95.0), claim=True)
    graded = zhou.call("GET", f"/api/v1/projects/{created['id']}")
    assert (graded["score"], graded["grade"]) == ("95.00", "优")
    return created["id"]


def desk_of(browser, base, year, shots, username) -> Desk:
    """Their desk; they set their own password on /api/v1 already (people), so they sign in with it."""
    desk = Desk(browser, base, username, shots)
    desk.sign_in(OWN_PASSWORD)
    return desk


def test_R_EV_7_office_samples_unit_proves_checker_finds_false_grade_is_cha(
    year, people, browser, serve, shots
):
    project_id = graded_through_the_api(year, people)
    base = serve(year.url)
    day("2028-05-10T09:00")
    zhou = desk_of(browser, base, year, shots, "perf.zhou")
    tian = desk_of(browser, base, year, shots, "zj.tian")  # both set their own password on /api/v1
    try:
        # the performance office picks the project on the spot-check page
        zhou.page.goto(f"{base}/reports/spot-checks?year=2027")
        zhou.page.check(f"#pick-{project_id}")
        zhou.look("01-spot-check-pick")
        with zhou.page.expect_navigation():
            zhou.page.click("#start-spot-check")
        assert "已对 1 个项目发起真实性核查" in zhou.page.locator(".flash").inner_text()
        assert zhou.page.locator(f"#spot-checks tr[data-project='{project_id}']").count() == 1

        # the unit gives evidence for each core indicator its self-evaluation claimed
        tian.open_task("提交核查佐证材料", PROJECT)
        evidence = tian.page.locator("[id^='sc_indicators-'][id$='-evidence']")
        rows = evidence.count() - 1  # the last row is left blank for another indicator
        assert rows == 4  # 产出 ×3 and 效益 ×1 of the 自评表 (its rows are the approved indicators)
        assert tian.page.locator("#sc_indicators-0-indicator").input_value()  # pre-filled claim
        tian.fill({f"sc_indicators-{i}-evidence": f"第{i + 1}项：验收单与影像资料" for i in range(rows)})
        tian.look("02-evidence")
        tian.submit()

        # the checker marks the first core indicator 不实
        zhou.open_task("核查核心指标", PROJECT)
        if zhou.page.locator("#claim").count():
            zhou.claim()
        findings = {f"sc_indicators-{i}-finding": "属实" for i in range(rows)}
        findings["sc_indicators-0-finding"] = "不实"
        findings["sc_indicators-0-note"] = "现场核查完成数与自评不符"
        findings["sc_check_comment"] = "核心指标自评不实，一票否决。"
        zhou.fill(findings)
        zhou.look("03-findings")
        zhou.submit()

        # the project page: 差, the spot check's verdict, the accountability record
        zhou.page.goto(f"{base}/projects/{project_id}")
        facts = zhou.page.locator("section.card").first.inner_text()
        assert "差" in facts
        assert zhou.page.locator("#spot-checks [data-verdict='不实']").count() == 1
        accountable = zhou.page.locator("#accountability tbody tr").inner_text()
        assert "万载县住房和城乡建设局" in accountable and "田甜" in accountable
        zhou.look("04-project-vetoed")

        # the score table: the row shows the veto
        zhou.page.goto(f"{base}/reports/score-table?year=2027")
        row = zhou.page.locator(f"#score-table tr[data-project='{project_id}']")
        assert row.get_attribute("data-veto") == "1" and row.get_attribute("data-grade") == "差"
        assert "一票否决" in row.inner_text() and "95.00" in row.inner_text()
        zhou.look("05-score-table")
        with zhou.page.expect_navigation():
            zhou.page.click("#confirm-score-table")
        assert "已确认2027年度打分表" in zhou.page.locator(".flash").inner_text()
        api = people("perf.zhou").call("GET", "/api/v1/score-table/2027")
        [line] = [r for r in api["rows"] if r["project_id"] == project_id]
        assert (line["grade"], line["vetoed"], line["final_score"]) == ("差", True, 95.0)
        assert api["confirmation"]["confirmed_by"] == "perf.zhou"
        assert zhou.problems + tian.problems == []
    finally:
        zhou.close()
        tian.close()
