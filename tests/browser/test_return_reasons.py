"""A return in Chromium (DOMAIN R-RC-1): the unit head returns the ex-ante report with no reason
and is refused beside the field; with a reason, the submitter's task shows the return banner with
it; when the report comes round again the head's form starts empty, not with the old reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import form_data as forms
from tests.api_uploads import complete_waiting
from tests.browser.pages import login
from tests.server.conftest import api, db_of  # noqa: F401  (the same API client as the test-client tests)
from workflows.engine import specs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"code": "RT-9", "name": "城区道路提升改造", "fiscal_year": 2026, "amount": 480}
REASON = "资金测算依据不足，请补充。"


def logout(page):
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


def _open(page, base, title):
    page.goto(f"{base}/inbox?scope=claimable")
    row = page.locator("#inbox tbody tr", has_text=PROJECT["name"]).filter(has_text=title)
    row.locator("td a").first.click()
    page.wait_for_selector("form.task-form")
    if page.locator("#claim").count():
        page.click("#claim")
        page.wait_for_selector("form.task-form")


def _choose(page, name, value):
    if page.locator(f"select[name={name}]").count():
        page.select_option(f"select[name={name}]", value)
    else:
        page.check(f"input[name={name}][value='{value}']")


def _complete(client, spec, data):
    complete_waiting(client, PROJECT["code"], spec, data)  # 评估报告附件: uploaded, then named


@pytest.fixture
def filed(api, db_of):  # noqa: F811
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    assert api("zhang.san").post("/api/v1/projects", json=PROJECT).status_code == 201
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))


def test_a_return_needs_a_reason_shows_it_to_the_submitter_and_the_next_round_starts_empty(
    page,
    live_server,
    filed,
    api,  # noqa: F811
    tmp_path,
):
    base, shots = live_server, tmp_path / "screenshots"

    # 1. the head returns it with no reason: refused beside the 说明 field, nothing moves
    login(page, base, "wang.head")
    _open(page, base, "单位负责人审核")
    _choose(page, "ea_head_opinion", "退回修改")
    page.click("#submit")
    error = page.locator('.field-error[data-field="ea_head_comment"]')
    assert error.inner_text() == "退回时请填写退回理由"
    page.screenshot(path=shots / "1-no-reason.png", full_page=True)

    # 2. with a reason it goes back; the flash says to whom
    page.fill("#ea_head_comment", REASON)
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    assert "已退回至" in page.locator(".flash").inner_text()
    logout(page)

    # 3. the submitter's task shows who returned it and why
    login(page, base, "zhang.san")
    page.goto(f"{base}/inbox")
    page.locator("#inbox tbody tr", has_text=PROJECT["name"]).locator("td a").first.click()
    banner = page.locator("#return-banner")
    assert "退回修改" in banner.inner_text() and f"退回理由：{REASON}" in banner.inner_text()
    page.screenshot(path=shots / "2-banner.png", full_page=True)
    logout(page)

    # 4. resubmitted, the head's form comes round empty: no old decision, no old reason
    _complete(api("zhang.san"), "ea_write", forms.ex_ante_report(PROJECT["name"], 480))
    login(page, base, "wang.head")
    _open(page, base, "单位负责人审核")
    assert page.input_value("#ea_head_comment") == ""
    assert page.locator("#return-banner").count() == 0  # a resubmission is no return
    if page.locator("select[name=ea_head_opinion]").count():
        assert page.input_value("select[name=ea_head_opinion]") == ""
    else:
        assert page.locator("input[name=ea_head_opinion]:checked").count() == 0
    page.screenshot(path=shots / "3-second-round.png", full_page=True)
