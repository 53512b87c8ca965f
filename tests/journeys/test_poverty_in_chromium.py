"""扶贫资金项目月度评价 in Chromium, from an empty database (DOMAIN R-AS-2; issue 12).

The operator migrates, deploys ``bpmn/`` and imports the bureau's people. 住建局 declares two
poverty-alleviation projects for 2027 (one on the new-project page, 8 万元: 细散小) and 应急局 one
whose targets lack satisfaction indicators; through ``/api/v1`` finance approves the targets and
the May monitoring reports come in (住建局 has spent 10%). Then, through the pages only: the
performance office starts the year's monthly evaluation → June 30 passes and nothing opens →
July 1 opens June's → the office reviews the sheet (an adjustment needs a reason) → leadership
approves → 住建局's submitter reads the notice, its red light and 细散小 items, and rectifies
them → the office exports the ranking, re-read with openpyxl.
Screenshots (1440 px, and a phone's 390 px) go to the test's tmp dir and /tmp/journey-shots/.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from demo import form_data as forms
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZJ, YJ = "万载县住房和城乡建设局", "万载县应急管理局"
ROAD, SMALL, FIRE = "脱贫村产业路建设", "脱贫户庭院经济补助", "易地搬迁安置点消防设施"


def day(when: str) -> None:
    clock.set_now(clock.parse_moment(when))


@pytest.fixture
def desks(browser, year, serve, shots):
    base = serve(year.url)
    opened: dict[str, Desk] = {}

    def desk(username: str, *, has_own_password: bool = False) -> Desk:
        """``has_own_password``: the person set it already (their program on the API did)."""
        if username not in opened:
            opened[username] = Desk(browser, base, username, shots)
            if has_own_password:
                opened[username].sign_in(OWN_PASSWORD)
            else:
                opened[username].first_sign_in(year.one_time[username], OWN_PASSWORD)
        return opened[username]

    desk.base = base
    desk.opened = opened
    yield desk
    for each in opened.values():
        each.close()


def declare(person, code: str, name: str, amount: float, targets: dict) -> None:
    """A continuing poverty-fund project through the API, its targets submitted."""
    me = person.call("GET", "/api/v1/me")
    person.call(
        "POST",
        "/api/v1/projects",
        201,
        json={"code": code, "name": name, "unit_id": me["unit_id"], "fiscal_year": 2027, "amount": amount,
              "fund_type": "poverty_alleviation", "is_new": False},
    )  # fmt: skip
    person.complete(code, "tg_set", targets)


def phone(desk: Desk, name: str) -> None:
    """The same page on a phone (390 × 844)."""
    desk.page.set_viewport_size({"width": 390, "height": 844})
    desk.look(name)
    desk.page.set_viewport_size({"width": 1440, "height": 900})


def test_R_AS_2_office_reviews_leadership_approves_the_unit_rectifies_its_feedback(
    year, desks, people, shots
):
    # --- 0. the projects of 2027, declared in the autumn before --------------------------------
    day("2026-10-10T09:00")
    tian, lin = people("zj.tian"), people("yj.lin")
    road = forms.performance_targets(ROAD)
    declare(tian, "FP2027-ZJ-01", ROAD, 362.0, road)
    poor = forms.performance_targets(FIRE)
    poor["indicators"] = [dict(i, direction="定性", target_value="明显提升") for i in poor["indicators"][:4]]
    poor["indicators"][0]["weight"] = 40  # no satisfaction indicator, nothing quantified
    declare(lin, "FP2027-YJ-01", FIRE, 420.5, poor)
    li, he = people("fin.li"), people("fin.he")
    li.complete("FP2027-ZJ-01", "tg_review", forms.targets_decision("通过"), claim=True)
    he.complete("FP2027-YJ-01", "tg_review", forms.targets_decision("通过"), claim=True)

    # the small one on the new-project page, as 扶贫（乡村振兴）资金
    zj = desks("zj.tian", has_own_password=True)
    page = zj.page
    page.click("nav >> text=项目")
    page.click("text=新建项目")
    page.fill("input[name=code]", "FP2027-ZJ-02")
    page.fill("input[name=name]", SMALL)
    page.fill("input[name=fiscal_year]", "2027")
    page.fill("input[name=amount]", "8")
    page.select_option("select[name=fund_type]", label="扶贫（乡村振兴）资金")
    page.check("input[name=is_new][value='0']")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{desks.base}/projects/*")
    assert "扶贫（乡村振兴）资金" in page.locator("main").inner_text()

    year.jixiao.run_due("2027-06-01T09:00")  # the May node: reports due by June 10
    day("2027-06-05T10:00")
    tian.complete("FP2027-ZJ-01", "mn_report", forms.monitoring_report(362.0, 0.10, road["indicators"]))
    li.complete("FP2027-ZJ-01", "mn_review", forms.monitoring_review(True), claim=True)
    lin.complete("FP2027-YJ-01", "mn_report", forms.monitoring_report(420.5, 0.45, poor["indicators"]))
    he.complete("FP2027-YJ-01", "mn_review", forms.monitoring_review(True), claim=True)

    # --- 1. the performance office starts the year's monthly evaluation -----------------------
    day("2027-06-12T09:00")
    zhou = desks("perf.zhou")
    office = zhou.page
    office.click("nav >> text=扶贫资金评价")
    office.fill("#start-poverty input[name=year]", "2027")
    office.click("#start-poverty button[type=submit]")
    assert "已启动2027年扶贫资金项目月度评价：6月至12月" in office.locator(".flash").inner_text()
    assert office.locator("#month-2027-6").get_attribute("data-status") == "waiting"
    assert office.locator("#month-2027-5").get_attribute("data-status") == "not_started"
    zhou.look("01-year-started")

    # --- 2. June 30 passes: nothing opens; July 1: June's evaluation opens ---------------------
    year.jixiao.run_due("2027-06-30T23:59")
    assert not [t for t in zhou.waiting() if "月度评价表" in t]
    year.jixiao.run_due("2027-07-01T00:00")
    day("2027-07-03T09:00")
    assert "审核扶贫资金月度评价表" in zhou.waiting()

    # --- 3. the office reviews the pre-filled sheet from its inbox -----------------------------
    office.goto(f"{desks.base}/inbox?scope=claimable")
    office.locator("#inbox tbody tr[data-task] td.task-cell a", has_text="审核扶贫资金月度评价表").click()
    office.wait_for_url(re.compile(r"/poverty/tasks/.+/review"))
    sheet = office.locator("#review-sheet")
    assert sheet.locator(f"tr[data-unit='{ZJ}'] td[data-fact=red_lights] .red-light").inner_text() == "1"
    assert sheet.locator(f"tr[data-unit='{ZJ}'] td[data-fact=small_projects]").inner_text() == "1"
    assert sheet.locator(f"tr[data-unit='{YJ}'] td[data-fact=indicator_issues]").inner_text() == "1"
    sheet.locator(f"tr[data-unit='{YJ}'] input[name^=adjustment_]").fill("2")
    sheet.locator("button[type=submit]").click()
    assert "调整得分须说明理由" in office.locator(f"#review-sheet tr[data-unit='{YJ}']").inner_text()
    zhou.look("02-review-refused")
    office.locator(f"#review-sheet tr[data-unit='{YJ}'] input[name^=reason_]").fill(
        "指标已按要求补充，待重新批复"
    )
    zhou.look("03-review-sheet")
    phone(zhou, "03-review-sheet-phone")
    office.locator("#review-sheet button[type=submit]").click()
    office.wait_for_url(re.compile(r"/poverty$"))
    assert "月度评价表已提交" in office.locator(".flash").inner_text()
    office.click("#month-2027-6 >> text=查看排名")
    ranks = {
        row.get_attribute("data-unit"): row.locator("td.rank").inner_text()
        for row in office.locator("#ranking tbody tr").all()
    }
    assert ranks == {YJ: "1", ZJ: "2"}  # 100 − 3 + 2 = 99; 100 − 5 − 2 = 93
    zhou.look("04-ranking-before-approval")

    # --- 4. leadership approves ----------------------------------------------------------------
    liu = desks("lead.liu")
    liu.page.goto(f"{desks.base}/inbox?scope=claimable")
    liu.page.locator("#inbox tbody tr[data-task] td.task-cell a", has_text="审定扶贫资金月度排名").click()
    liu.page.wait_for_selector("form.task-form")
    liu.page.check("input[name=as_decision][value=同意]")
    liu.look("05-approval")
    asked: list[str] = []  # 同意 publishes the 通报: the page asks first
    liu.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    liu.submit()
    assert asked and "通报" in asked[0]

    # --- 5. 住建局 reads the notice and its feedback, and rectifies -------------------------------
    day("2027-07-05T10:00")
    assert zj.bell() == 1
    assert any("2027年6月扶贫资金项目绩效管理评价结果已通报" in n for n in zj.notices())
    assert "整改扶贫资金项目问题" in zj.waiting()
    page.goto(f"{desks.base}/inbox?scope=claimable")  # 我的任务 holds the unit's own projects' reports
    page.locator("#inbox tbody tr[data-task] td.task-cell a", has_text="整改扶贫资金项目问题").click()
    page.wait_for_url(re.compile(r"/poverty/tasks/.+/rectify"))
    items = page.locator("#rectify-sheet tbody tr")
    assert sorted(items.evaluate_all("rows => rows.map(r => r.dataset.kind)")) == ["red_light", "small"]
    assert "2027年7月18日" in page.locator("main .due").inner_text()  # approved July 3, + 15 days (DMN)
    zj.look("06-rectify")
    for row in items.all():
        kind = row.get_attribute("data-kind")
        row.locator("textarea").fill(
            "加快工程款拨付，7月底前支出进度达到序时进度"
            if kind == "red_light"
            else "并入全乡庭院经济项目统一实施"
        )
    page.click("#rectify-sheet button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))
    assert "整改情况已报送" in page.locator(".flash").inner_text()
    page.goto(f"{desks.base}/poverty")
    page.click("#month-2027-6 >> text=查看通报")
    assert page.locator("#month-status").get_attribute("data-status") == "published"
    assert (
        page.locator(f"#ranking tr[data-unit='{ZJ}'] td[data-supervise]").get_attribute("data-supervise")
        == "yes"
    )
    assert page.locator("#issues tbody tr").count() == 2  # its own items, both rectified
    assert page.locator("#issues .tag.done").count() == 2 and FIRE not in page.locator("#issues").inner_text()
    zj.look("07-notice-for-the-unit")
    phone(zj, "07-notice-for-the-unit-phone")

    # --- 6. the office exports the ranking -----------------------------------------------------
    office.goto(f"{desks.base}/poverty")
    assert office.locator("#month-2027-6 td.num").inner_text() == "2 / 3"  # rectified / fed back
    office.click("#month-2027-6 >> text=查看通报")
    zhou.look("08-notice")
    with office.expect_download() as download:
        office.click("#ranking-xlsx")
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    ranking = book["月度排名"]
    assert ranking["A1"].value == "2027年6月扶贫资金项目绩效管理评价排名"
    body = [(r[0], r[1], r[11], r[12]) for r in ranking.iter_rows(min_row=3, values_only=True)]
    assert body == [(1, YJ, 99.0, None), (2, ZJ, 93.0, "督导")]
    kinds = [r[3] for r in book["问题清单"].iter_rows(min_row=3, values_only=True)]
    assert sorted(kinds) == sorted(["红灯预警", "绩效指标填报不规范", "细散小项目"])

    found = [p for d in desks.opened.values() for p in d.problems]
    assert not found, "\n".join(found)
