"""Every demo user's inbox, a task and its project, at 1440×900 and 390×844: no page wider than
the screen and no internals in the text (issue 10). Screenshots stay in the test's tmp dir
(``screens/<user>-<page>-<width>.png``) for a person to look at."""

from __future__ import annotations

import re

import pytest
from werkzeug.serving import make_server

import demo
from server import create_app
from server.extensions import limiter
from workflows.config import settings
from workflows.engine import specs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = [(1440, 900), (390, 844)]
USERS = ["zhang.san", "wang.head", "li.si", "zhou.perf", "wang.expert", "admin"]

# a raw key such as tg_comment or unit_submitter; ASCII look-arounds because Chinese counts as \w
RAW_KEY = re.compile(r"(?<![A-Za-z0-9_.@/-])[a-z]+_[a-z_]+(?![A-Za-z0-9_])")
LITERALS = re.compile(r"\{'|(?<![A-Za-z])(True|False|None)(?![A-Za-z])")


@pytest.fixture
def demo_server(db, database_url, tmp_path):
    """The app with bpmn/ deployed and the demo driven along it, as `make run` shows it."""
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(settings().bpmn_dir), actor="designer")
        session.commit()
    demo.load(db)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations"),
            "JIXIAO_LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    limiter.reset()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["jixiao_db"].dispose()


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox.*"))


def settle(page):
    page.wait_for_load_state("networkidle")
    if page.locator(".diagram").count():
        page.wait_for_function(
            "[...document.querySelectorAll('.diagram')].every(d => d.dataset.ready || d.dataset.error)",
            timeout=10_000,
        )


def problems_on(page, where: str) -> list[str]:
    """What a clerk would find wrong: a page wider than the screen, keys or literals in the text."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    found = []
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        found.append(f"{where}: page is {width}px wide in a {inner}px window")
    text = page.evaluate("document.body.innerText")
    for match in sorted(set(RAW_KEY.findall(text))):
        found.append(f"{where}: raw key {match!r}")
    for match in LITERALS.finditer(text):
        found.append(
            f"{where}: literal {match.group(0)!r} in …{text[max(0, match.start() - 30) : match.end() + 30]}…"
        )
    return found


@pytest.mark.parametrize("username", USERS)
def test_pages_fit_the_screen_and_show_no_internals(browser, demo_server, tmp_path, username):
    base = demo_server
    shots = tmp_path / "screens"
    shots.mkdir()
    found: list[str] = []
    for width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        login(page, base, username)
        pages = [("inbox", f"{base}/inbox")]
        settle(page)
        task_link = page.locator("#inbox tbody tr td.task-cell a").first
        if task_link.count():
            pages.append(("task", base + task_link.get_attribute("href")))
        if username == "admin":
            pages += [("ops", f"{base}/ops/"), ("projects", f"{base}/projects")]
        for name, url in pages:
            page.goto(url)
            settle(page)
            page.screenshot(path=shots / f"{username}-{name}-{width}.png", full_page=True)
            found += problems_on(page, f"{username} {name} {width}px")
            if name == "task" and page.locator(".task-head a[href*='/projects/']").count():
                page.click(".task-head a[href*='/projects/']")
                settle(page)
                page.screenshot(path=shots / f"{username}-project-{width}.png", full_page=True)
                found += problems_on(page, f"{username} project {width}px")
        context.close()
    print(f"screenshots in {shots}")
    assert found == []
