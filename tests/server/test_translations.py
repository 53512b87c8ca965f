"""The English catalogue covers every msgid the pages and server code use, once each.

Babel extracts the msgids from server/ with server/babel.cfg, as ``pybabel extract -F server/babel.cfg
-k lazy_gettext`` does. A msgid missing from server/translations/en/LC_MESSAGES/messages.po, or
translated to an empty string, makes the English UI show the Chinese. A msgid written twice
leaves it to chance which translation the catalogue keeps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import denormalize, read_po

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
CATALOGUE = SERVER / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# server/labels.py and friends mark their names with flask_babel.lazy_gettext (pybabel extract -k lazy_gettext)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def used_msgids() -> dict[str, tuple[str, int]]:
    """Every msgid under server/ (a plural's singular, the catalogue's key) → where it is first used."""
    with (SERVER / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def inside_server(path: str) -> bool:  # walk server/ only, not tests/, node_modules, instance/
        return Path(path) == ROOT or SERVER in (Path(path), *Path(path).parents)

    used: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=inside_server
    ):
        msgid = message[0] if isinstance(message, tuple) else message  # ngettext: (singular, plural)
        if msgid and context:  # pgettext: the catalogue keys it under its msgctxt
            msgid = f"{context}\x04{msgid}"
        if msgid:
            used.setdefault(msgid, (filename, lineno))
    return used


def written_msgids(path: Path) -> list[str]:
    """The msgids as the file writes them (msgctxt-qualified), obsolete ``#~`` entries left out."""
    entries: list[str] = []
    context, current, lines = "", None, []
    for line in [*path.read_text(encoding="utf-8").splitlines(), "msgstr"]:
        if line.startswith("#") or not line.strip():
            continue
        if current is not None and line.startswith('"'):
            lines.append(line)
            continue
        if current is not None:  # the msgid ends at msgid_plural or msgstr
            entries.append(context + denormalize("\n".join(lines)))
            context, current, lines = "", None, []
        if line.startswith("msgctxt "):
            context = denormalize(line[len("msgctxt ") :]) + "\x04"
        elif line.startswith("msgid "):
            current, lines = True, [line[len("msgid ") :]]
    return [e for e in entries if e]


def catalogue():
    with CATALOGUE.open("rb") as po:
        return read_po(po)


def test_every_used_msgid_has_english():
    used = used_msgids()
    assert len(used) > 500, f"the extraction found only {len(used)} msgids: is server/babel.cfg read?"
    english = catalogue()
    problems = []
    for msgid, (filename, lineno) in sorted(used.items(), key=lambda item: item[1]):
        where = f"{filename}:{lineno}"
        context, _, bare = msgid.rpartition("\x04")
        entry = english.get(bare, context=context or None)
        strings = (
            () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        )
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif not strings or not all(s and s.strip() for s in strings):
            problems.append(f"empty translation: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy (not used by the app): {msgid!r} ({where})")
    if problems:
        pytest.fail(
            f"{len(problems)} msgid(s) without English in {CATALOGUE.relative_to(ROOT)}:\n"
            + "\n".join(problems)
        )


def test_no_msgid_is_written_twice():
    seen: set[str] = set()
    duplicates = [m for m in written_msgids(CATALOGUE) if m in seen or seen.add(m)]
    if duplicates:
        pytest.fail("duplicate msgids in the English catalogue:\n" + "\n".join(map(repr, duplicates)))


def test_translations_keep_the_placeholders():
    """A renamed or dropped %(name)s breaks the English page (KeyError) or loses the figure."""
    wrong = []
    for entry in catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for s in strings:
            if s and set(PLACEHOLDER.findall(s)) != expected:
                wrong.append(f"{ids[0]!r} → {s!r}")
    if wrong:
        pytest.fail("translations whose %(name)s placeholders differ from the msgid:\n" + "\n".join(wrong))


def test_the_duplicate_check_reads_the_file_as_written(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "保存"\nmsgstr "Save"\n\n'
        'msgctxt "button"\nmsgid "保存"\nmsgstr "Save"\n\n'
        'msgid ""\n"保"\n"存"\nmsgstr "Save again"\n\n'
        '#~ msgid "保存"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    assert written_msgids(po) == ["保存", "button\x04保存", "保存"]
