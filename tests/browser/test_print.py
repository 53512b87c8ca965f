"""The forms a bureau files on paper print as clean A4 pages (issue 10, item 5): the 申报表 (a
project's targets), the 自评表 and a 评分表, each printed from its task page in Chromium — a title
row naming the form and the project, no navigation or buttons, tables within the page width, and
a PDF of A4 pages of a sane count. The PDFs stay in the test's tmp dir for a person to look at."""

from __future__ import annotations

import re

import pytest

from .pages import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A4 less the stylesheet's 12 mm side margins, in CSS pixels (96 per inch)
PRINTABLE_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
A4_POINTS = (595, 842)

FORMS = [
    # (who, inbox tab, task title in the inbox, the form's title)
    ("zhang.san", "completed", "填报绩效目标", "绩效目标申报表"),
    ("zhang.san", "completed", "填报绩效自评表", "自评表"),
    ("li.si", "claimable", "财政复核评分", "评分"),
]


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page of a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages, "no pages in the PDF"
    return [(float(w), float(h)) for w, h in boxes][:pages] or [(0.0, 0.0)] * pages


@pytest.mark.parametrize("username,scope,title,form_title", FORMS, ids=["申报表", "自评表", "评分表"])
def test_a_form_prints_as_clean_a4_pages(browser, demo_server, tmp_path, username, scope, title, form_title):
    base = demo_server
    context = browser.new_context(viewport={"width": PRINTABLE_WIDTH, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    login(page, base, username)
    page.goto(f"{base}/inbox?scope={scope}&per_page=100")  # the demo year's whole list on one page
    page.locator("#inbox tbody tr td.task-cell a", has_text=title).first.click()
    page.wait_for_selector("form.task-form")
    page.wait_for_load_state("networkidle")

    page.emulate_media(media="print")
    heading = page.locator(".print-title h1")
    assert heading.is_visible() and form_title in heading.inner_text()
    assert page.locator(".print-title p").inner_text().startswith("项目名称")
    hidden = ["header.topbar", "nav", "button", ".diagram", "#comments", "#earlier-steps", ".upload"]
    shown = {
        sel: page.locator(sel).evaluate_all("els => els.filter(e => e.offsetParent !== null).length")
        for sel in hidden
    }
    assert shown == {sel: 0 for sel in hidden}
    assert page.locator("form.task-form .field").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PRINTABLE_WIDTH, f"the printed page is {width}px wide, A4 holds {PRINTABLE_WIDTH}px"
    too_wide = page.evaluate(
        f"""[...document.querySelectorAll('table')].filter(t => t.offsetParent !== null
             && t.getBoundingClientRect().right > {PRINTABLE_WIDTH} + 1).length"""
    )
    assert too_wide == 0

    # paper has no required-field stars or hints; tables on a 1px black grid; a signature block last
    visible = "els => els.filter(e => e.offsetParent !== null).length"
    assert page.locator(".req, .help, .computed-note, .hint").evaluate_all(visible) == 0
    assert "*" not in page.locator("form.task-form").inner_text()
    borders = page.locator("form.task-form table.rows td").evaluate_all(
        """els => [...new Set(els.filter(e => e.offsetParent !== null).map(e => {
             const s = getComputedStyle(e); return `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`; }))]"""
    )
    assert borders == ["1px solid rgb(0, 0, 0)"], borders
    sign = page.locator("#print-sign")
    assert sign.is_visible()
    expected = (
        ["评分人签字", "日期"] if form_title == "评分" else ["填报单位（盖章）", "负责人", "填报人", "日期"]
    )
    assert [t.strip("：: ") for t in sign.locator(".line").all_inner_texts()] == expected
    last = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => e.offsetParent !== null
             && e.getBoundingClientRect().height > 0).map(e => e.getBoundingClientRect().bottom)"""
    )
    assert sign.bounding_box()["y"] + sign.bounding_box()["height"] >= max(last) - 1, (
        "the signatures end the form"
    )
    # 万元 on paper reads 1,150.00 as the header's 金额 does (typed 1150), totals too; 项目属性 prints
    # the option chosen alone, not both
    if form_title != "评分":
        money = page.evaluate(
            """() => [...document.querySelectorAll('#task-form .field')].filter(f => f.offsetParent !== null
                 && /万元/.test(f.querySelector('label')?.textContent || '') && !f.querySelector('table'))
                 .map(f => f.innerText.split('\\n').map(t => t.trim()).filter(Boolean).slice(1).join(' '))"""
        )
        assert money and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", m) for m in money), money
    if form_title == "绩效目标申报表":
        kind = page.locator("#field-tg_project_kind")
        assert kind.inner_text().split()[1:] in (["新增项目"], ["延续项目"])
    page.screenshot(path=str(tmp_path / f"{username}-{title}-print.png"), full_page=True)

    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (tmp_path / f"{username}-{title}.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 8, f"{len(pages)} pages for one form"
    assert all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in pages), pages
    page.emulate_media(media="screen")  # on screen the signature block is not there
    assert not sign.is_visible()
    context.close()
