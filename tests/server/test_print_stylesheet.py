"""Paper has its own stylesheet (issue 10, item 5): print.css, linked with media="print" from every
page, holds every print rule; app.css keeps none (its screen rules are another matter)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "server" / "static"


def test_print_rules_live_in_print_css_linked_for_print_only(web):
    page = web("zhang.san").get("/inbox").text
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page
    assert "@media print" not in (STATIC / "app.css").read_text(encoding="utf-8")
    rules = (STATIC / "print.css").read_text(encoding="utf-8")
    assert "@page { size: A4;" in rules and ".req" in rules and ".print-sign" in rules
