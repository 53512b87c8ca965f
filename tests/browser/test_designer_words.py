"""The designer's diagrams and editors in Chinese (issue 13, tester's notes): lanes read as role
names on the compare page and in the modeler (the file keeps the role id), both compare diagrams
zoom, fit and go full screen, the workbench opens fitted with the palette clear of the lanes,
dmn-js and the properties panel speak Chinese, a batch migration asks first."""

from __future__ import annotations

import pytest

from tests.browser.test_designer import SHOTS, lifecycle, login, open_file  # noqa: F401
from workflows import commands
from workflows.commands import designer as drafts
from workflows.policy import Actor

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESIGNER = Actor("designer", frozenset({"designer"}))
PHONE = {"width": 390, "height": 844}


def _threshold_85(db):
    from workflows.queries import designer as views

    drafts.open_draft(db, actor=DESIGNER)
    with db.reading() as s:
        text = views.draft_of(s, DESIGNER).files["ex_ante_decision.dmn"]
    drafts.save_file(db, "ex_ante_decision.dmn", text.replace("&gt;= 80", "&gt;= 85"), actor=DESIGNER)
    drafts.deploy_draft(db, "事前评估通过线提高到85分", actor=DESIGNER)


def test_compare_reads_roles_colours_the_rule_task_and_zooms(page, live_server, lifecycle):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    _threshold_85(lifecycle.db)
    login(page, live_server)
    page.goto(f"{live_server}/designer/processes/ex_ante_assessment/compare")
    page.wait_for_selector("#compare[data-ready='1']", timeout=20000)
    new = page.locator("#diagram-new")
    assert "单位填报人" in new.locator("svg").first.text_content()
    assert "unit_submitter" not in page.locator("#compare").inner_text()
    rule_task = new.locator(".djs-element[data-element-id='ea_decide']")
    assert "diff-changed" in rule_task.get_attribute("class")
    changes = page.locator("#changes").inner_text()
    assert "规则 2：条件「评审得分」 >= 80 → >= 85" in changes
    assert "决策表 ex_ante_decision 已修改，影响此任务" in changes
    assert new.bounding_box()["height"] >= 400  # at 1440×900
    page.screenshot(path=SHOTS / "w1-compare-1440.png", full_page=True)

    def zoom():
        return page.evaluate(
            "() => { const m = getComputedStyle(document.querySelector('#diagram-new .viewport')).transform;"
            " return m === 'none' ? 1 : parseFloat(m.slice(7)); }"
        )

    fitted = zoom()
    page.click(".diagram-tools[data-for='diagram-new'] [data-zoom='in']")
    assert zoom() > fitted
    page.click(".diagram-tools[data-for='diagram-new'] [data-zoom='fit']")
    assert abs(zoom() - fitted) < 0.01
    page.click(".diagram-tools[data-for='diagram-old'] [data-zoom='full']")
    assert "fullscreen" in page.locator("#diagram-old").get_attribute("class")
    assert page.locator("#diagram-old").bounding_box()["height"] >= 850
    page.keyboard.press("Escape")
    assert "fullscreen" not in page.locator("#diagram-old").get_attribute("class")

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#compare[data-ready='1']", timeout=20000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "w2-compare-390.png", full_page=True)


def test_workbench_opens_fitted_with_lanes_named_by_role_and_keeps_the_role_id(
    page,
    live_server,
    lifecycle,  # noqa: F811
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server)
    open_file(page, live_server, "ex_ante_assessment.bpmn")
    labels = page.locator(".role-label")
    assert labels.count() >= 4
    assert "单位填报人" in page.locator("#canvas").inner_text()
    info = page.evaluate(
        """() => {
          const m = window.jixiaoModeler, canvas = m.get('canvas'), vb = canvas.viewbox();
          const pal = document.querySelector('#canvas .djs-palette').getBoundingClientRect();
          const lanes = [...document.querySelectorAll('#canvas .role-label')].map(e => e.getBoundingClientRect());
          const box = document.querySelector('#canvas').getBoundingClientRect();
          return {zoom: canvas.zoom(), inner: vb.inner, outer: vb.outer, x: vb.x, y: vb.y, scale: vb.scale,
                  paletteRight: pal.right, laneLeft: Math.min(...lanes.map(r => r.left)),
                  right: box.right, laneRight: Math.max(...lanes.map(r => r.left)) };
        }"""
    )
    assert info["zoom"] < 1  # the whole diagram, not 1:1
    visible_right = info["x"] + info["outer"]["width"] / info["scale"]
    assert info["inner"]["x"] + info["inner"]["width"] <= visible_right + 1  # fitted: nothing cut off
    assert info["laneLeft"] > info["paletteRight"]  # the palette covers no lane header
    page.screenshot(path=SHOTS / "w3-workbench-fitted-1440.png")
    page.evaluate("() => window.jixiaoModeler.get('canvas').zoom(1.2, {x: 0, y: 0})")
    page.locator("#canvas").screenshot(path=SHOTS / "w3b-workbench-lanes-zoomed.png")
    # the lane field and the saved file keep the role id the engine assigns by
    xml = page.evaluate("() => window.jixiaoModeler.saveXML().then(r => r.xml)")
    assert 'name="unit_submitter"' in xml and "单位填报人" not in xml
    # the properties panel's header in Chinese (DEFAULT FLOW → 默认连线)
    page.evaluate(
        """() => { const reg = window.jixiaoModeler.get('elementRegistry');
          const gw = reg.filter(e => e.businessObject.default)[0];
          window.jixiaoModeler.get('selection').select(reg.get(gw.businessObject.default.id)); }"""
    )
    header = page.locator("#props .bio-properties-panel-header-type").inner_text()
    assert header.strip() == "默认连线"
    page.set_viewport_size(PHONE)
    open_file(page, live_server, "ex_ante_assessment.bpmn")
    page.screenshot(path=SHOTS / "w4-workbench-390.png", full_page=True)


def test_dmn_js_speaks_chinese(page, live_server, lifecycle):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server)
    open_file(page, live_server, "ex_ante_decision.dmn")
    text = page.locator("#canvas").inner_text()
    for english in ("View DRD", "Hit policy", "When", "Then", "Annotations", "First"):
        assert english not in text, english
    assert "命中策略" in text and "首条命中" in text and "结果" in text
    page.screenshot(path=SHOTS / "w5-dmn-zh-1440.png")


def test_a_batch_migration_asks_first_and_names_the_projects(app, page, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    db = app.extensions["jixiao_db"]
    from workflows.queries import designer as views

    drafts.open_draft(db, actor=DESIGNER)
    with db.reading() as s:
        text = views.draft_of(s, DESIGNER).files["review.bpmn"]
    drafts.save_file(db, "review.bpmn", text.replace('name="财政审核"', 'name="财政复核"'), actor=DESIGNER)
    commands.start(db, "review", actor=Actor.system("test"), business_key="B-1")  # no project
    drafts.deploy_draft(db, "财政审核改名", actor=DESIGNER)
    login(page, live_server)
    page.goto(f"{live_server}/designer/processes/review/instances")
    assert "城市污水处理厂提标改造" in page.locator("#instances").inner_text()
    page.screenshot(path=SHOTS / "w6-instances-1440.png", full_page=True)
    page.check("#select-all")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#migrate-form button[type=submit]")
    assert asked and "迁移到 v2" in asked[0]
    assert "/instances" in page.url  # dismissed: nothing moved
    page.once("dialog", lambda d: d.accept())
    page.click("#migrate-form button[type=submit]")
    page.wait_for_selector("#report")
    moved = page.locator("#moved").inner_text()
    assert "WZ2026-001 城市污水处理厂提标改造" in moved and "B-1" in moved
    page.screenshot(path=SHOTS / "w7-migrated-1440.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SHOTS / "w8-migrated-390.png", full_page=True)
