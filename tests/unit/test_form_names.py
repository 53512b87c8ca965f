"""The words of forms/*.json are Chinese, one language per page (issue 10 item 1): what a clerk
reads on a form (a field's title, its help, a choice) has its English in the message catalogue,
keyed by the Chinese, and carries no rule numbers or English of its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.pofile import read_po

from server.formrender import help_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "server/translations/en/LC_MESSAGES/messages.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# a unit of measure or a format a clerk reads as is
ALLOWED_LATIN = re.compile(r"\b(PDF|Excel|Word|GDP|km|kg|m|%)\b")


def _shown(schema, found: list[str]) -> None:
    """The texts a form shows; ``x-*`` keys (checks, pre-fill, computed) are for the designer."""
    if isinstance(schema, list):
        for item in schema:
            _shown(item, found)
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            found.append(value)
        elif key == "description" and isinstance(value, str):
            found.append(help_text(value) or "")
        elif key in ("x-enumNames", "enumNames"):
            found.extend(v for v in value if isinstance(v, str))
        elif key == "enum":
            found.extend(v for v in value if isinstance(v, str) and CJK.search(v))
        elif not key.startswith("x-"):
            _shown(value, found)


def _texts():
    for path in sorted((ROOT / "forms").glob("*.json")):
        found: list[str] = []
        _shown(json.loads(path.read_text(encoding="utf-8")), found)
        yield from ((path.name, text) for text in found if text)


def test_form_texts_carry_no_rule_numbers_or_english():
    english = [(f, t) for f, t in _texts() if LATIN_WORD.search(ALLOWED_LATIN.sub("", t))]
    assert not english, english


def test_every_form_text_has_its_english_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    missing = sorted({(f, t) for f, t in _texts() if not getattr(catalogue.get(t), "string", "")})
    assert not missing, missing


def _refusals():
    """What a form refuses data with: its checks' messages (``x-checks``) and a held field's
    ``held_as``; a clerk reads them beside the field (server/formatting.field_message)."""

    def walk(node, path: str):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "x-checks":
                    yield from (
                        (path, check["message"]) for check in value if check.get("kind") != "decision"
                    )
                elif key == "x-prefill" and isinstance(value, dict) and "held_as" in value:
                    yield path, value["held_as"]
                else:
                    yield from walk(value, path)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, path)

    for path in sorted((ROOT / "forms").glob("*.json")):
        yield from walk(json.loads(path.read_text(encoding="utf-8")), path.name)


def test_every_refusal_a_form_words_has_its_english_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    found = list(_refusals())
    assert len(found) > 30  # the checks of the monitoring, targets and evaluation forms
    missing = sorted({(f, t) for f, t in found if not getattr(catalogue.get(t), "string", "")})
    assert not missing, missing


def _bpmn_names():
    """Every Chinese name a diagram draws (tasks, events, gateways, flows), one language per page."""
    import html

    from server.labels import split_bilingual

    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for raw in re.findall(r'\sname="([^"]*)"', path.read_text(encoding="utf-8")):
            zh, en = split_bilingual(html.unescape(raw))
            if CJK.search(zh) and en == zh:  # a "中文 English" name carries its own English
                yield path.name, zh


def test_every_diagram_name_has_its_english_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    missing = sorted({(f, t) for f, t in _bpmn_names() if not getattr(catalogue.get(t), "string", "")})
    assert not missing, missing


def test_every_standard_score_item_has_english():
    """A score sheet's standard rows (``x-prefill`` ``rows``: 一级/二级/三级指标) are the form's own
    words too: an English page shows them from the catalogue (server/readable.category_text)."""
    with CATALOGUE.open("rb") as po:
        english = read_po(po)
    missing = []
    for path in sorted((ROOT / "forms").glob("*.json")):
        for name, prop in json.loads(path.read_text(encoding="utf-8"))["properties"].items():
            prefill = prop.get("x-prefill") if isinstance(prop, dict) else None
            for row in prefill.get("rows", []) if isinstance(prefill, dict) else []:
                for value in row.values():
                    if isinstance(value, str) and CJK.search(value):
                        entry = english.get(value)
                        if entry is None or not entry.string:
                            missing.append(f"{path.name} {name}: {value}")
    assert missing == [], "\n".join(sorted(set(missing)))


def _decision_words():
    """A decision table's labels and the outputs it gives in words (予以支持，进入预算安排), which
    the project page's 流程判定 shows."""
    from lxml import etree

    for path in sorted((ROOT / "bpmn").glob("*.dmn")):
        root = etree.parse(str(path)).getroot()
        for element in root.iter("{*}input", "{*}output"):
            if element.get("label"):
                yield path.name, element.get("label")
        for entry in root.iter("{*}outputEntry"):
            text = (entry.findtext("{*}text") or "").strip()
            if len(text) > 2 and text[0] == text[-1] == '"' and CJK.search(text):
                yield path.name, text[1:-1]


def test_every_decision_tables_words_have_their_english_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    words = list(_decision_words())
    assert len(words) > 50
    missing = sorted({(f, t) for f, t in words if not getattr(catalogue.get(t), "string", "")})
    assert not missing, missing
