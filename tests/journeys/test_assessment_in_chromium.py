"""The year's unit assessment in Chromium, from an empty database (DOMAIN 6 R-AS-1; issue 12).

The operator migrates, deploys ``bpmn/`` and imports the bureau's people; then, through the
pages only: the performance office starts the 2027 assessment → June 30 passes and nothing
opens → on July 1 the scheduler's pass opens the July cycle → the office scores the pre-filled
sheet → leadership approves → a unit's submitter reads the 通报 → signed out, anyone reads the
published ranking on the public page reached from the login page.
Screenshots (1440 px) go to the test's tmp dir and /tmp/journey-shots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.journeys.conftest import OWN_PASSWORD
from tests.journeys.desk import Desk
from workflows import clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZJ, YJ = "万载县住房和城乡建设局", "万载县应急管理局"


@pytest.fixture
def desks(browser, year, serve, shots):
    base = serve(year.url)
    opened: dict[str, Desk] = {}

    def desk(username: str) -> Desk:
        if username not in opened:
            opened[username] = Desk(browser, base, username, shots)
            opened[username].first_sign_in(year.one_time[username], OWN_PASSWORD)
        return opened[username]

    desk.base = base
    desk.opened = opened
    yield desk
    for each in opened.values():
        each.close()


def test_R_AS_1_the_office_scores_july_leadership_approves_and_everyone_reads_the_ranking(
    year, desks, shots, browser
):
    clock.set_now(clock.parse_moment("2027-03-02T09:00"))

    # --- 1. the performance office starts the year's assessment on its page ----------------
    zhou = desks("perf.zhou")
    page = zhou.page
    page.click("nav >> text=单位考核")
    page.fill("#start-assessment input[name=year]", "2027")
    page.click("#start-assessment button[type=submit]")
    assert "已启动2027年度单位考核" in page.locator(".flash").inner_text()
    assert page.locator("#cycle-2027-july").get_attribute("data-status") == "waiting"
    zhou.look("01-assessment-started")

    # --- 2. June 30 passes: nothing opens; July 1: the cycle opens ---------------------------
    year.jixiao.run_due("2027-06-30T23:59")
    assert not [t for t in zhou.waiting() if "考核评分" in t]
    year.jixiao.run_due("2027-07-01T00:00")
    clock.set_now(clock.parse_moment("2027-07-05T09:00"))
    assert "7月考核评分" in zhou.waiting()

    # --- 3. the office scores the pre-filled sheet from its inbox ---------------------------
    page.goto(f"{desks.base}/inbox?scope=claimable")
    page.locator("#inbox tbody tr[data-task] td.task-cell a", has_text="7月考核评分").click()
    page.wait_for_url(re.compile(r"/assessment/tasks/.+/score"))
    sheet = page.locator("#score-sheet")
    assert sheet.locator(f"tr[data-unit='{ZJ}'] td[data-fact=late_tasks]").inner_text() == "0"
    assert sheet.locator(f"tr[data-unit='{ZJ}'] td[data-fact=spot]").inner_text() == "未抽查"
    sheet.locator(f"tr[data-unit='{ZJ}'] input[name^=judgement_]").fill("9")
    sheet.locator(f"tr[data-unit='{ZJ}'] input[name^=note_]").fill("按时报送，整改到位")
    sheet.locator(f"tr[data-unit='{YJ}'] input[name^=judgement_]").fill("7.5")
    zhou.look("02-scoring-sheet")
    sheet.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/assessment$"))
    assert "评分已提交" in page.locator(".flash").inner_text()
    page.click("#cycle-2027-july >> text=查看排名")
    ranks = {
        row.get_attribute("data-unit"): row.locator("td.rank").inner_text()
        for row in page.locator("#ranking tbody tr").all()
    }
    assert ranks == {ZJ: "1", YJ: "2"}
    zhou.look("03-ranking-before-approval")

    # --- 4. leadership approves ---------------------------------------------------------------
    liu = desks("lead.liu")
    assert "审定7月考核结果" in liu.waiting()
    liu.page.goto(f"{desks.base}/inbox?scope=claimable")
    liu.page.locator("#inbox tbody tr[data-task] td.task-cell a", has_text="审定7月考核结果").click()
    liu.page.wait_for_selector("form.task-form")
    liu.page.check("input[name=as_decision][value=同意]")
    liu.look("04-approval")
    asked: list[str] = []
    liu.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    liu.submit()
    assert asked and "通报" in asked[0]  # 同意 publishes: asked first

    # --- 5. a unit's submitter reads the 通报 --------------------------------------------------
    tian = desks("zj.tian")
    tian.page.click("nav >> text=单位考核")
    tian.page.click("text=查看通报")
    assert "通报" in tian.page.locator("main h1").first.inner_text()
    assert tian.page.locator("#cycle-status").get_attribute("data-status") == "published"
    assert (
        tian.page.locator(f"#ranking tr[data-unit='{ZJ}'] td.total").inner_text() == "99.00"
    )  # 80 (not spot-checked) -> 90, + 9
    tian.look("05-notice")

    # --- 6. the register shows the ranking published and when the rest is due ---------------
    page.goto(f"{desks.base}/assessment")
    page.click("#disclosure-register")
    row = page.locator("#register tr[data-kind=ranking_july]")
    assert row.get_attribute("data-published") == "yes" and "2027年7月31日" in row.inner_text()
    zhou.look("06-register")

    # --- 7. signed out: the public page from the login page -----------------------------------
    outsider = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    public = outsider.new_page()
    public.goto(f"{desks.base}/login")
    public.click("#public-link")
    public.click("text=2027年度")
    public.wait_for_url(re.compile(r"/public/2027$"))
    rankings = public.locator("#public-rankings")
    assert rankings.locator(f"tr[data-unit='{ZJ}'] td.rank").inner_text() == "1"
    public.screenshot(path=str(shots / "07-public-page.png"), full_page=True)
    outsider.close()

    found = [p for d in desks.opened.values() for p in d.problems]
    assert not found, "\n".join(found)
