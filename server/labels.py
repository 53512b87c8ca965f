"""What a person reads instead of our keys: names of stages, processes, statuses, actions, people
and form fields, in the page's language (issue 10, part 1).

Registered as Jinja filters by :func:`server.formatting.register`. Field titles come from the
form schemas themselves (``forms/`` and every deployed bundle), so a designer who adds a form
gets readable labels without touching Python.
"""

from __future__ import annotations

import html
import json
import re
import threading
from typing import Any

from flask import current_app, g, has_app_context
from flask_babel import get_locale, lazy_gettext
from sqlalchemy import select

from workflows.config import settings

# --- names of things -------------------------------------------------------------

STAGES = {
    "created": lazy_gettext("已创建"),
    "ex_ante": lazy_gettext("事前绩效评估"),
    "not_budgeted": lazy_gettext("未纳入预算"),
    "targets": lazy_gettext("绩效目标审核"),
    "budgeted": lazy_gettext("已纳入预算"),
    "monitoring": lazy_gettext("绩效运行监控"),
    "monitoring_report": lazy_gettext("监控情况填报"),
    "rectification": lazy_gettext("整改"),
    "evaluation": lazy_gettext("绩效评价"),
    "results": lazy_gettext("评价结果应用"),
    "results_applied": lazy_gettext("结果已应用"),
    "closed": lazy_gettext("已办结"),
}

# Grade bands (DOMAIN 7), and the dashboard's "not graded yet".
GRADES = {
    "优": lazy_gettext("优"),
    "良": lazy_gettext("良"),
    "中": lazy_gettext("中"),
    "差": lazy_gettext("差"),
    "none": lazy_gettext("未评价"),
}

STATUSES = {
    "open": lazy_gettext("办理中"),
    "running": lazy_gettext("进行中"),
    "completed": lazy_gettext("已完成"),
    "cancelled": lazy_gettext("已取消"),
    "error": lazy_gettext("异常"),
    "suspended": lazy_gettext("已暂停"),
}

ACTIONS = {
    "instance.started": lazy_gettext("发起流程"),
    "instance.completed": lazy_gettext("流程结束"),
    "instance.cancelled": lazy_gettext("流程取消"),
    "task.created": lazy_gettext("待办生成"),
    "task.completed": lazy_gettext("提交"),
    "task.claimed": lazy_gettext("认领"),
    "task.unclaimed": lazy_gettext("放弃认领"),
    "task.assigned": lazy_gettext("转交"),
    "task.delegated": lazy_gettext("委托"),
    "task.handed_back": lazy_gettext("交回委托人"),
    "task.cancelled": lazy_gettext("待办取消"),
    "task.draft_saved": lazy_gettext("保存草稿"),
    "timer.fired": lazy_gettext("到期提醒"),
    "message.correlated": lazy_gettext("收到消息"),
    "incident.opened": lazy_gettext("出现异常"),
    "incident.resolved": lazy_gettext("异常已处理"),
    "comment.added": lazy_gettext("发表意见"),
    "attachment.uploaded": lazy_gettext("上传附件"),
    "project.created": lazy_gettext("创建项目"),
    "process.deployed": lazy_gettext("部署流程"),
    "notification.sent": lazy_gettext("发送通知"),
    "notification.read": lazy_gettext("阅读通知"),
    "user.created": lazy_gettext("创建用户"),
    "user.logged_in": lazy_gettext("登录"),
    "filter.saved": lazy_gettext("保存筛选"),
    "filter.deleted": lazy_gettext("删除筛选"),
    "api_token.issued": lazy_gettext("签发接口令牌"),
}

TIMER_KINDS = {
    "boundary": lazy_gettext("办理期限"),
    "intermediate": lazy_gettext("定时节点"),
    "start": lazy_gettext("定时启动"),
    "deadline": lazy_gettext("办理期限"),
}

# Process ids the BPMN names carry as "中文 English"; unknown ids fall back to the deployed name.
PROCESSES = {
    "project_lifecycle": "项目预算绩效全过程 Project lifecycle",
    "ex_ante_assessment": "事前绩效评估 Ex-ante assessment",
    "target_review": "绩效目标审核 Target review",
    "monitoring_round": "绩效监控 Monitoring round",
    "rectification": "整改 Rectification",
    "evaluation": "绩效评价 Evaluation",
    "results_application": "结果应用 Results application",
    "demo_deadline": "演示：填报期限 Demo: a deadline minutes away",
}

# Names in a process's start data (not declared by any form).
START_FIELDS = {
    "amount_wan": lazy_gettext("项目金额（万元）"),
    "fiscal_year": lazy_gettext("年度"),
    "project_name": lazy_gettext("项目名称"),
    "project_code": lazy_gettext("项目编码"),
    "is_new": lazy_gettext("新增项目"),
    "is_major": lazy_gettext("重大项目"),
    "is_specialised": lazy_gettext("专业性项目"),
    "experts": lazy_gettext("评审专家"),
    "deadline_minutes": lazy_gettext("期限（分钟）"),
    "fund_type": lazy_gettext("资金类型"),
    "unit_id": lazy_gettext("单位"),
}

# Start-data keys that are the system's own bookkeeping, never shown (the project's facts are shown
# under their names above; the ids and the duplicate amount mean nothing to a reader).
HIDDEN_FIELDS = frozenset({"project_id", "unit_id", "amount"})

# Accounts that are not people: the demo loader and the scheduler act under these names.
SYSTEM_ACTORS = {
    "demo": lazy_gettext("演示数据"),
    "scheduler": lazy_gettext("系统定时任务"),
    "system": lazy_gettext("系统"),
    "api": lazy_gettext("接口"),
}


def is_zh() -> bool:
    return str(get_locale() or "zh_CN").startswith("zh")


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_SPLIT = re.compile(
    r"^(?P<zh>.*[\u3000-\u303f\u3400-\u9fff\uff00-\uffef）)])\s+(?P<en>[A-Za-z][\x20-\x7e]*)$"
)


def split_bilingual(text: str) -> tuple[str, str]:
    """``"财政审核绩效目标 Review targets"`` → ``("财政审核绩效目标", "Review targets")``.

    A name without an English tail is returned as both parts.
    """
    text = (text or "").strip()
    match = _SPLIT.match(text)
    if not match:
        return text, text
    return match.group("zh").strip(), match.group("en").strip()


def local_name(text: Any) -> str:
    """One language per page: the Chinese part in zh-CN, the English part in en."""
    if text is None or text == "":
        return "—"
    zh, en = split_bilingual(str(text))
    return zh if is_zh() else en


def _lookup(table: dict, key: Any) -> str:
    if key is None or key == "":
        return "—"
    return str(table.get(key, key))


def stage_name(stage: str | None) -> str:
    return _lookup(STAGES, stage)


def grade_name(grade: str | None) -> str:
    return _lookup(GRADES, grade)


def status_name(status: str | None) -> str:
    return _lookup(STATUSES, status)


def action_name(action: str | None) -> str:
    return _lookup(ACTIONS, action)


def timer_kind(kind: str | None) -> str:
    return _lookup(TIMER_KINDS, kind)


def process_name(process_id: str | None) -> str:
    if not process_id:
        return "—"
    known = PROCESSES.get(process_id) or _deployed_process_names().get(process_id)
    return local_name(known) if known else process_id


def _database():
    return current_app.extensions.get("jixiao_db") if has_app_context() else None


def _deployed_process_names() -> dict[str, str]:
    cache = g.setdefault("_process_names", None) if has_app_context() else None
    if cache is not None:
        return cache
    names: dict[str, str] = {}
    db = _database()
    if db is not None:
        from workflows.store import ProcessDefinition

        with db.reading() as session:
            for pid, name, _version in session.execute(
                select(
                    ProcessDefinition.process_id, ProcessDefinition.name, ProcessDefinition.version
                ).order_by(ProcessDefinition.version)
            ):
                names[pid] = name
    if has_app_context():
        g._process_names = names
    return names


def person_name(username: str | None) -> str:
    """A person's display name; demo and system accounts by what they stand for."""
    if not username:
        return "—"
    if username in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[username])
    if username.startswith("demo."):
        from .formatting import role_name

        return f"{role_name(username[5:])}（{SYSTEM_ACTORS['demo']}）"
    names = _display_names()
    if username not in names:
        names[username] = _load_display_name(username)
    return names[username] or username


def _display_names() -> dict[str, str | None]:
    if not has_app_context():
        return {}
    if "_display_names" not in g:
        g._display_names = {}
    return g._display_names


def _load_display_name(username: str) -> str | None:
    db = _database()
    if db is None:
        return None
    from workflows.store import User

    with db.reading() as session:
        return session.scalar(select(User.display_name).where(User.username == username))


def task_titles(instance_id: int) -> dict[str, str]:
    """Titles of an instance's human tasks by task id (the audit log carries only the id)."""
    if has_app_context():
        cache = g.setdefault("_task_titles", {})
        if instance_id in cache:
            return cache[instance_id]
    db = _database()
    titles: dict[str, str] = {}
    if db is not None:
        from workflows.store import HumanTask

        with db.reading() as session:
            titles = {
                str(task_id): title
                for task_id, title in session.execute(
                    select(HumanTask.id, HumanTask.title).where(HumanTask.instance_id == instance_id)
                )
            }
    if has_app_context():
        g._task_titles[instance_id] = titles
    return titles


# --- form fields: titles, order, values ------------------------------------------------

_forms_lock = threading.Lock()
_forms: dict[str, dict] = {}  # source (file path or "deployment:<id>:<file>") -> schema
_element_names: dict[str, str] = {}  # BPMN element id -> its name, from every deployed bundle
_ELEMENT = re.compile(r'<(?:\w+:)?\w+\b[^>]*?\bid="([^"]+)"[^>]*?\bname="([^"]+)"')
_seen_deployments: set[str] = set()  # content hashes: ids repeat across databases
_files_loaded = False


def _is_form(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("properties"), dict)


def _load_form_files() -> None:
    global _files_loaded
    if _files_loaded:
        return
    forms_dir = settings().forms_dir
    if forms_dir.is_dir():
        for path in sorted(forms_dir.glob("*.json")):
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if _is_form(schema):
                _forms[str(path)] = schema
    _files_loaded = True


def _load_deployed_forms() -> None:
    """Forms of every deployment not read yet (deployments are immutable: read once)."""
    db = _database()
    if db is None or (has_app_context() and g.get("_deployments_checked")):
        return
    from workflows.store import Deployment

    with db.reading() as session:
        hashes = set(session.scalars(select(Deployment.content_hash))) - _seen_deployments
        new = session.scalars(select(Deployment).where(Deployment.content_hash.in_(hashes))) if hashes else ()
        for deployment in new:
            for name, text in (deployment.files or {}).items():
                if name.endswith(".bpmn"):
                    for element_id, element_name in _ELEMENT.findall(text):
                        _element_names.setdefault(element_id, html.unescape(element_name))
                if not name.endswith(".json"):
                    continue
                try:
                    schema = json.loads(text)
                except ValueError:
                    continue
                if _is_form(schema):
                    _forms[f"deployment:{deployment.content_hash}:{name}"] = schema
            _seen_deployments.add(deployment.content_hash)
    if has_app_context():
        g._deployments_checked = True


def known_forms() -> list[dict]:
    with _forms_lock:
        _load_form_files()
        _load_deployed_forms()
        return list(_forms.values())


def form_for(data: dict) -> dict | None:
    """The form whose fields best cover ``data``'s keys (ties: the one with fewer extra fields)."""
    keys = set(data)
    best, best_score = None, (0, 0)
    for schema in known_forms():
        props = set(schema["properties"])
        score = (len(keys & props), -len(props - keys))
        if score > best_score:
            best, best_score = schema, score
    return best


def field_title(key: str, schema: dict | None = None) -> str:
    """A field's title from ``schema``, else from any known form, else from the start-data names."""
    for form in ([schema] if schema else []) + known_forms():
        prop = (form.get("properties") or {}).get(key)
        if isinstance(prop, dict) and prop.get("title"):
            return str(prop["title"])
    if key in START_FIELDS:
        return str(START_FIELDS[key])
    return key


PEOPLE_FIELDS = {"experts", "assignee", "delegate", "delegator"}


def _display_value(value: Any, prop: dict, key: str = "") -> Any:
    if isinstance(value, bool):
        return str(lazy_gettext("是")) if value else str(lazy_gettext("否"))
    if value is None or value == "":
        return "—"
    if "oneOf" in prop:
        for option in prop["oneOf"]:
            if isinstance(option, dict) and option.get("const") == value and option.get("title"):
                return option["title"]
    names = prop.get("x-enumNames") or prop.get("enumNames")
    if names and value in (prop.get("enum") or []):
        index = prop["enum"].index(value)
        if index < len(names):
            return names[index]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "、".join(str(person_name(v) if key in PEOPLE_FIELDS else v) for v in value)
    if key in PEOPLE_FIELDS and isinstance(value, str):
        return person_name(value)
    if key == "fund_type" and isinstance(value, str):
        from .formatting import fund_name  # formatting registers these filters; imported late

        return fund_name(value)
    return value


def readable_fields(data: dict | None, schema: dict | None = None) -> list[dict]:
    """``{key: value}`` as a list of ``{label, value}`` or ``{label, columns, rows}`` in form order.

    ``schema`` when the caller knows the form; otherwise the best-matching known form. Keys no
    form declares come last under their start-data names.
    """
    if not data:
        return []
    schema = schema if _is_form(schema) else form_for(data)
    props = (schema or {}).get("properties") or {}
    ordered = [k for k in props if k in data] + sorted(
        k for k in data if k not in props and k not in HIDDEN_FIELDS
    )
    result = []
    for key in ordered:
        value = data[key]
        prop = props.get(key) or {}
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            item_props = ((prop.get("items") or {}).get("properties")) or {}
            seen = [c for c in item_props if any(c in row for row in value)]
            extra = sorted({c for row in value for c in row} - set(item_props))
            columns = [
                {"key": c, "label": (item_props.get(c) or {}).get("title") or field_title(c)}
                for c in seen + extra
            ]
            rows = [
                [_display_value(row.get(c["key"]), item_props.get(c["key"]) or {}) for c in columns]
                for row in value
            ]
            result.append(
                {"key": key, "label": prop.get("title") or field_title(key), "columns": columns, "rows": rows}
            )
        else:
            result.append(
                {
                    "key": key,
                    "label": prop.get("title") or field_title(key),
                    "value": _display_value(value, prop, key),
                }
            )
    return result


def form_title(data: dict | None) -> str | None:
    schema = form_for(data or {})
    return local_name(schema.get("title")) if schema and schema.get("title") else None


def element_name(element_id: str | None) -> str:
    """A BPMN element's name (a timer, a step) by its id, in the page's language."""
    if not element_id:
        return "—"
    known_forms()  # loads the deployed bundles, names included
    name = _element_names.get(element_id)
    return local_name(name) if name else element_id


FILTERS = {
    "element_name": element_name,
    "local_name": local_name,
    "stage_name": stage_name,
    "grade_name": grade_name,
    "status_name": status_name,
    "action_name": action_name,
    "timer_kind": timer_kind,
    "process_name": process_name,
    "person_name": person_name,
    "readable_fields": readable_fields,
    "field_title": field_title,
    "task_titles": task_titles,
}


# --- returns -------------------------------------------------------------------------

# Decisions that send a submission back (DOMAIN 3.2 R-TG-2 退回调整, 3.3 R-MN-3, rectification).
RETURN_VALUES = {"退回", "退回调整", "退回修改", "退回整改", "不通过"}


def return_notice(decisions: list[dict] | None) -> dict | None:
    """The last earlier decision, when it returned the work: who, when, and the reason they gave.

    ``decisions`` are the task page's earlier steps (oldest first); only the latest one counts,
    so a return that was since resubmitted and approved shows no banner.
    """
    if not decisions:
        return None
    last = decisions[-1]
    data = last.get("data") or {}
    verdicts = [v for v in data.values() if isinstance(v, str) and v in RETURN_VALUES]
    if not verdicts:
        return None
    reasons = [
        str(v)
        for k, v in data.items()
        if isinstance(v, str)
        and v
        and v not in RETURN_VALUES
        and k.endswith(("comment", "opinion", "reason"))
    ]
    return {
        "title": local_name(last.get("title")),
        "actor": person_name(last.get("actor")),
        "at": last.get("at"),
        "verdict": verdicts[0],
        "reason": "；".join(reasons),
    }


FILTERS["return_notice"] = return_notice


def diagram_labels() -> dict:
    """What the diagram script needs to relabel a BPMN file: role names for lanes, the language."""
    from .formatting import ROLE_NAMES

    return {"lang": "zh" if is_zh() else "en", "roles": {k: str(v) for k, v in ROLE_NAMES.items()}}


def iso_datetime(value) -> str:
    """An ISO timestamp kept as text in the audit log (``2026-05-31T18:00:00+08:00``), readable."""
    from datetime import datetime

    from .formatting import cn_datetime

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return cn_datetime(value)


FILTERS["iso_datetime"] = iso_datetime
