"""Page steps the browser tests share."""

from __future__ import annotations

import demo


def login(page, base, username, password=demo.DEMO_PASSWORD):
    """Log in on the login page as a demo user and wait to leave it (the inbox, or a role's start page)."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
