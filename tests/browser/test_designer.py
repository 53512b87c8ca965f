"""The process designer in Chromium (issue 13): the ex-ante threshold 80 → 85 in dmn-js, lint
passes, deploy with a note, a new project uses 85 while a running one keeps 80; a broken
condition shows its error on the gateway with deploy disabled; a diff colours the changed task."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from demo import form_data as demo_paths
from tests.scenarios.conftest import BPMN, FORMS, Paths
from workflows import commands
from workflows.commands import designer as drafts
from workflows.engine import specs
from workflows.errors import FormInvalid
from workflows.policy import Actor
from workflows.store import AuditEvent, HumanTask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Jixiao@2026"
SHOTS = Path(os.environ.get("JIXIAO_SHOTS") or "/tmp/jixiao-designer-shots")


@pytest.fixture
def lifecycle(app):
    """The real bpmn/ bundle deployed into the app's database, and the scenario helper on it."""
    db = app.extensions["jixiao_db"]
    paths = Paths(db, Path(app.config["JIXIAO_ATTACHMENTS_DIR"]))
    paths.deploy(specs.load_bundle(BPMN, FORMS))
    return paths


def submit_report(paths, iid):
    paths.do(iid, "ea_write", demo_paths.ex_ante_report("红色文化展览馆布展项目", 118.4))
    paths.do(iid, "ea_head", demo_paths.head_approval())


def login(page, base, username="designer"):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/designer/")


def open_file(page, base, name):
    page.goto(f"{base}/designer/workbench?file={name}")
    page.wait_for_selector("#workbench[data-ready='1']", timeout=20000)
    page.wait_for_selector("#lint-state.ok, #lint-state.bad", timeout=30000)


def wait_lint(page, state):
    page.wait_for_selector(f"#lint-state.{state}", timeout=30000)


def test_threshold_80_to_85_in_dmn_js_deploys_and_only_new_projects_use_it(page, live_server, lifecycle):
    SHOTS.mkdir(parents=True, exist_ok=True)
    running = lifecycle.start()
    submit_report(lifecycle, running)

    login(page, live_server)
    page.screenshot(path=SHOTS / "1-designer-list.png", full_page=True)
    open_file(page, live_server, "ex_ante_decision.dmn")
    assert page.locator("#lint-state").inner_text().startswith("检查通过")
    cell = page.locator("td[data-element-id='In_ex_ante_decision_2_2']")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(">= 85")
    page.locator(".toolbar strong").click()  # leave the cell
    page.wait_for_selector("#save-state.ok", timeout=20000)
    wait_lint(page, "ok")
    page.screenshot(path=SHOTS / "2-dmn-85.png", full_page=True)
    assert page.locator("#deploy").is_enabled()
    page.fill("#deploy-note", "事前评估通过线由80分提高到85分（地方政策）")
    page.click("#deploy")
    page.wait_for_url(f"{live_server}/designer/")
    assert "已发布新版本" in page.locator(".flash").inner_text()
    page.screenshot(path=SHOTS / "3-deployed.png", full_page=True)

    with lifecycle.db.reading() as s:
        event = s.scalar(
            select(AuditEvent).where(AuditEvent.action == "process.deployed").order_by(AuditEvent.id.desc())
        )
    assert event.actor == "designer" and "85" in event.data["note"]

    fresh = lifecycle.start()
    submit_report(lifecycle, fresh)
    with pytest.raises(FormInvalid):  # R-EA-4: the fresh instance's table says no to 82 + 支持
        lifecycle.do(fresh, "ea_finance_review", demo_paths.ex_ante_review(82))
    lifecycle.do(fresh, "ea_finance_review", demo_paths.ex_ante_review(82, "不支持"))
    lifecycle.do(running, "ea_finance_review", demo_paths.ex_ante_review(82))
    assert lifecycle.project_row(fresh).stage == "not_budgeted"
    assert lifecycle.data(running)["ea_supported"] is True


def test_broken_condition_shows_its_error_on_the_gateway_and_disables_deploy(page, live_server, lifecycle):
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server)
    open_file(page, live_server, "ex_ante_assessment.bpmn")
    page.screenshot(path=SHOTS / "4-bpmn-workbench.png")
    flow = page.evaluate(
        """() => {
          const reg = window.jixiaoModeler.get('elementRegistry');
          const f = reg.filter(e => e.type === 'bpmn:SequenceFlow' && e.businessObject.conditionExpression)[0];
          window.jixiaoModeler.get('selection').select(f);
          return {flow: f.id, gateway: f.businessObject.sourceRef.id};
        }"""
    )
    condition = page.locator("#jixiao-props textarea[data-prop=condition]")
    condition.fill("ea_final_score >= ")
    condition.dispatch_event("change")
    page.wait_for_selector("#save-state.ok", timeout=20000)
    wait_lint(page, "bad")
    items = page.locator("#lint-list li")
    # the modeler's round trip of the whole file adds no error of its own: only the condition's
    assert items.count() == 1 and items.first.get_attribute("data-element") == flow["gateway"]
    gateway = page.locator(f".djs-element[data-element-id='{flow['gateway']}']")
    assert "lint-error" in gateway.get_attribute("class")
    assert page.locator(f".lint-badge[data-element='{flow['gateway']}']").count() == 1
    assert page.locator("#deploy").is_disabled()
    assert flow["gateway"] in page.locator("#lint-list").inner_text()
    page.screenshot(path=SHOTS / "5-broken-condition.png")


def without_head_approval(text: str) -> str:
    """The review process with 单位负责人审核 removed: 填报 goes straight to 财政审核."""
    import re

    text = re.sub(r'\s*<bpmn:userTask id="head_approve".*?</bpmn:userTask>', "", text, flags=re.S)
    for gone in (
        r'\s*<bpmn:sequenceFlow id="Flow_3"[^>]*/>',
        r"\s*<bpmn:flowNodeRef>head_approve</bpmn:flowNodeRef>",
        r'\s*<bpmndi:BPMNShape id="head_approve_di".*?</bpmndi:BPMNShape>',
        r'\s*<bpmndi:BPMNEdge id="Flow_3_di".*?</bpmndi:BPMNEdge>',
    ):
        text = re.sub(gone, "", text, flags=re.S)
    text = text.replace('targetRef="head_approve"', 'targetRef="finance_review"')
    return text.replace("<bpmn:incoming>Flow_3</bpmn:incoming>", "<bpmn:incoming>Flow_2</bpmn:incoming>")


SUBMISSION = {
    "amount": 362,
    "start_date": "2026-05-31",
    "indicators": [{"name": "村庄覆盖率", "target": "≥90%"}],
}


def test_version_diff_colours_changes_and_a_batch_migration_names_those_it_cannot_move(
    app, page, live_server
):
    """v2 of the review process renames 财政审核 and drops 单位负责人审核: of 20
    running instances, those at 填报 move; those waiting at the removed task are named, untouched."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    db = app.extensions["jixiao_db"]
    system = Actor.system("test")
    at_submit = [
        commands.start(db, "review", actor=system, business_key=f"B-{i}").instance_id for i in range(14)
    ]
    at_head = []
    for i in range(6):
        started = commands.start(db, "review", actor=system, business_key=f"H-{i}")
        commands.complete_task(db, started.next_tasks[0].id, SUBMISSION, actor=system)
        at_head.append(started.instance_id)
    designer = Actor("designer", frozenset({"designer"}))
    drafts.open_draft(db, actor=designer)
    with db.reading() as s:
        from workflows.queries import designer as views

        text = views.draft_of(s, designer).files["review.bpmn"]
    text = without_head_approval(text).replace('name="财政审核"', 'name="财政复核"')
    drafts.save_file(db, "review.bpmn", text, actor=designer)
    drafts.deploy_draft(db, "负责人审核改为新步骤；财政审核改名", actor=designer)

    login(page, live_server)
    page.goto(f"{live_server}/designer/processes/review/compare")
    page.wait_for_selector("#compare[data-ready='1']", timeout=20000)
    new = page.locator("#diagram-new")
    old = page.locator("#diagram-old")
    assert "diff-changed" in new.locator(".djs-element[data-element-id='finance_review']").get_attribute(
        "class"
    )
    assert "diff-removed" in old.locator(".djs-element[data-element-id='head_approve']").get_attribute(
        "class"
    )
    assert "财政审核 → 财政复核" in page.locator("#changes").inner_text()
    page.screenshot(path=SHOTS / "6-compare.png", full_page=True)

    page.goto(f"{live_server}/designer/processes/review/instances")
    row = page.locator(f"#instances tr[data-instance='{at_head[0]}']")
    row.locator("button.preview").click()
    page.wait_for_selector(f"#instances tr[data-instance='{at_head[0]}'] .plan[data-possible='no']")
    assert "单位负责人审核" in row.locator(".plan-box").inner_text()
    row = page.locator(f"#instances tr[data-instance='{at_submit[0]}']")
    row.locator("button.preview").click()
    page.wait_for_selector(f"#instances tr[data-instance='{at_submit[0]}'] .plan[data-possible='yes']")
    page.screenshot(path=SHOTS / "7-migration-preview.png", full_page=True)
    for iid in at_submit + at_head:
        page.check(f"#instances input[value='{iid}']")
    page.once("dialog", lambda dialog: dialog.accept())  # a batch asks before it moves anything
    page.click("#migrate-form button[type=submit]")
    page.wait_for_selector("#report")
    page.screenshot(path=SHOTS / "8-migrated.png", full_page=True)
    assert f"已迁移 {len(at_submit)} 个实例" in page.locator("#moved").inner_text()
    refused = page.locator("#refused li")
    assert (
        sorted(int(refused.nth(i).get_attribute("data-instance")) for i in range(refused.count())) == at_head
    )
    assert "单位负责人审核" in refused.first.inner_text()
    with db.reading() as s:
        heads = s.scalars(
            select(HumanTask).where(HumanTask.instance_id.in_(at_head), HumanTask.status == "open")
        ).all()
    assert {h.task_spec for h in heads} == {"head_approve"}
