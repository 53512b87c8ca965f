"""One person at their desk in Chromium: their own window (cookies), their inbox, their forms.

Everything goes through the pages a person clicks: sign in (their one-time password first,
then their own), the inbox tabs, a task page's claim button and form, the notice bell.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.test_screens_readable import problems_on

WIDTH, HEIGHT = 1440, 900
# internals a clerk should never read: rule ids (DOMAIN R-EX-1) and audit actions (panel.drawn)
INTERNALS = re.compile(
    r"DOMAIN|\bR-[A-Z]{2}-\d|\b(?:instance|task|timer|panel|notification|message|incident|project|process)"
    r"\.[a-z_]+"
)


class Desk:
    def __init__(self, browser, base: str, username: str, shots: Path):
        self.base = base
        self.username = username
        self.shots = shots
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
        self.page = self.context.new_page()
        self.problems: list[str] = []

    # --- signing in -----------------------------------------------------------------------

    def first_sign_in(self, one_time: str, own: str, *, try_elsewhere: bool = False) -> None:
        """The administrator's one-time password leads to setting one's own before anything else
        (``try_elsewhere``: and opening another page first leads back there)."""
        page = self.page
        self._sign_in(one_time)
        page.wait_for_url(re.compile(r"/account/password"))
        if try_elsewhere:
            page.goto(f"{self.base}/projects")
            page.wait_for_url(re.compile(r"/account/password"))
        page.fill("input[name=password]", one_time)
        page.fill("input[name=new_password]", own)
        page.click("#set-password button[type=submit]")
        page.wait_for_url(re.compile(r"/inbox"))
        assert "密码已设置" in page.locator(".flash").inner_text()

    def sign_in(self, password: str) -> None:
        self._sign_in(password)
        self.page.wait_for_url(re.compile(r"/inbox"))

    def _sign_in(self, password: str) -> None:
        page = self.page
        page.goto(f"{self.base}/login")
        page.fill("input[name=username]", self.username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")

    # --- the inbox --------------------------------------------------------------------------

    def inbox(self, scope: str) -> list[str]:
        """The rows of one inbox tab, each as 'title | project | unit | …' text."""
        self.page.goto(f"{self.base}/inbox?scope={scope}")
        rows = self.page.locator("#inbox tbody tr[data-task]")
        return [" | ".join(r.locator("td").all_inner_texts()) for r in rows.all()]

    def waiting(self) -> list[str]:
        """Task titles waiting for this person: assigned to them, or theirs to claim."""
        titles = []
        for scope in ("mine", "claimable"):
            self.page.goto(f"{self.base}/inbox?scope={scope}")
            titles += self.page.locator("#inbox tbody tr[data-task] td.task-cell a").all_inner_texts()
        return titles

    def open_task(self, title: str, project: str) -> str:
        """Open the task ``title`` of ``project`` from the inbox (either tab); returns its id."""
        # the inbox opens on "mine", or on "claimable" while nothing is assigned yet
        for url in ("/inbox", "/inbox?scope=mine", "/inbox?scope=claimable"):
            self.page.goto(self.base + url)
            row = self.page.locator("#inbox tbody tr[data-task]", has_text=project).filter(
                has=self.page.locator("td.task-cell a", has_text=title)
            )
            if row.count():
                task_id = row.first.get_attribute("data-task")
                row.first.locator("td.task-cell a").click()
                self.page.wait_for_selector("form.task-form")
                return task_id
        raise AssertionError(f"{self.username} has no task {title!r} of {project!r}: {self.waiting()}")

    def claim(self) -> None:
        self.page.click("#claim")
        self.page.wait_for_selector("#submit")

    # --- forms --------------------------------------------------------------------------

    def fill(self, values: dict) -> None:
        """Type each value into the field with that id, as its widget takes it."""
        page = self.page
        for key, value in values.items():
            field = page.locator(f"#{key}")
            kind = field.evaluate("e => e.tagName + (e.multiple ? '*' : '') + ':' + (e.type || '')")
            if kind.startswith("SELECT*"):
                field.select_option(list(value))
            elif kind.startswith("SELECT"):
                field.select_option(label=str(value))
            elif kind.endswith(":checkbox"):
                field.set_checked(bool(value))
            else:
                field.fill(str(value))

    def submit(self) -> str:
        """Submit the task form; returns the flash saying where the project went."""
        with self.page.expect_navigation():
            self.page.click("#submit")
        if "/inbox" not in self.page.url:
            refused = self.page.locator("main .error").all_inner_texts()
            raise AssertionError(f"{self.username}: the form was refused: {refused} {self.field_errors()}")
        return self.page.locator(".flash").first.inner_text()

    def upload(self, filename: str, content: bytes) -> str:
        """上传 a file in the task's 附件 box; returns the flash (已上传：…)."""
        self.page.set_input_files(
            "#upload-file", files=[{"name": filename, "mimeType": "application/pdf", "buffer": content}]
        )
        with self.page.expect_navigation():
            self.page.click("#upload")
        return self.page.locator(".flash").first.inner_text()

    def download_workbook(self) -> bytes:
        """下载 Excel 模板 on the task page: the form as a workbook, with what it holds now."""
        with self.page.expect_download() as download:
            self.page.click("#workbook-download")
        return Path(download.value.path()).read_bytes()

    def import_workbook(self, content: bytes) -> list[str]:
        """从 Excel 导入: the refused cells listed on the page ([] when the form was filled)."""
        self.page.set_input_files(
            "#workbook-file",
            files=[{"name": "申报表.xlsx", "mimeType": "application/octet-stream", "buffer": content}],
        )
        with self.page.expect_navigation():
            self.page.click("#workbook-import")
        errors = self.page.locator("#workbook-errors li")
        return errors.all_inner_texts()

    def field_errors(self) -> dict[str, str]:
        errors = self.page.locator(".field-error")
        return {e.get_attribute("data-field"): e.inner_text() for e in errors.all()}

    # --- notices ---------------------------------------------------------------------------

    def bell(self) -> int:
        """The unread count on the notice bell (0 when it shows no badge)."""
        self.page.goto(f"{self.base}/inbox")
        badge = self.page.locator("header .bell .badge")
        return int(badge.get_attribute("data-unread")) if badge.count() else 0

    def notices(self) -> list[str]:
        self.page.click("header .bell")
        self.page.wait_for_url(re.compile(r"/notices"))
        return self.page.locator("ul.notices li.notice").all_inner_texts()

    # --- looking at it ------------------------------------------------------------------------

    def look(self, name: str) -> Path:
        """A full-page screenshot at 1440 px, and what a clerk would find wrong on the page."""
        page = self.page
        if page.locator(".diagram").count():
            page.wait_for_function(
                "[...document.querySelectorAll('.diagram')].every(d => d.dataset.ready || d.dataset.error)",
                timeout=10_000,
            )
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.problems += problems_on(page, name)
        text = page.evaluate("document.body.innerText")
        self.problems += [f"{name}: internal {m.group(0)!r}" for m in INTERNALS.finditer(text)]
        cut = page.evaluate(
            "[...document.querySelectorAll('dl.readable .scroll-x')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        if cut:
            self.problems.append(f"{name}: {cut} recorded table(s) cut off at the card's edge")
        return path

    def close(self) -> None:
        self.context.close()
