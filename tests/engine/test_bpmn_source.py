"""bpmn/ is the only source of process knowledge (issue 8, item 7).

The files in bpmn/ are edited by a designer (bpmn-js / Camunda Modeler, later the designer
pages), linted and deployed; no code in the repository writes them, and the rules they
implement are cited in the files themselves: a process's <bpmn:documentation>, an
element's <bpmn:documentation>, a DMN decision's or rule's <description>.
"""

from __future__ import annotations

import ast
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
CITES = re.compile(r"DOMAIN|R-[A-Z]{2}-\d")

# Demo processes, not review paths: they need a documentation, not a rule citation.
DEMO_PROCESSES = {"demo_deadline"}
# The retired generator (it wrote every file in bpmn/ and overwrote a designer's edits).
RETIRED = ("bpmn_paths", "bpmn_layout")
# Python files outside tests/ allowed to write into bpmn/ (none: a designer page that saves
# a designer's edit there would be listed here, on purpose).
ALLOWED_WRITERS: set[str] = set()

SKIP_DIRS = {"tests", "node_modules", "__pycache__", "instance", "build", "dist"}
HIDDEN_KEPT = {".ci", ".github"}  # CI scripts count; .git, .venv and the like do not
WRITE_METHODS = {"write_text", "write_bytes", "touch", "rename", "symlink_to", "hardlink_to"}
WRITE_FUNCTIONS = {"copy", "copy2", "copyfile", "copytree", "move", "replace", "rename"}


def _repo_files(suffixes: tuple[str, ...]) -> list[Path]:
    found = []
    for directory, subdirs, files in os.walk(ROOT):
        subdirs[:] = [
            d for d in subdirs if (d in HIDDEN_KEPT or not d.startswith(".")) and d not in SKIP_DIRS
        ]
        found += [Path(directory) / f for f in files if f.endswith(suffixes)]
    return sorted(found)


def _mentions_bpmn_dir(tree: ast.AST) -> bool:
    """The module names the bpmn/ directory: a path part "bpmn", "bpmn/...", or bpmn_dir/BPMN_DIR."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.strip("/")
            if value == "bpmn" or value.startswith("bpmn/") or "BPMN_DIR" in value:
                return True
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.lower() == "bpmn_dir":
                return True
    return False


def _writes(tree: ast.AST) -> list[str]:
    """Calls in the module that create, write, copy or move files."""
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        mode = next((k.value for k in node.keywords if k.arg == "mode"), None)
        if mode is None and name == "open":
            args = node.args[1:] if isinstance(func, ast.Name) or owner in ("io", "os") else node.args
            mode = args[0] if args else None
        is_write_mode = (
            isinstance(mode, ast.Constant)
            and isinstance(mode.value, str)
            and bool(set(mode.value) & set("wax+"))
        )
        if (
            (isinstance(func, ast.Attribute) and name in WRITE_METHODS and owner not in ("os", "shutil"))
            or (owner in ("os", "shutil") and name in WRITE_FUNCTIONS)
            or (name == "open" and is_write_mode)
        ):
            calls.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return calls


def writers_into_bpmn(source: str) -> list[str]:
    """The file-writing calls of a module that also names the bpmn/ directory."""
    tree = ast.parse(source)
    return _writes(tree) if _mentions_bpmn_dir(tree) else []


def test_the_check_finds_a_generator_that_writes_into_bpmn():
    """The check itself: the retired generator's shape is caught, a reader of bpmn/ is not."""
    generator = (
        'OUT = Path(__file__).resolve().parent.parent / "bpmn"\n'
        "def main():\n"
        '    (OUT / "rectification.bpmn").write_text(xml, encoding="utf-8")\n'
    )
    assert writers_into_bpmn(generator)
    assert writers_into_bpmn('with open(settings().bpmn_dir / "a.dmn", "w") as f:\n    f.write(x)\n')
    assert writers_into_bpmn('shutil.copy(src, "bpmn/a.bpmn")\n')
    assert not writers_into_bpmn('bundle = load_bundle(settings().bpmn_dir)\nopen(path, "rb")\n')
    assert not writers_into_bpmn('(tmp / "bench_wait.bpmn").write_text(BPMN)\n')


def test_no_code_outside_tests_writes_into_bpmn():
    sources = _repo_files((".py",))
    assert len(sources) > 10, "the walk found too few Python files: is ROOT right?"
    offenders = {}
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        calls = writers_into_bpmn(path.read_text(encoding="utf-8"))
        if calls and rel not in ALLOWED_WRITERS:
            offenders[rel] = calls
    assert offenders == {}, f"bpmn/ is edited by designers, not written by code: {offenders}"


def test_the_retired_generator_is_gone_and_nothing_runs_it():
    assert not any((ROOT / "scripts" / f"{name}.py").exists() for name in RETIRED)
    mentions = []
    for path in _repo_files(
        (".py", ".md", ".toml", ".cfg", ".sh", ".yml", ".yaml", ".json", "Makefile", "run")
    ):
        text = path.read_text(encoding="utf-8", errors="replace")
        mentions += [f"{path.relative_to(ROOT)}: {name}" for name in RETIRED if name in text]
    assert mentions == []


def _processes():
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        for process in ET.parse(path).getroot().iter(f"{BPMN}process"):
            if process.get("isExecutable") == "true":
                yield path.name, process


def _first_child(element: ET.Element, tag: str) -> ET.Element | None:
    children = list(element)
    return children[0] if children and children[0].tag == tag else None


def test_every_process_cites_domain_in_its_documentation():
    processes = {p.get("id"): (name, p) for name, p in _processes()}
    assert len(processes) >= 8 and DEMO_PROCESSES <= set(processes)
    for process_id, (name, process) in processes.items():
        doc = _first_child(process, f"{BPMN}documentation")
        assert doc is not None and (doc.text or "").strip(), f"{name}: {process_id} has no documentation"
        if process_id in DEMO_PROCESSES:
            assert "demo" in doc.text.lower(), f"{name}: say that {process_id} is a demo"
        else:
            assert CITES.search(doc.text), f"{name}: {process_id}'s documentation cites no DOMAIN rule"


@pytest.mark.parametrize("suffix, tag", [("*.bpmn", f"{BPMN}documentation"), ("*.dmn", f"{DMN}description")])
def test_documentation_comes_first_in_its_element(suffix, tag):
    """BPMN and DMN schema order: documentation/description is an element's first child."""
    found = 0
    for path in sorted(BPMN_DIR.glob(suffix)):
        root = ET.parse(path).getroot()
        for parent in root.iter():
            for child in list(parent)[1:]:
                assert child.tag != tag, f"{path.name}: {parent.get('id')} has {tag} after other children"
            found += parent.find(tag) is not None
    assert found > 0


def test_every_decision_cites_domain_in_its_description():
    decisions = {}
    for path in sorted(BPMN_DIR.glob("*.dmn")):
        for decision in ET.parse(path).getroot().iter(f"{DMN}decision"):
            decisions[decision.get("id")] = (path.name, decision)
    assert len(decisions) >= 6
    for decision_id, (name, decision) in decisions.items():
        description = _first_child(decision, f"{DMN}description")
        assert description is not None, f"{name}: decision {decision_id} has no description"
        assert CITES.search(description.text or ""), (
            f"{name}: {decision_id}'s description cites no DOMAIN rule"
        )
