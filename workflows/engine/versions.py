"""Comparing two bundles (issue 13, item 5): BPMN elements, DMN rows, form fields.

Elements are matched by id and compared by what the engine reads from them: their
attributes, expressions, scripts, timer definitions and extension properties. Diagram
layout (BPMN DI) is ignored: moving a shape is not a change of the process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree

from . import decision_refs
from .bundle_xml import elements as _elements


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
    _mark_impacts(result, old, new)
    return result


def _mark_impacts(diffs: list[FileDiff], old: dict[str, str], new: dict[str, str]) -> None:
    """A DMN-only change: each business-rule task reading a changed decision is marked changed."""
    by_file = {d.file: d for d in diffs}
    for file, task_id, name, decision in decision_refs.impacts(old, new):
        diff = by_file.get(file)
        if diff is None:
            diff = by_file[file] = FileDiff(file, "bpmn", "changed")
            diffs.append(diff)
        if diff.status in ("added", "removed") or any(c.id == task_id for c in diff.added):
            continue  # a new file or a new task is shown as such already
        diff.status = "changed"
        entry = next((c for c in diff.changed if c.id == task_id), None)
        if entry is None:
            diff.changed.append(
                ElementChange(task_id, name, "businessRuleTask", [decision_refs.impact_text(decision)])
            )
        else:
            entry.details.append(decision_refs.impact_text(decision))
    diffs.sort(key=lambda d: d.file)
