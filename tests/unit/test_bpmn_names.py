"""Task, event and process names in bpmn/ are Chinese only, one language per page (issue 10 item 1):
the English a page shows in en comes from the message catalogue, keyed by the Chinese name."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "server/translations/en/LC_MESSAGES/messages.po"
# the name of every element a person reads: tasks, events, gateways, flows, processes (lanes are
# the roles the engine assigns by, shown through the role names)
NAMED = re.compile(r'<bpmn:(?!lane\b)([A-Za-z]+)\b[^>]*?\sname="([^"]+)"')
SHOWN = ("userTask", "process", "participant", "callActivity")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _names():
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for kind, name in NAMED.findall(path.read_text(encoding="utf-8")):
            if kind not in ("dataInput", "dataOutput", "inputDataItem", "outputDataItem"):
                yield path.name, kind, name


def test_bpmn_names_carry_no_english_words():
    english = [(f, kind, name) for f, kind, name in _names() if LATIN_WORD.search(name)]
    assert not english, english


def test_every_task_and_process_name_has_its_english_in_the_catalogue():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    missing = sorted(
        {
            (f, name)
            for f, kind, name in _names()
            if kind in SHOWN and not getattr(catalogue.get(name), "string", "")
        }
    )
    assert not missing, missing
