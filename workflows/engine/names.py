"""Names an expression reads that nothing in the bundle ever sets: a typo caught at lint time.

A condition ``ea_head_opinon == "同意报送"`` compiles and passes the sandbox, then fails in
every running instance that reaches the gateway. Data reaches an expression from a form (its
field names), a script (what it assigns), a decision table (its outputs), a multi-instance
task (its item), the sandbox's own functions, or the data a process is started with. A
name read but set by none of them is reported where it is read, with the names it is
closest to. Names starting with the data a process is started with are declared by the
commands that start it (:data:`START_DATA`, filled by ``workflows.commands``).
"""

from __future__ import annotations

import ast
import difflib
import json
import re

from lxml import etree

from ..errors import LocatedError

# data the commands put in when they start a process (project facts, year, panels …), and the
# processes whose start data is so declared: only theirs are checked (a process the commands do
# not know, a test's or a new one, may be started with anything)
START_DATA: set[str] = set()
CHECKED: set[str] = set()

_DMN_OUTPUT = re.compile(r"<(?:\w+:)?output\b[^>]*?\bname=\"([^\"]+)\"")


def _parse(source: str, mode: str):
    try:
        return ast.parse(source, mode=mode)
    except SyntaxError:
        return None  # the sandbox check reports it


def _stored(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.Lambda):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
            names.update(a.arg for a in node.args.args + node.args.kwonlyargs)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _read(tree) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def known_names(files: dict[str, str], task_specs, globals_: set[str]) -> set[str]:
    """Every name a bundle may hold in its data or scope."""
    known = set(globals_) | START_DATA
    for name, text in files.items():
        if name.endswith(".json"):
            try:
                known.update((json.loads(text).get("properties") or {}).keys())
            except (ValueError, AttributeError):
                pass
        elif name.endswith(".dmn"):
            known.update(_DMN_OUTPUT.findall(text))
    for task_spec in task_specs:
        for attr in ("script", "prescript", "postscript"):
            source = getattr(task_spec, attr, None)
            tree = _parse(source, "exec") if isinstance(source, str) and source.strip() else None
            if tree is not None:
                known |= _stored(tree)
        for attr in ("input_item", "output_item", "data_input", "data_output"):
            item = getattr(task_spec, attr, None)
            if item is not None and getattr(item, "bpmn_id", None):
                known.add(item.bpmn_id)
        for obj in (getattr(task_spec, "data_objects", None) or {}).values():
            known.add(getattr(obj, "bpmn_id", None) or "")
    return known


def unknown(source: str, mode: str, known: set[str]) -> list[tuple[str, list[str]]]:
    """(name, close matches) of each name ``source`` reads that is neither known nor set by itself."""
    tree = _parse(source, mode)
    if tree is None:
        return []
    own = _stored(tree)
    found = []
    for name in sorted(_read(tree) - own - known):
        found.append((name, difflib.get_close_matches(name, known, n=3, cutoff=0.75)))
    return found


def dmn_cells(text: str, table_id: str):
    """(cell id, source) of every input expression and entry of one decision table (an input entry
    read as ``<input> <cell>``)."""
    root = etree.fromstring(text.encode("utf-8"))
    tables = [t for t in root.iter("{*}decisionTable") if t.get("id") == table_id]
    for entry in (e for t in tables for e in t.iter("{*}inputExpression", "{*}inputEntry", "{*}outputEntry")):
        node = entry.find("{*}text")
        source = (node.text or "").strip() if node is not None else ""
        if not source or source == "-":
            continue
        if entry.tag.endswith("inputEntry"):
            source = f"dmninputexpr {source}" if not source.startswith(("not(", "not (")) else source
        yield entry.get("id"), source


_KINDS = {
    "condition": "条件",
    "script": "脚本",
    "prescript": "前置脚本",
    "postscript": "后置脚本",
    "cardinality": "多实例数量",
    "assignee": "属性 assignee",
    "dueAt": "属性 dueAt",
    "priority": "属性 priority",
    "unitId": "属性 unitId",
}


def _message(where: str, name: str, close: list[str]) -> str:
    guess = f"（是否应为 {'、'.join(close)}？）" if close else ""
    return f"{where}读取的 {name} 没有任何表单、脚本、决策表或启动数据设置过{guess}"


def check(files: dict[str, str], located_specs, expressions, globals_: set[str]) -> list[LocatedError]:
    """A located error for each name read that nothing sets, in the processes of :data:`CHECKED`
    and the decision tables they call. ``located_specs``: (file, spec, top process id) of every
    process and subprocess; ``expressions(task_spec)``: its (kind, source, mode)."""
    checked = [(file, spec) for file, spec, top in located_specs if top in CHECKED]
    if not checked:  # the commands' start-data vocabulary is not loaded, or no process is declared
        return []
    task_specs = [ts for _file, spec, _top in located_specs for ts in spec.task_specs.values()]
    known = known_names(files, task_specs, globals_) | {"dmninputexpr"}
    errors, tables = [], set()
    for file, spec in checked:
        for task_spec in spec.task_specs.values():
            element = getattr(task_spec, "bpmn_id", None)
            if element is None:
                continue
            for kind, source, mode in expressions(task_spec):
                for name, close in unknown(source, mode, known):
                    errors.append(LocatedError(file, element, _message(_KINDS.get(kind, kind), name, close)))
            table = getattr(getattr(task_spec, "dmnEngine", None), "decision_table", None)
            if table is not None:
                tables.add(table.id)
    for file, text in files.items():
        if not file.endswith(".dmn") or not any(f'id="{t}"' in text for t in tables):
            continue
        for table in tables:
            for cell, source in dmn_cells(text, table):
                for name, close in unknown(source, "eval", known):
                    errors.append(LocatedError(file, cell, _message("决策表单元格", name, close)))
    return errors
