"""On a phone (390×844), as the demo users who use them (issue 10, item 5): the inbox, a task page
(the monitoring report with its bound indicator table), a project page, the unit ranking
(``/assessment/cycles/<id>``) and the public page (``/public/<year>``) are no wider than the
screen; a wide table scrolls inside its own box; no table squeezes a Chinese column to a
character per line and no column header wraps. Screenshots stay in the test's tmp dir
(``screens/phone-<page>-390.png``), as ``test_screens_readable.py`` keeps its own.
"""

from __future__ import annotations

import pytest

from .test_screens_readable import login, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 390, 844

# per visible table cell with two or more Chinese characters: squeezed below three characters a line,
# or a header on more than one line; a table wider than its box must be in a scrolling box
LAYOUT = """() => {
    const found = [];
    for (const cell of document.querySelectorAll('table th, table td')) {
        if (cell.closest('table.responsive') || !cell.offsetParent) continue;  // inbox cards, hidden
        const text = cell.innerText.trim();
        if (!/[\\u4e00-\\u9fff]{2,}/.test(text)) continue;
        const style = getComputedStyle(cell);
        const size = parseFloat(style.fontSize);
        const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const least = Math.min(text.match(/[\u4e00-\u9fff]/g).length, 3);  // 金额 or 三级指标
        if (inner < least * size * 0.95) found.push(`squeezed to ${Math.round(inner)}px: ${text.slice(0, 12)}`);
        const lines = (cell.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom))
            / parseFloat(style.lineHeight === 'normal' ? 1.5 * size : style.lineHeight);
        if (cell.tagName === 'TH' && lines > 1.5) found.push(`header on ${lines.toFixed(1)} lines: ${text}`);
    }
    for (const table of document.querySelectorAll('table')) {
        if (!table.offsetParent) continue;
        const box = table.parentElement;
        const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
            || ['auto', 'scroll'].includes(getComputedStyle(table).overflowX);
        if (table.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls)
            found.push(`table past the screen edge, not in a scrolling box: ${table.id || table.className}`);
    }
    return [document.documentElement.scrollWidth, found];
}"""


def check(page, shots, name: str) -> list[str]:
    settle(page)
    page.screenshot(path=shots / f"phone-{name}-{WIDTH}.png", full_page=True)
    width, found = page.evaluate(LAYOUT)
    problems = [f"{name} {page.url}: {p}" for p in found]
    if width > WIDTH:
        problems.append(f"{name} {page.url}: the page is {width}px wide on a {WIDTH}px screen")
    return problems


def links(page, prefix: str, text: str = "") -> list[str]:
    return page.evaluate(
        """([prefix, text]) => [...document.querySelectorAll(`a[href^="${prefix}"]`)]
            .filter(a => a.innerText.includes(text)).map(a => a.getAttribute('href'))""",
        [prefix, text],
    )


def test_phone_pages_fit_390_and_tables_scroll_in_their_box(browser, demo_server, tmp_path):
    shots = tmp_path / "screens"
    shots.mkdir()
    found: list[str] = []
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    page = context.new_page()
    login(page, demo_server, "zhang.san")  # 住建局's submitter: the monitoring report is hers
    page.goto(f"{demo_server}/inbox?scope=claimable")
    found += check(page, shots, "inbox")
    [report, *_] = links(page, "/tasks/", "填报绩效监控情况")
    page.goto(demo_server + report)
    found += check(page, shots, "task")
    # the bound indicator table: approved rows as text, the rest to type, one card per row that
    # fits the screen (a dozen columns scrolled sideways hid the cells to fill)
    table = page.locator("table[data-table=mn_indicator_progress]")
    assert table.locator("td.bound").count() > 0
    assert page.evaluate(
        "() => { const box = document.querySelector('.task-form .scroll-x');"
        " return box.scrollWidth <= box.clientWidth + 1 && box.clientWidth < 390; }"
    )
    assert table.locator("#mn_indicator_progress-0-likelihood").bounding_box()["x"] < 390
    page.goto(f"{demo_server}/projects")
    found += check(page, shots, "projects")
    page.goto(f"{demo_server}/projects?q=城市污水管网维护")  # one of 住建局's projects in monitoring
    [project, *_] = links(page, "/projects/", "城市污水管网维护")
    page.goto(demo_server + project)
    found += check(page, shots, "project")
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    page = context.new_page()
    login(page, demo_server, "zhou.perf")  # the performance office publishes the ranking
    page.goto(f"{demo_server}/assessment")
    [cycle, *_] = links(page, "/assessment/cycles/")
    page.goto(demo_server + cycle)
    found += check(page, shots, "ranking")
    page.goto(f"{demo_server}/public")
    [year, *_] = links(page, "/public/2")
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    page = context.new_page()  # the public page needs no login: anyone's phone
    page.goto(demo_server + year)
    found += check(page, shots, "public")
    context.close()
    print(f"screenshots in {shots}")
    assert not found, "\n".join(found)
