"""The ex-ante report in Chromium (issue 10): the unit creates a new project of 1,380 万元, asks for
more in its 事前绩效评估报告 and is told beside 申请金额, with everything else it typed kept (the
report's file, uploaded in 附件 and chosen as 评估报告附件, among it);
it corrects the amount and submits; the unit head approves; the finance reviewer reads the
report's amounts in 前序环节 as 1,234.50 and 1,380.00, and the report's file by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo import form_data as forms
from demo import uploads
from workflows.engine import specs

from .pages import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "城区排水管网改造"
TEXTS = ("ea_necessity", "ea_economy", "ea_target_reasonableness", "ea_feasibility")
TEXTS += ("ea_funding_compliance", "ea_risks")


@pytest.fixture
def lifecycle_server(app, live_server):
    """The test site with bpmn/ deployed: a new project starts its 事前绩效评估."""
    db = app.extensions["jixiao_db"]
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    return live_server


def logout(page):
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


def open_waiting(page, base, title):
    """Open the project's task ``title`` from 我的任务 (the filer's report) or 待认领."""
    for scope in ("mine", "claimable"):
        page.goto(f"{base}/inbox?scope={scope}")
        row = page.locator("#inbox tbody tr", has_text=PROJECT).filter(has_text=title)
        if row.count():
            row.locator("td a").first.click()
            page.wait_for_selector("form.task-form")
            return
    raise AssertionError(f"{title} of {PROJECT} waits in neither tab")


def test_a_request_above_the_project_amount_is_refused_beside_it_then_read_formatted(
    page, lifecycle_server, tmp_path
):
    base, shots = lifecycle_server, tmp_path / "screenshots"
    report = forms.ex_ante_report(PROJECT, 1500)

    # the unit creates a new project of 1,380 万元 on the project page
    login(page, base, "zhang.san")
    page.goto(f"{base}/projects/new")
    page.fill("input[name=code]", "EA-B1")
    page.fill("input[name=name]", PROJECT)
    page.fill("input[name=fiscal_year]", "2026")
    page.fill("input[name=amount]", "1380")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+$"))

    # its report shows 项目金额 as text, 申请金额 pre-filled, the pledge marked required
    open_waiting(page, base, "编制事前绩效评估报告")
    assert page.locator("#ea_project_amount_wan-shown").inner_text() == "1,380.00"
    assert page.input_value("#ea_requested_amount_wan") == "1380"
    assert page.locator('label[for="ea_truth_pledge"] .req').inner_text() == "*"

    # 评估报告附件 offers only uploaded files: none yet, so it says where to upload
    assert (
        page.locator("#field-ea_report_attachment .file-hint").inner_text()
        == "请先在下方“附件”处上传，再在此选择"
    )
    # the report uploaded in the 附件 box is then the one to choose (chosen already)
    page.set_input_files(
        "#upload-file",
        files=[
            {
                "name": report["ea_report_attachment"],
                "mimeType": "application/pdf",
                "buffer": uploads.REPORT_PDF,
            }
        ],
    )
    page.click("#upload")
    page.wait_for_selector(".flash")
    assert page.locator("#ea_report_attachment option").all_inner_texts() == [
        "请选择",
        report["ea_report_attachment"],
    ]
    assert page.input_value("#ea_report_attachment") == report["ea_report_attachment"]
    page.select_option("#ea_report_attachment", label=report["ea_report_attachment"])

    # asking for 1,500 is refused beside 申请金额; what was typed stays
    for name in TEXTS:
        page.fill(f"#{name}", report[name])
    page.fill("#ea_requested_amount_wan", "1500")
    page.check("#ea_truth_pledge")
    page.click("#submit")
    error = page.locator('#field-ea_requested_amount_wan .field-error[data-field="ea_requested_amount_wan"]')
    assert error.inner_text() == "申请金额不能超过项目金额 1,380.00 万元"
    page.screenshot(path=shots / "1-too-much.png", full_page=True)
    assert all(page.input_value(f"#{name}") == report[name] for name in TEXTS)
    assert page.input_value("#ea_requested_amount_wan") == "1500"
    assert page.input_value("#ea_report_attachment") == report["ea_report_attachment"]
    assert page.is_checked("#ea_truth_pledge")

    # corrected, it goes to the unit head
    page.fill("#ea_requested_amount_wan", "1234.5")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    logout(page)

    login(page, base, "wang.head")
    open_waiting(page, base, "单位负责人审核")
    page.select_option("#ea_head_opinion", "同意报送")
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    logout(page)

    # the finance reviewer reads the amounts as money reads
    login(page, base, "li.si")
    open_waiting(page, base, "财政审核评分")
    earlier = page.locator("#earlier-steps")
    report_step = earlier.locator("li", has_text="编制事前绩效评估报告")
    assert "1,234.50" in report_step.locator("dd").all_inner_texts()
    assert "1,380.00" in report_step.locator("dd").all_inner_texts()
    # and the report's file by name, a link to download it
    link = report_step.locator("dd a.attachment-link")
    assert link.inner_text() == report["ea_report_attachment"]
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == uploads.REPORT_PDF
    page.screenshot(path=shots / "2-finance-earlier-steps.png", full_page=True)
