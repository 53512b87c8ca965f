"""Which DMN decisions changed between two bundles, and which business-rule tasks read them.

A version that differs only in a decision table changes what its business-rule tasks
decide: the comparison marks those tasks as changed, and a migration preview names the
tables an instance will read by the new rules (issue 13, items 5 and 6).
"""

from __future__ import annotations

from lxml import etree

from .bundle_xml import elements_of, parse


def _decisions(files: dict[str, str]) -> dict[str, dict]:
    """decision id → what the engine reads from it (its table's rows, columns, expressions)."""
    found = {}
    for name, text in files.items():
        if not name.endswith(".dmn"):
            continue
        try:
            root = parse(text)
        except etree.XMLSyntaxError:
            continue
        for decision in root.iter("{*}decision"):
            found[decision.get("id")] = (elements_of(decision), decision.get("name"))
    return found


def changed_decisions(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Ids of the decisions of ``new`` that ``old`` has not, or has with other rules."""
    before, after = _decisions(old), _decisions(new)
    return sorted(d for d, content in after.items() if before.get(d, (None,))[0] != content[0])


def decision_names(files: dict[str, str]) -> dict[str, str]:
    return {d: name for d, (_content, name) in _decisions(files).items()}


def rule_tasks(text: str) -> list[tuple[str, str, str]]:
    """(task id, task name, decision id) of each business-rule task of a BPMN file."""
    try:
        root = parse(text)
    except etree.XMLSyntaxError:
        return []
    found = []
    for task in root.iter("{*}businessRuleTask"):
        decision = (task.findtext(".//{*}calledDecisionId") or task.get("decisionRef") or "").strip()
        if decision:
            found.append((task.get("id"), task.get("name") or task.get("id"), decision))
    return found


def called_processes(text: str) -> set[str]:
    try:
        root = parse(text)
    except etree.XMLSyntaxError:
        return set()
    return {c.get("calledElement") for c in root.iter("{*}callActivity") if c.get("calledElement")}


def used_by(files: dict[str, str], process_id: str) -> set[str]:
    """Decision ids read by ``process_id`` and the processes it calls, in a bundle."""
    seen, todo, decisions = set(), [process_id], set()
    while todo:
        pid = todo.pop()
        text = files.get(f"{pid}.bpmn")
        if pid in seen or text is None:
            continue
        seen.add(pid)
        decisions.update(d for _t, _n, d in rule_tasks(text))
        todo.extend(called_processes(text))
    return decisions


def impact_text(decision: str) -> str:
    return f"决策表 {decision} 已修改，影响此任务"


def impacts(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(BPMN file, task id, task name, decision id) of each business-rule task of ``new`` that
    reads a decision whose rules differ from ``old``'s."""
    changed = set(changed_decisions(old, new))
    if not changed:
        return []
    return [
        (file, task_id, name, decision)
        for file, text in sorted(new.items())
        if file.endswith(".bpmn")
        for task_id, name, decision in rule_tasks(text)
        if decision in changed
    ]
