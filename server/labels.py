"""What a person reads instead of our keys: names of stages, processes, statuses, actions, people
and form fields, in the page's language (issue 10, part 1).

Registered as Jinja filters by :func:`server.formatting.register`. Field titles come from the
form schemas themselves (``forms/`` and every deployed bundle), so a designer who adds a form
gets readable labels without touching Python.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, g, has_app_context
from flask_babel import get_locale, gettext, lazy_gettext, lazy_pgettext
from sqlalchemy import select

from workflows import store
from workflows.commands import start_data

from .action_names import ACTIONS, kept_for_name  # noqa: F401 - labels.ACTIONS, extended by pages

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
    # an annual report (年度报告): its process's step, in words
    "drafting": lazy_gettext("编制中"),
    "approving": lazy_gettext("待审定"),
    "released": lazy_gettext("已发布"),
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
    "annual_selection": "年度评价对象选取 Annual selection",
}

# Names in a process's start data (not declared by any form): declared once, with the data.
START_FIELDS = {name: lazy_gettext(field.title) for name, field in start_data.FIELDS.items()}

# Start-data keys that are the system's own bookkeeping, never shown (the project's facts are shown
# under their names above; the ids and the duplicate amount mean nothing to a reader).
HIDDEN_FIELDS = frozenset({"project_id", "unit_id", "amount"})

ROLE_NAMES = {
    "unit_submitter": lazy_gettext("单位填报人"),
    "unit_head": lazy_gettext("单位负责人"),
    "finance_reviewer": lazy_gettext("财政业务科室"),
    "performance_office": lazy_gettext("绩效科"),
    "expert": lazy_gettext("专家"),
    "third_party": lazy_gettext("第三方机构"),
    "leadership": lazy_gettext("分管领导"),
    "designer": lazy_gettext("流程设计"),
    "admin": lazy_gettext("系统管理员"),
}

FUND_TYPES = {
    "general_public": lazy_gettext("一般公共预算"),
    "government_fund": lazy_gettext("政府性基金预算"),
    "state_capital": lazy_gettext("国有资本经营预算"),
    "social_insurance": lazy_gettext("社会保险基金预算"),
    "poverty_alleviation": lazy_gettext("扶贫（乡村振兴）资金"),
}


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
    """One language per page: a task, event or process name as the BPMN (Chinese) has it in
    zh-CN; in en its English from the message catalogue (``messages.po``, msgid the Chinese
    name), or the English part of an older "中文 English" name."""
    if text is None or text == "":
        return "—"
    zh, en = split_bilingual(str(text))
    if is_zh():
        return zh
    return en if en != zh else gettext(zh)


def form_text(text: Any) -> Any:
    """A form's own words (a field's title, help or choice) in the page's language: forms/*.json
    are written in Chinese; in en the message catalogue gives the English, keyed by the Chinese
    (``tests/unit/test_form_names.py`` keeps every one translated). Anything else passes."""
    if not isinstance(text, str) or not text or is_zh():
        return text
    return gettext(text)


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


PRIORITY_WORDS = ((75, lazy_gettext("高")), (26, lazy_gettext("普通")), (0, lazy_gettext("低")))


def priority_name(priority: int | None) -> str:
    """A task's priority as a word: a BPMN ``priority`` property of 75 or more is 高, 25 or less
    低, anything between (the default 50) 普通."""
    value = 50 if priority is None else int(priority)
    return str(next((word for floor, word in PRIORITY_WORDS if value >= floor), PRIORITY_WORDS[-1][1]))


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


def unit_code(unit_id) -> str:
    """A budget unit's code (``360922-001``) by its id: shown beside its name wherever units are
    listed. One query per request for all units (a county has some 50 to 200)."""
    if not unit_id:
        return ""
    codes = g.get("_unit_codes") if has_app_context() else None
    if codes is None:
        codes = {}
        db = _database()
        if db is not None:
            from workflows.store import BudgetUnit

            with db.reading() as session:
                codes = dict(session.execute(select(BudgetUnit.id, BudgetUnit.code)).all())
        if has_app_context():
            g._unit_codes = codes
    return codes.get(int(unit_id), "")


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


def role_name(role: str | None) -> str:
    return str(ROLE_NAMES.get(role or "", role or "—"))


def fund_name(fund: str | None) -> str:
    return str(FUND_TYPES.get(fund or "", fund or "—"))


# 计量单位: the units an indicator table's unit column usually holds, in the page's language (the
# stored value stays Chinese); the message catalogue keys them under the context "计量单位" (个 the
# unit is not 个 the count). A unit not listed is shown as typed.
UNIT_NAMES = {
    "公里": lazy_pgettext("计量单位", "公里"),
    "万吨": lazy_pgettext("计量单位", "万吨"),
    "万吨/日": lazy_pgettext("计量单位", "万吨/日"),
    "吨": lazy_pgettext("计量单位", "吨"),
    "公斤": lazy_pgettext("计量单位", "公斤"),
    "万人次": lazy_pgettext("计量单位", "万人次"),
    "人次": lazy_pgettext("计量单位", "人次"),
    "人": lazy_pgettext("计量单位", "人"),
    "户": lazy_pgettext("计量单位", "户"),
    "家": lazy_pgettext("计量单位", "家"),
    "万元": lazy_pgettext("计量单位", "万元"),
    "元": lazy_pgettext("计量单位", "元"),
    "元/吨": lazy_pgettext("计量单位", "元/吨"),
    "元/平方米": lazy_pgettext("计量单位", "元/平方米"),
    "平方米": lazy_pgettext("计量单位", "平方米"),
    "万平方米": lazy_pgettext("计量单位", "万平方米"),
    "亩": lazy_pgettext("计量单位", "亩"),
    "万条": lazy_pgettext("计量单位", "万条"),
    "个": lazy_pgettext("计量单位", "个"),
    "件": lazy_pgettext("计量单位", "件"),
    "套": lazy_pgettext("计量单位", "套"),
    "处": lazy_pgettext("计量单位", "处"),
    "场": lazy_pgettext("计量单位", "场"),
    "项": lazy_pgettext("计量单位", "项"),
    "次": lazy_pgettext("计量单位", "次"),
    "年": lazy_pgettext("计量单位", "年"),
    "月": lazy_pgettext("计量单位", "月"),
    "天": lazy_pgettext("计量单位", "天"),
    "小时": lazy_pgettext("计量单位", "小时"),
    "分钟": lazy_pgettext("计量单位", "分钟"),
}


def unit_text(unit: Any) -> Any:
    if isinstance(unit, str) and unit in UNIT_NAMES and not is_zh():
        return str(UNIT_NAMES[unit])
    return unit


SELECTION_CATEGORIES = {
    "dept_eval": lazy_gettext("部门评价"),
    "expert_review": lazy_gettext("专家评审"),
    "third_party": lazy_gettext("第三方重点评价"),
    "key_monitoring": lazy_gettext("财政重点监控"),
    "spot_check": lazy_gettext("真实性抽查样本"),
}


def selection_category(category: str | None) -> str:
    return _lookup(SELECTION_CATEGORIES, category)


FILTERS = {
    "selection_category": selection_category,
    "local_name": local_name,
    "stage_name": stage_name,
    "grade_name": grade_name,
    "status_name": status_name,
    "action_name": action_name,
    "kept_for_name": kept_for_name,
    "timer_kind": timer_kind,
    "process_name": process_name,
    "person_name": person_name,
    "unit_code": unit_code,
    "task_titles": task_titles,
    "role_name": role_name,
    "fund_name": fund_name,
    "priority_name": priority_name,
    "form_text": form_text,
}


def register(app) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
    app.add_template_global(store.FUND_TYPES, "fund_types")  # the select of every project form
