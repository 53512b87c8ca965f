"""Every page each demo user reaches from the navigation, at 1440×900 and 390×844: no page wider
than the screen and no internals in the text (issue 10, item 1).

The crawl follows the links of each page a user can open (inbox tabs, one task of each kind,
projects, notices, dashboard, operations, admin and designer pages, the account page) plus a
404 and a 403 page, and fails on any raw key (``tg_comment``), Python/JSON literal (``{'``,
``None``) or Latin-script word in the zh-CN UI outside a short allow-list. Text a person is
meant to read as typed — login names on the admin pages, codes, file names, a process id a
designer types — is marked ``translate="no"`` (the HTML attribute for "not a word of the page's
language") and left out of the Latin check only. Screenshots stay in the test's tmp dir
(``screens/<user>-<page>-<width>.png``) for a person to look at.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

import demo
from demo.data import USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = [(1440, 900), (390, 844)]

# a raw key such as tg_comment or unit_submitter; ASCII look-arounds because Chinese counts as \w
RAW_KEY = re.compile(r"(?<![A-Za-z0-9_.@/-])[a-z]+_[a-z_]+(?![A-Za-z0-9_]|\.[a-z])")  # not my_form.json
LITERALS = re.compile(r"\{'|(?<![A-Za-z])(True|False|None|null|undefined|NaN)(?![A-Za-z])")
# a run of printable ASCII between Chinese text, spaces and Chinese punctuation
ASCII_TOKEN = re.compile(r"[\x21-\x7e]+")
LETTERS = re.compile(r"[A-Za-z]{2,}")
# Latin words a zh-CN page may show, each for a reason:
ALLOWED_WORDS = {
    "Jixiao",  # the product's name, beside 绩效 in the top bar and the window title
    "English",  # the language switch names the other language in that language
    "KB",  # attachment sizes and the upload limit
    "MB",
    # file formats and programs, called by these names in Chinese offices too ("导出 Excel",
    # "仅支持 PDF、Office 文档和图片"; the designer's 流程 BPMN, 决策表 DMN, 表单 JSON, 导出 zip)
    "PDF",
    "Office",
    "Excel",
    "BPMN",
    "DMN",
    "JSON",
    "zip",
    # water-quality terms written so in Chinese reports and indicator tables (COD削减量: the demo's
    # sewage plant, DOMAIN 8)
    "COD",
}
# codes (项目编码 WZ2026-001, unit codes 360922-001) and numbers with units such as 12.5KB
CODE = re.compile(r"^[A-Z]{0,6}\d[\w./:-]*$|^\d[\d.,]*(KB|MB|km|%)?$")
FILE_NAME = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|png|jpe?g|gif|zip|bpmn|dmn|json)$", re.I)
# paths never followed: downloads, the language switch (it would change the session), assets
SKIP = re.compile(r"^/(lang/|logout|static/|vendor/|attachments/|api/)|\.(xlsx|zip|json|bpmn|dmn)$|/files/")
MAX_PAGES = 40


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # the inbox, or the designer's start page


def settle(page):
    page.wait_for_load_state("networkidle")
    if page.locator(".diagram").count():
        page.wait_for_function(
            "[...document.querySelectorAll('.diagram')].every(d => d.dataset.ready || d.dataset.error)",
            timeout=15_000,
        )


def page_kind(path: str, query: str, link_text: str) -> str:
    """Pages of one kind are checked once: one task per task title, one project, one user…"""
    if path.startswith("/tasks/"):
        return "task:" + link_text.strip()
    if path == "/inbox":
        return "inbox:" + (parse_qs(query).get("scope") or ["mine"])[0]
    path = re.sub(r"/processes/[^/]+", "/processes/P", path)
    return re.sub(r"/\d+", "/N", path)


TEXTS = """() => {
    document.querySelectorAll('details').forEach(d => d.open = true);
    const attrs = [...document.querySelectorAll('[title],[placeholder],[aria-label],[alt]')]
        .map(e => ['title', 'placeholder', 'aria-label', 'alt'].map(a => e.getAttribute(a) || '').join(' '));
    const all = [document.title, document.body.innerText, ...attrs].join('\\n');
    // the bpmn.io watermark: the diagram library's licence requires it to stay visible as it is
    const kept = [...document.querySelectorAll('[translate=no], .bjs-powered-by')];
    const before = kept.map(e => e.style.display);
    kept.forEach(e => e.style.display = 'none');
    const attrsShown = [...document.querySelectorAll('[title],[placeholder],[aria-label],[alt]')]
        .filter(e => !e.closest('[translate=no], .bjs-powered-by'))
        .map(e => ['title', 'placeholder', 'aria-label', 'alt'].map(a => e.getAttribute(a) || '').join(' '));
    const words = [document.title, document.body.innerText, ...attrsShown].join('\\n');
    kept.forEach((e, i) => e.style.display = before[i]);
    return [all, words, document.documentElement.scrollWidth, window.innerWidth];
}"""


def latin_words(text: str) -> set[str]:
    found = set()
    for token in ASCII_TOKEN.findall(text):
        if FILE_NAME.search(token):
            continue  # 整改佐证.pdf: a file name as its owner typed it
        token = token.strip("()（）[]{}<>,.;:!?\"'·、，。：；")
        if not LETTERS.search(token) or CODE.match(token):
            continue
        for word in LETTERS.findall(token):
            if word not in ALLOWED_WORDS:
                found.add(token)
    return found


def problems_on(page, where: str) -> list[str]:
    """What a clerk would find wrong: a page wider than the screen, keys, literals, English words."""
    text, words, width, inner = page.evaluate(TEXTS)
    found = []
    if width > inner:
        found.append(f"{where}: page is {width}px wide in a {inner}px window")
    for match in sorted(set(RAW_KEY.findall(words))):
        found.append(f"{where}: raw key {match!r}")
    for match in LITERALS.finditer(text):
        found.append(
            f"{where}: literal {match.group(0)!r} in …{text[max(0, match.start() - 30) : match.end() + 30]}…"
        )
    for word in sorted(latin_words(words)):
        found.append(f"{where}: Latin word {word!r}")
    return found


def crawl(page, base: str, username: str, width: int, shots, pages: list | None) -> tuple[list, list]:
    """Check each page and keep its screenshot; with ``pages`` None, first find them by following
    the links of every page from the inbox (one page of each kind), then add the error pages a
    user meets (a project that does not exist, a page not theirs). Returns (pages, problems)."""
    found: list[str] = []
    visited: list[tuple[str, str]] = []
    counts: dict[str, int] = {}

    def check(name: str, path: str) -> None:
        visited.append((name, path))
        counts[name] = counts.get(name, 0) + 1
        shot = f"{username}-{name}{counts[name] if counts[name] > 1 else ''}-{width}"
        page.screenshot(path=shots / f"{shot}.png", full_page=True)
        found.extend(problems_on(page, f"{shot} {path}"))

    if pages is not None:
        for name, path in pages:
            page.goto(base + path)
            settle(page)
            check(name, path)
        return visited, found
    seen_kinds: set[str] = set()
    queue = [("", "/inbox")]
    while queue and len(visited) < MAX_PAGES:
        label, path = queue.pop(0)
        parts = urlsplit(path)
        kind = page_kind(parts.path, parts.query, label)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(base + path)
        if response is None or response.status != 200:
            continue
        settle(page)
        check(re.sub(r"[^a-z0-9]+", "-", kind.split(":")[0].strip("/")) or "home", path)
        for href, text in page.evaluate(
            "() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.innerText])"
        ):
            target = urlsplit(href)
            if target.netloc or not target.path.startswith("/") or SKIP.search(target.path):
                continue
            queue.append((text, target.path + (f"?{target.query}" if target.query else "")))
    errors = [("404", "/projects/999999")] + ([("403", "/ops/")] if username != "admin" else [])
    for name, path in errors:
        page.goto(base + path)
        check(name, path)
    return visited, found


# one demo user per role: colleagues in the same role reach the same pages (keeps the crawl short)
ONE_PER_ROLE = list({roles: username for username, _, roles, _ in reversed(USERS)}.values())[::-1]


@pytest.mark.parametrize("username", ONE_PER_ROLE)
def test_every_page_fits_the_screen_and_shows_no_internals(browser, demo_server, tmp_path, username):
    shots = tmp_path / "screens"
    shots.mkdir()
    found: list[str] = []
    pages = None
    for width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        login(page, demo_server, username)
        pages, problems = crawl(page, demo_server, username, width, shots, pages)
        found += problems
        context.close()
    print(f"{len(pages)} pages; screenshots in {shots}")
    names = {name for name, _path in pages}
    assert {"inbox", "projects", "notices", "account-password", "404"} <= names
    assert not found, "\n".join(found)
