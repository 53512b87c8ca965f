"""A pass mark or a grade band lives in its decision table (bpmn/*.dmn, e.g. R-EA-4's 80 in
``ex_ante_decision``): a process designer changes it there and redeploys. The words a clerk reads
on a form (a title, a help text, a choice) or a page template must not repeat such a number, or
they would go on saying 80分 after the table says 85."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from .test_form_names import _shown

ROOT = Path(__file__).resolve().parents[2]
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
# "80分及以上", "60分以下", "80分至90分以下", "不低于80分", "≥80分"
SCORE_WORDS = re.compile(
    r"(\d+(?:\.\d+)?)\s*分(?:及以上|以上|以下|至)|(?:不低于|低于|达到|[≥≤])\s*(\d+(?:\.\d+)?)\s*分"
)


def dmn_thresholds() -> set[str]:
    """Every number a decision table compares a score against (``>= 80``, ``[60..80)``)."""
    found: set[str] = set()
    for path in (ROOT / "bpmn").glob("*.dmn"):
        for text in etree.parse(str(path)).iter(f"{DMN}text"):
            if (text.getparent().tag == f"{DMN}inputEntry") and text.text:
                found.update(re.findall(r"\d+(?:\.\d+)?", text.text))
    return found


def scores_named(text: str) -> set[str]:
    return {a or b for a, b in SCORE_WORDS.findall(text)}


def test_the_scan_finds_a_pass_mark_in_words():
    assert scores_named("各评审内容得分之和；80分及以上方可进入预算安排") == {"80"}
    assert scores_named("90分及以上为优，80分至90分以下为良，60分以下为差") == {"90", "80", "60"}
    assert scores_named("项目必要性（20分）") == set()  # an item's own points are the form's
    assert {"80", "90", "60"} <= dmn_thresholds()


def test_no_form_text_repeats_a_decision_tables_threshold():
    thresholds = dmn_thresholds()
    found = []
    for path in sorted((ROOT / "forms").glob("*.json")):
        texts: list[str] = []
        _shown(json.loads(path.read_text(encoding="utf-8")), texts)
        for text in texts:
            if hits := scores_named(text) & thresholds:
                found.append(f"{path.name}: {sorted(hits)} in {text!r}")
    assert found == [], "\n".join(found)


def test_no_page_template_repeats_a_decision_tables_threshold():
    thresholds = dmn_thresholds()
    found = [
        f"{path.relative_to(ROOT)}: {sorted(hits)}"
        for path in sorted((ROOT / "server" / "templates").rglob("*.html"))
        if (hits := scores_named(path.read_text(encoding="utf-8")) & thresholds)
    ]
    assert found == [], "\n".join(found)
