"""The start-data declaration (``workflows/commands/start_data.py``) against ``bpmn/``: what it
says a process reads occurs in that process's files (or the paths and tables it calls), and
every default a script gives a missing start value is declared, with that default."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workflows.commands import start_data

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
CALLS = re.compile(r'calledElement="([^"]+)"')
DECISIONS = re.compile(r"<spiffworkflow:calledDecisionId>([^<]+)<")
# ``try: name / except Exception: name = default`` — a script's default for a start value
DEFAULTED = re.compile(r"try:\s*\n\s*(\w+)\s*\n\s*except Exception:\s*\n\s*\1 = ([^\n]+)")


def texts_of(process_id: str, seen: set[str] | None = None) -> list[str]:
    """The process's BPMN, the DMN tables it calls, and the same for every path it calls."""
    seen = seen if seen is not None else set()
    if process_id in seen:
        return []
    seen.add(process_id)
    text = (BPMN / f"{process_id}.bpmn").read_text(encoding="utf-8")
    found = [text] + [(BPMN / f"{d}.dmn").read_text(encoding="utf-8") for d in DECISIONS.findall(text)]
    for called in CALLS.findall(text):
        found += texts_of(called, seen)
    return found


@pytest.mark.parametrize("process_id", sorted(start_data.PROCESSES))
def test_every_declared_start_field_is_read_by_the_process(process_id):
    text = "\n".join(texts_of(process_id))
    for name in start_data.PROCESSES[process_id]:
        assert re.search(rf"\b{name}\b", text), f"{process_id} does not read {name}"


@pytest.mark.parametrize("process_id", sorted(start_data.PROCESSES))
def test_every_default_a_script_gives_is_declared(process_id):
    """In the process's own file: a called path's defaults are for its own start (the caller sets
    what it passes on, such as the subject of a rectification)."""
    declared = set(start_data.PROCESSES[process_id])
    text = (BPMN / f"{process_id}.bpmn").read_text(encoding="utf-8")
    for name, default in DEFAULTED.findall(text):
        field = start_data.FIELDS.get(name)
        if field is not None and field.from_project:
            continue  # the project fills it whenever the path starts for one
        assert name in declared, f"{process_id} defaults {name} but does not declare it"
        assert field.default == ast.literal_eval(default.strip()), name


def test_a_project_fills_every_field_declared_as_its_own():
    class Row:
        id, code, name, unit_id, fiscal_year = 1, "WZ-1", "项目", 2, 2026
        amount, fund_type, is_new, is_major = 362, "general_public", True, False

    filled = start_data.from_project(Row())
    assert set(filled) == {f.name for f in start_data.FIELDS.values() if f.from_project}
