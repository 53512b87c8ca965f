"""Nothing typed is lost (issue 10, item 3): on the task page a clerk types into the form, uploads
a file, posts a comment and has a file refused — the typed values are still in the form each
time, every action says what it did, and the final submit carries the typed values."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.server.conftest import PASSWORD
from workflows.store import AuditEvent, HumanTask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = "农村人居环境整治"


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def typed(page) -> dict:
    return {
        "amount": page.input_value("#amount"),
        "start_date": page.input_value("#start_date"),
        "summary": page.input_value("#summary"),
        "indicator": page.input_value("#indicators-0-name"),
        "target": page.input_value("#indicators-0-target"),
        "confirmed": page.is_checked("#confirmed"),
    }


def test_upload_comment_and_refused_file_keep_the_typed_form_and_submit_carries_it(
    page, live_server, app, tmp_path
):
    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    page.goto(f"{base}/inbox?scope=claimable")
    page.locator("#inbox tbody tr", has_text=PROJECT).filter(has_text="填报绩效目标").locator(
        "td a"
    ).first.click()
    page.wait_for_selector("form.task-form")
    task_url = page.url

    page.fill("#amount", "362")
    page.fill("#start_date", "2026-05-31")
    page.fill("#summary", "改造 12 个行政村的生活污水设施")
    page.fill("#indicators-0-name", "村庄覆盖率")
    page.fill("#indicators-0-target", "≥90%")
    page.check("#confirmed")
    before = typed(page)

    # 1. an upload: the file is listed, the page says so, the typed values are still there
    page.set_input_files(
        "#upload-file", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG data"}]
    )
    page.click("#upload")
    page.wait_for_selector(".flash:has-text('已上传')")
    assert "现场照片.png" in page.locator(".flash").inner_text()
    assert page.url.startswith(task_url)
    assert "现场照片.png" in page.locator("#attachments").inner_text()
    assert typed(page) == before
    page.select_option("#evidence", index=1)  # the evidence field now offers the file

    # 2. a comment: shown, confirmed, the typed values (and the chosen evidence) still there
    page.fill("#summary", "改造 12 个行政村的生活污水设施（含管网）")
    before = typed(page)
    page.fill("textarea[name=body]", "佐证材料已上传，请审核")
    page.click("#add-comment")
    page.wait_for_selector(".flash:has-text('已发表意见')")
    assert "佐证材料已上传，请审核" in page.locator("#comments").inner_text()
    assert typed(page) == before
    evidence = page.input_value("#evidence")
    assert evidence

    # 3. a refused file: the reason beside the upload on the task page, not a bare error page
    page.fill("#indicators-0-target", "≥95%")
    before = typed(page)
    page.set_input_files(
        "#upload-file", files=[{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}]
    )
    page.click("#upload")
    error = page.locator('#attachments .field-error[data-field="file"]')
    error.wait_for()
    assert "仅支持" in error.inner_text()
    assert page.locator("form.task-form").count() == 1
    assert typed(page) == before
    page.screenshot(path=tmp_path / "refused-upload-1440.png", full_page=True)

    # 4. the submit carries what was typed
    page.click("#submit")
    page.wait_for_url(f"{base}/inbox")
    assert "已提交" in page.locator(".flash").inner_text()
    db = app.extensions["jixiao_db"]
    with db.reading() as session:
        task_id = task_url.rsplit("/", 1)[-1]
        task = session.get(HumanTask, task_id)
        assert task.status == "completed"
        completed = session.scalars(
            select(AuditEvent).where(AuditEvent.task_id == task_id, AuditEvent.action == "task.completed")
        ).one()
    data = completed.data["data"]
    assert data["amount"] == 362
    assert data["summary"] == "改造 12 个行政村的生活污水设施（含管网）"
    assert data["confirmed"] is True
    assert (data["indicators"][0]["name"], data["indicators"][0]["target"]) == ("村庄覆盖率", "≥95%")
    assert str(data["evidence"]) == evidence


def test_a_refused_submit_keeps_the_typed_form_when_the_clerk_comes_back(page, live_server, tmp_path):
    """A submit refused with field errors saves what was typed as the task's draft: the clerk who
    leaves for the inbox and opens the task again finds every value, the wrong one included."""
    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    page.goto(f"{base}/inbox?scope=claimable")
    page.locator("#inbox tbody tr", has_text=PROJECT).filter(has_text="填报绩效目标").locator(
        "td a"
    ).first.click()
    page.wait_for_selector("form.task-form")
    task_url = page.url
    page.fill("#amount", "三百六十二")  # not a number: refused
    page.fill("#start_date", "2026-05-31")
    page.fill("#summary", "改造 12 个行政村的生活污水设施")
    page.fill("#indicators-0-name", "村庄覆盖率")
    page.fill("#indicators-0-target", "≥90%")
    page.check("#confirmed")
    before = typed(page)

    page.click("#submit")
    page.wait_for_selector('.field-error[data-field="amount"]')
    assert "已保存为草稿" in page.locator(".form-card .error").first.inner_text()
    page.screenshot(path=tmp_path / "refused-submit-1440.png", full_page=True)

    page.goto(f"{base}/inbox")
    page.goto(task_url)
    page.wait_for_selector("form.task-form")
    assert typed(page) == before
