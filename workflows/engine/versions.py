"""Comparing two bundles (issue 13, item 5): BPMN elements, DMN rows, form fields.

Elements are matched by id and compared by what the engine reads from them: their
attributes, expressions, scripts, timer definitions and extension properties. Diagram
layout (BPMN DI) is ignored: moving a shape is not a change of the process.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

from lxml import etree

from . import decision_refs

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


@dataclass
class ElementChange:
    id: str
    name: str
    kind: str  # userTask, exclusiveGateway, rule, field …
    details: list[str] = field(default_factory=list)  # "name: A → B"


@dataclass
class FileDiff:
    file: str
    kind: str  # bpmn, dmn, form
    status: str  # added, removed, changed, same
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _is_diagram(element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element.tag).namespace in _DIAGRAM_NS


def _flatten(element, prefix: str, out: dict[str, str]) -> None:
    """What the engine reads from ``element`` (not its own identified children) as path → value."""
    for key, value in element.attrib.items():
        if _local(key) != "id":
            out[f"{prefix}@{_local(key)}"] = value
    text = (element.text or "").strip()
    if text:
        out[prefix.rstrip("/") or "text"] = text
    seen: dict[str, int] = {}
    for child in element:
        if not isinstance(child.tag, str) or _is_diagram(child) or _local(child.tag) in _SKIP_CHILDREN:
            continue
        if child.get("id") is not None and _local(child.tag) not in _INLINE:
            continue  # an element of its own, compared on its own
        label = _local(child.tag)
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


def _elements(text: str) -> dict[str, tuple[str, str, dict[str, str]]]:
    """id → (kind, name, flattened values) for every identified, non-diagram element."""
    return elements_of(parse(text))


def elements_of(root) -> dict[str, tuple[str, str, dict[str, str]]]:
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root or _is_diagram(element):
            continue
        if any(_is_diagram(a) for a in element.iterancestors()):
            continue
        ident = element.get("id")
        if ident is None or _local(element.tag) in _INLINE:
            continue
        if _local(element.tag) == "rule":
            found[ident] = ("rule", *_rule(element))
            continue
        values: dict[str, str] = {}
        _flatten(element, "", values)
        name = element.get("name") or element.get("label") or values.get("description") or ""
        found[ident] = (_local(element.tag), name, values)
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
        kind: [c for c in table if isinstance(c.tag, str) and _local(c.tag) == kind]
        for kind in ("input", "output")
    }
    rules = [c for c in table if isinstance(c.tag, str) and _local(c.tag) == "rule"]
    values: dict[str, str] = {}
    seen = {"inputEntry": 0, "outputEntry": 0}
    for child in rule:
        tag = _local(child.tag)
        if tag == "description":
            values["说明"] = (child.text or "").strip()
        elif tag in seen:
            word, kind = ("条件", "input") if tag == "inputEntry" else ("结果", "output")
            label = _column(columns[kind], seen[tag])
            seen[tag] += 1
            values[f"{word}「{label}」"] = (child.findtext("{*}text") or "").strip()
    return f"规则 {rules.index(rule) + 1}", values


# what the engine reads, in the words of the designer pages (keys not listed are shown as they are)
_WORDS = {
    "name": "名称",
    "label": "标题",
    "documentation": "说明",
    "description": "说明",
    "formJsonSchemaFilename": "表单文件",
    "dueAt": "办理期限",
    "assignee": "指定办理人",
    "priority": "优先级",
    "unitId": "办理单位",
    "conditionExpression": "条件",
    "script": "脚本",
    "scriptFormat": "脚本语言",
    "preScript": "前置脚本",
    "postScript": "后置脚本",
    "calledDecisionId": "决策表",
    "calledElement": "调用的流程",
    "sourceRef": "起点",
    "targetRef": "终点",
    "default": "默认连线",
    "timerEventDefinition/timeDuration": "定时时长",
    "timerEventDefinition/timeDate": "定时日期",
    "timerEventDefinition/timeCycle": "定时周期",
    "hitPolicy": "命中策略",
    "inputExpression/text": "输入表达式",
    "typeRef": "数据类型",
    "isExecutable": "可执行",
    "cancelActivity": "中断任务",
    "attachedToRef": "附着于",
    "messageRef": "消息",
    "isSequential": "按顺序执行",
    "loopDataInputRef": "多实例集合",
    "inputDataItem": "多实例元素",
    "required": "必填",
    "title": "标题",
    "type": "类型",
    "enum": "可选值",
}


def _details(before: dict[str, str], after: dict[str, str]) -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            shown = key.lstrip("@").rstrip("/")
            if shown.startswith(("条件「", "结果「")):  # a DMN cell: 条件「评审得分」 >= 80 → >= 85
                lines.append(f"{shown} {_short(old)} → {_short(new)}")
            else:
                lines.append(f"{_WORDS.get(shown, shown)}：{_short(old)} → {_short(new)}")
    return lines


def _short(value: str | None) -> str:
    if value is None:
        return "（无）"
    value = " ".join(value.split())
    return value if len(value) <= 80 else value[:77] + "…"


def _dmn_rule_text(kind, values) -> str:
    """An added or removed rule in words: 条件「评审得分」 >= 85；结果「是否支持」 True."""
    return "；".join(f"{k} {v}" for k, v in values.items() if k.startswith(("条件", "结果")))


def diff_xml(file: str, kind: str, old: str, new: str) -> FileDiff:
    before, after = _elements(old), _elements(new)
    result = FileDiff(file, kind, "changed")
    for ident, (tag, name, values) in after.items():
        if ident not in before:
            detail = [_dmn_rule_text(tag, values)] if tag == "rule" else []
            result.added.append(ElementChange(ident, name or ident, tag, detail))
    for ident, (tag, name, values) in before.items():
        if ident not in after:
            detail = [_dmn_rule_text(tag, values)] if tag == "rule" else []
            result.removed.append(ElementChange(ident, name or ident, tag, detail))
            continue
        new_tag, new_name, new_values = after[ident]
        details = _details(values, new_values)
        if new_tag != tag:
            details.insert(0, f"类型：{tag} → {new_tag}")
        if details:
            result.changed.append(ElementChange(ident, new_name or name or ident, new_tag, details))
    if result.empty:
        result.status = "same"
    return result


def diff_form(file: str, old: str, new: str) -> FileDiff:
    """Form fields (JSON Schema properties) added, removed or changed, by field name."""
    result = FileDiff(file, "form", "changed")
    try:
        before, after = json.loads(old), json.loads(new)
    except json.JSONDecodeError:
        result.changed.append(ElementChange("<file>", file, "file", ["不是有效的 JSON"]))
        return result
    props_b, props_a = before.get("properties") or {}, after.get("properties") or {}
    req_b, req_a = set(before.get("required") or []), set(after.get("required") or [])
    for name in props_a.keys() - props_b.keys():
        result.added.append(ElementChange(name, props_a[name].get("title", name), "field"))
    for name in props_b.keys() - props_a.keys():
        result.removed.append(ElementChange(name, props_b[name].get("title", name), "field"))
    for name in props_b.keys() & props_a.keys():
        old_prop = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in props_b[name].items()}
        new_prop = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in props_a[name].items()}
        old_prop["required"], new_prop["required"] = str(name in req_b), str(name in req_a)
        details = _details(old_prop, new_prop)
        if details:
            result.changed.append(ElementChange(name, props_a[name].get("title", name), "field", details))
    for items in (result.added, result.removed, result.changed):
        items.sort(key=lambda c: c.id)
    if result.empty:
        result.status = "same"
    return result


def kind_of(file: str) -> str:
    return {"bpmn": "bpmn", "dmn": "dmn", "json": "form"}.get(file.rsplit(".", 1)[-1], "other")


def diff_bundles(old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Every file of two bundles compared; unchanged files come back with status ``same``."""
    result = []
    for file in sorted(set(old) | set(new)):
        kind = kind_of(file)
        if file not in old:
            result.append(FileDiff(file, kind, "added"))
        elif file not in new:
            result.append(FileDiff(file, kind, "removed"))
        elif old[file] == new[file]:
            result.append(FileDiff(file, kind, "same"))
        elif kind == "form":
            result.append(diff_form(file, old[file], new[file]))
        else:
            try:
                result.append(diff_xml(file, kind, old[file], new[file]))
            except etree.XMLSyntaxError as exc:
                broken = FileDiff(file, kind, "changed")
                broken.changed.append(ElementChange("<file>", file, "file", [f"XML 无法解析: {exc}"]))
                result.append(broken)
    decision_refs.mark_impacts(result, old, new)
    return result
