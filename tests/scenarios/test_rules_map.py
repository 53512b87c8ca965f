"""RULES.md is the map from each DOMAIN.md rule to the tests that guard it (issue 11).

A rule id of DOMAIN.md with no row in the table and no line under "Not covered, and why" fails
here, and so does a row naming a test that does not exist: the map cannot drift from the rules
or from the suite.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
RULES_MD = Path(__file__).with_name("RULES.md")
RULE_ID = re.compile(r"\bR-[A-Z]{2}-\d+\b")
TEST_NAME = re.compile(r"`(test_\w+)`")


def _domain_md() -> Path | None:
    """DOMAIN.md lives in the shared folder beside the project (../shared/ from its root)."""
    for folder in [TESTS.parent, *TESTS.parent.parents]:
        candidate = folder / "shared" / "DOMAIN.md"
        if candidate.is_file():
            return candidate
    return None


def _sections() -> tuple[str, str]:
    text = RULES_MD.read_text(encoding="utf-8")
    table, _, rest = text.partition("## Not covered, and why")
    return table, rest


def _defined_tests() -> set[str]:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        names.update(re.findall(r"^\s*(?:async\s+)?def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    return names


def test_every_domain_rule_is_mapped_or_said_not_covered():
    domain = _domain_md()
    if domain is None:
        pytest.skip("DOMAIN.md is not beside this checkout (../shared/)")
    rules = set(RULE_ID.findall(domain.read_text(encoding="utf-8")))
    table, not_covered = _sections()
    mapped = {
        rule
        for line in table.splitlines()
        if line.startswith("| R-")
        for rule in RULE_ID.findall(line.split("|")[1])
    }
    missing = sorted(rules - mapped - set(RULE_ID.findall(not_covered)))
    assert not missing, f"DOMAIN.md rules with no row in RULES.md and no 'Not covered' line: {missing}"


def test_every_rule_row_names_tests_that_exist():
    table, _ = _sections()
    defined = _defined_tests()
    rows = [line for line in table.splitlines() if line.startswith("| R-") or line.startswith("| §")]
    assert rows, "RULES.md has no rule rows"
    for row in rows:
        named = TEST_NAME.findall(row.split("|")[3] if row.count("|") >= 4 else row)
        assert named, f"a rule row names no test: {row[:60]}"
        unknown = sorted(set(named) - defined)
        assert not unknown, f"{row.split('|')[1].strip()}: no such test {unknown}"
