"""The designer pages' words for what the engine and the comparison name by key (issue 13):
element kinds in Chinese, processes by name, instances by business key and project."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from workflows.queries import designer as views

from .labels import local_name

ELEMENT_KINDS = {
    "process": lazy_gettext("流程"),
    "laneSet": lazy_gettext("泳道组"),
    "lane": lazy_gettext("泳道"),
    "startEvent": lazy_gettext("开始事件"),
    "endEvent": lazy_gettext("结束事件"),
    "intermediateCatchEvent": lazy_gettext("中间事件"),
    "intermediateThrowEvent": lazy_gettext("中间抛出事件"),
    "boundaryEvent": lazy_gettext("边界事件"),
    "userTask": lazy_gettext("用户任务"),
    "scriptTask": lazy_gettext("脚本任务"),
    "serviceTask": lazy_gettext("服务任务"),
    "manualTask": lazy_gettext("手工任务"),
    "task": lazy_gettext("任务"),
    "businessRuleTask": lazy_gettext("业务规则任务"),
    "callActivity": lazy_gettext("调用子流程"),
    "subProcess": lazy_gettext("子流程"),
    "exclusiveGateway": lazy_gettext("排他网关"),
    "parallelGateway": lazy_gettext("并行网关"),
    "inclusiveGateway": lazy_gettext("包容网关"),
    "eventBasedGateway": lazy_gettext("事件网关"),
    "sequenceFlow": lazy_gettext("连线"),
    "messageFlow": lazy_gettext("消息流"),
    "message": lazy_gettext("消息"),
    "signal": lazy_gettext("信号"),
    "error": lazy_gettext("错误"),
    "escalation": lazy_gettext("升级"),
    "dataObject": lazy_gettext("数据对象"),
    "dataObjectReference": lazy_gettext("数据对象"),
    "textAnnotation": lazy_gettext("注释"),
    "association": lazy_gettext("关联"),
    "multiInstanceLoopCharacteristics": lazy_gettext("多实例"),
    "decision": lazy_gettext("决策"),
    "decisionTable": lazy_gettext("决策表"),
    "input": lazy_gettext("输入列"),
    "output": lazy_gettext("输出列"),
    "rule": lazy_gettext("决策规则"),
    "field": lazy_gettext("表单字段"),
    "file": lazy_gettext("文件"),
}


def element_kind(kind: str) -> str:
    return str(ELEMENT_KINDS.get(kind, kind))


def process_names(session) -> dict[str, str]:
    """process id → its name as the page shows it."""
    return {row.process_id: local_name(row.name) for row in views.catalog(session)}


def deployed_message(session, created: dict[str, int]) -> str:
    """已发布新版本：事前绩效评估 v2、项目全周期 v2 (by name, not by id)."""
    if not created:
        return _("已发布新版本：%(created)s", created=_("无流程变化"))
    names = process_names(session)
    shown = "、".join(f"{names.get(pid, pid)} v{v}" for pid, v in sorted(created.items()))
    return _("已发布新版本：%(created)s", created=shown)
