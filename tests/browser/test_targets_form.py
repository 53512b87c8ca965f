"""The 绩效目标申报表 in Chromium (issue 10): 指标权重合计 follows the weights as they are typed
("—" until one is); a total of 110 is refused with the error beside the total, only the cells in
error outlined and everything typed kept; the page fits a 1440 px desk with six indicators and a
390 px phone; printed, a form not yet submitted carries the stamp 草稿（未提交）, the title row
names the project's 主管部门 and 实施单位, and no empty indicator row is printed. Screenshots stay
in the test's tmp dir for a person to look at."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.server.conftest import PASSWORD, db_of  # noqa: F401 - a fixture (the app's database)
from tests.server.test_bound_rows_pages import YEAR, actor, deployed, open_task  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEPARTMENT, IMPLEMENTER = "万载县住房和城乡建设局", "万载县城市建设服务中心"
RED = "rgb(200, 30, 30)"
# six indicators whose weights add up to 110: the first is 10 too many
ROWS = [
    ("产出指标", "数量指标", "改造农户生活污水处理设施户数", "≥", "1200", "户", 30),
    ("产出指标", "质量指标", "设施验收合格率", "=", "100", "%", 20),
    ("产出指标", "时效指标", "当年完工率", "≥", "95", "%", 10),
    ("效益指标", "生态效益指标", "农村生活污水治理率提高百分点", "≥", "15", "个百分点", 20),
    ("效益指标", "可持续影响指标", "设施正常运行年限", "≥", "10", "年", 20),
    ("满意度指标", "服务对象满意度指标", "受益农户满意度", "≥", "90", "%", 10),
]


@pytest.fixture
def targets_task(deployed):
    """张三's project on bpmn/, its 申报表 open, with the department and the implementing unit."""
    with deployed.unit_of_work() as uow:
        factories.project(
            uow,
            "WZ2027-301",
            actor=actor(deployed, "zhang.san"),
            fiscal_year=YEAR,
            is_new=False,
            amount="362.00",
            period_start="2027",
            period_end="2028",
            fiscal_funds="300",
            other_funds="62",
            competent_department=DEPARTMENT,
            implementing_unit=IMPLEMENTER,
        )
        uow.commit()
    return open_task(deployed, "tg_set")


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def total(page) -> str:
    return page.locator("output#tg_weight_total").inner_text().strip()


def wait_total(page, expected: str) -> None:
    page.wait_for_function(
        "t => document.getElementById('tg_weight_total').textContent.trim() === t", arg=expected
    )


def fill_row(page, i, row) -> None:
    level1, level2, name, direction, target, unit, weight = row
    page.select_option(f"#indicators-{i}-level1", label=level1)
    page.select_option(f"#indicators-{i}-level2", label=level2)
    page.fill(f"#indicators-{i}-name", name)
    page.select_option(f"#indicators-{i}-direction", label=direction)
    page.fill(f"#indicators-{i}-target_value", target)
    page.fill(f"#indicators-{i}-unit", unit)
    page.fill(f"#indicators-{i}-weight", str(weight))


def fill_header(page) -> None:
    page.fill("#tg_midterm_funds", "700")
    page.fill("#tg_midterm_goal", "项目期内完成全县农村生活污水治理，设施长期稳定运行。")
    page.fill("#tg_overall_goal", "完成1200户农户生活污水处理设施改造，群众满意度达到90%以上。")
    page.fill("#tg_spending_basis", "按工程量清单和市场价格测算，详见支出测算表。")


def outlined(page, selector: str) -> int:
    """How many visible controls under ``selector`` wear the error outline."""
    return page.locator(selector).evaluate_all(
        f"""els => els.filter(e => e.offsetParent !== null
             && getComputedStyle(e).borderTopColor === '{RED}').length"""
    )


def test_the_weight_total_follows_typing_and_110_is_refused_beside_it(
    page, live_server, deployed, targets_task, tmp_path
):
    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    page.goto(f"{base}/tasks/{targets_task.id}")
    page.wait_for_load_state("networkidle")

    # a blank form: "—", not 0, and nothing flagged
    assert total(page) == "—"
    assert page.locator("#field-tg_weight_total .field-error").count() == 0

    # six rows, the total following each weight as it is typed
    for _ in range(len(ROWS) - 1):
        page.click("button.add-row[data-table=indicators]")
    running = 0
    for i, row in enumerate(ROWS):
        fill_row(page, i, row)
        running += row[-1]
        wait_total(page, str(running))
    assert running == 110
    fill_header(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    # refused: the error beside the total, quoting it; the table is not outlined, nothing typed lost
    with page.expect_navigation():
        page.click("#submit")
    message = "绩效指标权重（分值）合计为110，应为100"
    assert page.locator("#field-tg_weight_total .field-error").inner_text() == message
    assert message in page.locator("#error-summary").inner_text()
    assert "指标权重合计" in page.locator("#error-summary").inner_text()
    assert total(page) == "110"
    assert outlined(page, "#field-tg_weight_total output.computed") == 1
    assert outlined(page, '[data-field="indicators"] :is(input, select)') == 0
    assert page.input_value("#indicators-0-weight") == "30"
    assert page.input_value("#indicators-5-name") == "受益农户满意度"
    assert page.input_value("#tg_midterm_funds") == "700"

    # the page fits the desk: no sideways scroll of the page, nor of the indicator table
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    assert page.locator('[data-field="indicators"] .scroll-x').evaluate("e => e.scrollWidth <= e.clientWidth")
    page.screenshot(path=str(tmp_path / "targets-1440.png"), full_page=True)

    # putting the first weight right clears the error beside the total as it is typed
    page.fill("#indicators-0-weight", "20")
    wait_total(page, "100")
    page.wait_for_function("() => !document.querySelector('#field-tg_weight_total .field-error')")
    assert outlined(page, "#field-tg_weight_total output.computed") == 0


def test_an_unsubmitted_form_prints_as_a_draft_with_the_project_header_and_no_empty_row(
    page, live_server, deployed, targets_task, tmp_path
):
    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    page.goto(f"{base}/tasks/{targets_task.id}")
    page.click("button.add-row[data-table=indicators]")
    for i, row in enumerate(ROWS[:2]):
        fill_row(page, i, row)  # two rows typed, the third (added) and the blank one left empty
    wait_total(page, "50")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as 打印表单 (window.print()) does
    page.emulate_media(media="print")
    stamp = page.locator("#print-draft-stamp")
    expect(stamp).to_be_visible()
    assert stamp.inner_text() == "草稿（未提交）"
    header = page.locator(".print-title").inner_text()
    assert f"主管部门：{DEPARTMENT}" in header and f"实施单位：{IMPLEMENTER}" in header
    rows = page.locator('table[data-table="indicators"] tbody tr')
    shown = rows.evaluate_all("els => els.filter(e => e.offsetParent !== null).length")
    assert (rows.count(), shown) == (3, 2)
    page.screenshot(path=str(tmp_path / "targets-print.png"), full_page=True)

    # saved as a draft and opened again: still a draft on paper, still no empty row
    page.emulate_media(media="screen")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".flash")
    page.emulate_media(media="print")
    # print.css (media=print) may still be loading when the flash shows: wait for the stamp, do not sample it
    expect(page.locator("#print-draft-stamp")).to_be_visible()
    assert rows.evaluate_all("els => els.filter(e => e.offsetParent !== null).length") == 2
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (tmp_path / "targets-draft.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
    assert not stamp.is_visible()  # the stamp is for paper


def test_the_targets_form_is_usable_on_a_phone(page, live_server, deployed, targets_task, tmp_path):
    base = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "zhang.san")
    page.goto(f"{base}/tasks/{targets_task.id}")
    page.click("button.add-row[data-table=indicators]")
    for i, row in enumerate(ROWS[:2]):
        fill_row(page, i, row)
    wait_total(page, "50")
    page.screenshot(path=str(tmp_path / "targets-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for selector in ("#indicators-0-name", "#indicators-1-weight", "output#tg_weight_total", "#submit"):
        page.locator(selector).scroll_into_view_if_needed()
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    assert page.locator("#indicators-0-name").bounding_box()["width"] >= 12 * 15


def test_printed_amounts_read_as_money_and_a_choice_prints_only_what_was_chosen(
    page, live_server, deployed, targets_task, tmp_path
):
    """On paper 万元 reads 1,234.50 (the input keeps what was typed) and 项目属性 prints 延续项目
    alone, not both options."""
    base = live_server
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, base, "zhang.san")
    page.goto(f"{base}/tasks/{targets_task.id}")
    amounts = [
        "tg_project_amount_wan",
        "tg_midterm_funds",
        "tg_annual_funds",
        "tg_fiscal_funds",
        "tg_other_funds",
    ]

    def printed() -> dict[str, str]:
        return {
            name: page.locator(f"#field-{name} :is(.print-value, .fixed-value)").inner_text().strip()
            for name in amounts
        }

    page.emulate_media(media="print")  # as the page was opened: the pre-filled figures
    assert printed() == {
        "tg_project_amount_wan": "362.00",
        "tg_midterm_funds": "",
        "tg_annual_funds": "362.00",
        "tg_fiscal_funds": "300.00",
        "tg_other_funds": "62.00",
    }
    page.emulate_media(media="screen")
    assert not page.locator("#field-tg_annual_funds .print-value").is_visible()  # paper only
    page.fill("#tg_midterm_funds", "1234.5")
    page.fill("#tg_other_funds", "62")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as 打印表单 (window.print()) does
    page.emulate_media(media="print")
    assert printed()["tg_midterm_funds"] == "1,234.50"
    assert page.input_value("#tg_midterm_funds") == "1234.5"  # what was typed stays in the input
    kind = page.locator("#field-tg_project_kind")
    assert kind.locator("label.check").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).map(e => e.innerText.trim())"
    ) == ["延续项目"]
    assert (
        kind.locator("input[type=radio]").evaluate_all(
            "els => els.filter(e => e.offsetParent !== null).length"
        )
        == 0
    )
    page.locator("form.task-form").screenshot(path=str(tmp_path / "targets-print-amounts.png"))
    page.emulate_media(media="screen")
    assert (
        kind.locator("label.check").evaluate_all("els => els.filter(e => e.offsetParent !== null).length")
        == 2
    )  # on screen both options stay to choose from
