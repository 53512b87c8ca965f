"""The elements of a BPMN or DMN file as the engine reads them, for comparing versions.

Elements are matched by id and read as their attributes, expressions, scripts, timer
definitions and extension properties; diagram layout (BPMN DI, DMNDI) is left out. A DMN
rule reads as "规则 2" with its cells keyed by column: 条件「评审得分」 → ">= 80".
"""

from __future__ import annotations

import io

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
# children that only repeat what sequence flows already say, or that draw the diagram
_SKIP_CHILDREN = {"incoming", "outgoing", "flowNodeRef"}
# identified children read as part of their parent (a DMN rule's cells, a timer's definition)
_INLINE = {
    "timerEventDefinition",
    "text",
    "inputEntry",
    "outputEntry",
    "inputExpression",
    "conditionExpression",
}
_DIAGRAM_NS = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DMN/20180521/DMNDI/")


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def is_diagram(element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element.tag).namespace in _DIAGRAM_NS


def _flatten(element, prefix: str, out: dict[str, str]) -> None:
    """What the engine reads from ``element`` (not its own identified children) as path → value."""
    for key, value in element.attrib.items():
        if local(key) != "id":
            out[f"{prefix}@{local(key)}"] = value
    text = (element.text or "").strip()
    if text:
        out[prefix.rstrip("/") or "text"] = text
    seen: dict[str, int] = {}
    for child in element:
        if not isinstance(child.tag, str) or is_diagram(child) or local(child.tag) in _SKIP_CHILDREN:
            continue
        if child.get("id") is not None and local(child.tag) not in _INLINE:
            continue  # an element of its own, compared on its own
        label = local(child.tag)
        seen[label] = seen.get(label, 0) + 1
        if label in ("inputEntry", "outputEntry"):
            label = f"{'条件' if label == 'inputEntry' else '结果'}{seen[label]}"
        if label == "property" and child.get("name"):
            out[f"{prefix}{child.get('name')}"] = child.get("value") or (child.text or "").strip()
            continue
        if label in ("extensionElements", "properties"):
            _flatten(child, prefix, out)
            continue
        _flatten(child, f"{prefix}{label}/", out)


def parse(text: str):
    return etree.parse(io.BytesIO(text.encode("utf-8")), _PARSER).getroot()


def elements(text: str) -> dict[str, tuple[str, str, dict[str, str]]]:
    """id → (kind, name, flattened values) for every identified, non-diagram element."""
    return elements_of(parse(text))


def elements_of(root) -> dict[str, tuple[str, str, dict[str, str]]]:
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root or is_diagram(element):
            continue
        if any(is_diagram(a) for a in element.iterancestors()):
            continue
        ident = element.get("id")
        if ident is None or local(element.tag) in _INLINE:
            continue
        if local(element.tag) == "rule":
            found[ident] = ("rule", *_rule(element))
            continue
        values: dict[str, str] = {}
        _flatten(element, "", values)
        name = element.get("name") or element.get("label") or values.get("description") or ""
        found[ident] = (local(element.tag), name, values)
    return found


def _column(columns, index: int) -> str:
    """A decision table column as the designer named it: its label, else its expression or name."""
    if index >= len(columns):
        return f"第{index + 1}列"
    column = columns[index]
    expression = column.find("{*}inputExpression")
    text = expression.findtext("{*}text") if expression is not None else None
    return column.get("label") or column.get("name") or (text or "").strip() or f"第{index + 1}列"


def _rule(rule) -> tuple[str, dict[str, str]]:
    """A DMN rule as "规则 2" and its cells keyed by column: 条件「评审得分」 → ">= 80"."""
    table = rule.getparent()
    columns = {
        kind: [c for c in table if isinstance(c.tag, str) and local(c.tag) == kind]
        for kind in ("input", "output")
    }
    rules = [c for c in table if isinstance(c.tag, str) and local(c.tag) == "rule"]
    values: dict[str, str] = {}
    seen = {"inputEntry": 0, "outputEntry": 0}
    for child in rule:
        tag = local(child.tag)
        if tag == "description":
            values["说明"] = (child.text or "").strip()
        elif tag in seen:
            word, kind = ("条件", "input") if tag == "inputEntry" else ("结果", "output")
            label = _column(columns[kind], seen[tag])
            seen[tag] += 1
            values[f"{word}「{label}」"] = (child.findtext("{*}text") or "").strip()
    return f"规则 {rules.index(rule) + 1}", values


# what the engine reads, in the words of the designer pages (keys not listed are shown as they are)
