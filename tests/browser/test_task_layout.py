"""The task pages a walkthrough of the demo found hard to use (issue 10), in Chromium at 1440×900
and 390×844, as the demo users who use them:

- the monitoring report's 14-column indicator table is read and filled at 1440 without scrolling
  sideways (each indicator a card: the approved values across, the cells to fill under their
  titles); a refused submit lists its errors at the top, each link scrolling to its cell and
  putting the cursor in it; at 390 the page is no wider than the screen;
- a refused upload lands with its reason in sight beside the upload control (and a banner), the
  typed form kept;
- the score sheet's running total never adds a score over its item's points: the cell says
  "超过该项分值 N" as it is typed, the total is shown as not computed until it is fixed, and the
  server refuses the same cell with the same words;
- amounts in the inbox keep number and 万元 on one line, right-aligned; a task form's selects are
  as wide as their longest option.

The module has its own demo (``own_demo_server``): it claims tasks and keeps refused drafts.
Screenshots stay in the test's tmp dir (``screens/``).
"""

from __future__ import annotations

import pytest

from .test_screens_readable import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = [(1440, 900), (390, 844)]
TABLE = "mn_indicator_progress"


def open_task(page, base, title: str) -> None:
    """Open the first task called ``title`` in the inbox (mine, else to claim) and claim it."""
    for scope in ("mine", "claimable"):
        page.goto(f"{base}/inbox?scope={scope}")
        links = page.locator("#inbox a[href^='/tasks/']", has_text=title)
        if links.count():
            links.first.click()
            page.wait_for_selector("form.task-form")
            if page.locator("#claim").count():
                page.click("#claim")
                page.wait_for_selector("#task-form button#submit")
            return
    raise AssertionError(f"no task {title}")


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(s) => { const r = document.querySelector(s).getBoundingClientRect();
                   return r.width > 0 && r.top >= -1 && r.bottom <= innerHeight + 1 && r.left >= -1 && r.right <= innerWidth + 1; }""",
        selector,
    )


def fill_report(page, off_target_row: int) -> int:
    """Every indicator on target except one whose 完成目标可能性 is 有可能 (it needs a 偏差原因)."""
    rows = page.locator(f"table[data-table={TABLE}] tbody tr").count()
    page.fill("#mn_projected_amount", page.input_value("#mn_budget_amount"))  # 全年预计执行数
    for i in range(rows):
        target = page.input_value(f"#{TABLE}-{i}-target_value")
        page.fill(f"#{TABLE}-{i}-actual_value", target)
        page.fill(f"#{TABLE}-{i}-completion_rate", "60")
        page.fill(f"#{TABLE}-{i}-projected_value", target)
        page.select_option(f"#{TABLE}-{i}-likelihood", "有可能" if i == off_target_row else "确定能")
    return rows


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_monitoring_report_is_filled_without_sideways_scroll_and_its_errors_link_to_their_cells(
    browser, own_demo_server, tmp_path, width, height
):
    shots = tmp_path / "screens"
    shots.mkdir()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    login(page, own_demo_server, "zhang.san")
    open_task(page, own_demo_server, "填报绩效监控情况")
    rows = fill_report(page, off_target_row=1)
    page.fill("#mn_executed_amount", "99999")  # more than the 调整后预算数
    # no sideways scroll of the page; at 1440 none of the table either: every cell to fill in sight
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1440:
        box = page.evaluate(
            f"""() => {{ const t = document.querySelector('table[data-table={TABLE}]');
                        const box = t.closest('.scroll-x');
                        const cells = [...t.querySelectorAll('td:not(.bound) :is(input, select)')];
                        return [box.scrollWidth - box.clientWidth,
                                Math.max(...cells.map(c => c.getBoundingClientRect().right)),
                                box.getBoundingClientRect().right]; }}"""
        )
        overflow, rightmost, edge = box
        assert overflow <= 1 and rightmost <= edge + 1, box
    page.click("#submit")
    page.wait_for_selector("#error-summary")
    page.screenshot(path=shots / f"monitoring-errors-{width}.png")
    items = page.locator("#error-summary li").all_inner_texts()
    assert items[0].startswith("截至节点已执行金额（万元）：已执行金额不能超过项目预算数"), items
    assert any(i.startswith("绩效目标完成情况 第2行「偏差原因类别」：") for i in items), items
    assert len(items) == 3 and rows > 2
    assert in_view(page, "#error-summary"), page.evaluate(
        "() => [scrollY, innerHeight, JSON.stringify(document.querySelector('#error-summary').getBoundingClientRect())]"
    )
    page.locator("#error-summary a", has_text="第2行「偏差原因类别」").click()
    page.wait_for_function(f"document.activeElement.id === '{TABLE}-1-deviation_category'")
    assert in_view(page, f"#{TABLE}-1-deviation_category")
    assert in_view(page, f'.field-error[data-field="{TABLE}/1/deviation_category"]')
    page.screenshot(path=shots / f"monitoring-error-cell-{width}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.input_value("#mn_executed_amount") == "99999"  # what was typed is still there
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_refused_upload_lands_at_its_reason_and_keeps_what_was_typed(
    browser, own_demo_server, tmp_path, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    login(page, own_demo_server, "zhang.san")
    open_task(page, own_demo_server, "填报绩效监控情况")
    page.fill("#mn_executed_amount", "123.45")
    page.set_input_files(
        "#upload-file", files=[{"name": "报表.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}]
    )
    page.click("#upload")
    page.wait_for_selector("#upload-refused")
    page.wait_for_timeout(200)  # the scroll to the upload control
    page.screenshot(path=tmp_path / f"upload-refused-{width}.png")
    assert in_view(page, '.upload .field-error[data-field="file"]')  # the reason, beside the control
    assert in_view(page, "#upload-refused")  # and the banner saying so, kept in sight
    assert "文件「报表.exe」未上传" in page.inner_text("#upload-refused")
    assert page.input_value("#mn_executed_amount") == "123.45"
    context.close()


def test_a_score_over_its_items_points_is_flagged_and_never_added_to_the_total(
    browser, own_demo_server, tmp_path
):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, own_demo_server, "li.si")
    open_task(page, own_demo_server, "财政复核评分")
    sheet = "ev_score_sheet"
    rows = page.locator(f"table[data-table={sheet}] tbody tr").count()
    points = [float(page.input_value(f"#{sheet}-{i}-max_points")) for i in range(rows)]
    for i in range(rows):
        page.fill(f"#{sheet}-{i}-score", f"{points[i]:g}")
    page.wait_for_function(f"document.getElementById('ev_sheet_total').textContent === '{sum(points):g}'")
    page.fill(f"#{sheet}-2-score", f"{points[2] + 6:g}")  # 6 points over 绩效目标合理性's
    live = f'.field-error.live[data-field="{sheet}/2/score"]'
    page.wait_for_selector(live)
    assert page.inner_text(live) == f"超过该项分值 {points[2]:g}"
    assert page.locator(f"td:has(> #{sheet}-2-score)").evaluate("td => td.classList.contains('has-error')")
    total = page.locator("#ev_sheet_total")
    assert total.inner_text() == "—" and "invalid" in total.get_attribute("class")
    assert page.locator('.total-invalid[data-total="ev_sheet_total"]').is_visible()
    page.locator(f"#{sheet}-2-score").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "score-over-1440.png")
    # the server says the same on the same cell
    page.fill("#ev_review_comment", "各项得分依据充分。")
    page.click("#submit")
    page.wait_for_selector("#error-summary")
    assert f"超过该项分值 {points[2]:g}" in page.inner_text("#error-summary")
    assert page.locator('.total-invalid[data-total="ev_sheet_total"]').is_visible()
    # fixed: the flag goes, the total is the sum again
    page.fill(f"#{sheet}-2-score", f"{points[2]:g}")
    page.wait_for_function(f"document.getElementById('ev_sheet_total').textContent === '{sum(points):g}'")
    assert page.locator(live).count() == 0
    assert not page.locator('.total-invalid[data-total="ev_sheet_total"]').is_visible()
    context.close()


# the selects of a task form: none narrower than its longest option (text plus the arrow)
CLIPPED_SELECTS = """() => {
  const ctx = document.createElement('canvas').getContext('2d'); const out = [];
  for (const s of document.querySelectorAll('.task-form select:not([multiple])')) {
    if (!s.offsetParent) continue;
    const st = getComputedStyle(s); ctx.font = `${st.fontSize} ${st.fontFamily}`;
    const need = Math.max(...[...s.options].map(o => ctx.measureText(o.text).width));
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 18;
    if (room < need - 1) out.push(`${s.id}: ${Math.round(room)}px for ${Math.round(need)}px`);
  }
  return out;
}"""

# amounts: one line each (number and 万元 together), right-aligned in a table's column
AMOUNTS = """() => [...document.querySelectorAll('td.num')].filter(td => td.offsetParent && /万元/.test(td.innerText))
  .map(td => { const range = document.createRange(); range.selectNodeContents(td);
               const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
               return [td.innerText, tops.size, getComputedStyle(td).textAlign]; })"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_inbox_amounts_stay_on_one_line_and_task_selects_show_their_options(
    browser, own_demo_server, tmp_path, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    for user in ("zhang.san", "li.si"):
        login(page, own_demo_server, user)
        for scope in ("mine", "claimable", "done"):
            page.goto(f"{own_demo_server}/inbox?scope={scope}")
            amounts = page.evaluate(AMOUNTS)
            assert all(lines == 1 for _text, lines, _align in amounts), amounts
            if width == 1440:
                assert all(align == "right" for *_rest, align in amounts), amounts
        page.goto(f"{own_demo_server}/inbox?scope=claimable")
        page.screenshot(path=tmp_path / f"inbox-{user}-{width}.png")
        page.context.clear_cookies()
    login(page, own_demo_server, "li.na")  # 部门整体支出 targets: 一级指标 and 比较方式 to choose per row
    open_task(page, own_demo_server, "填报部门整体支出绩效目标")
    assert page.evaluate(CLIPPED_SELECTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
