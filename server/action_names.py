"""The audit log's actions as a person reads them (history timeline, audit-log page).

Pages that add actions of their own extend :data:`ACTIONS` at import (``labels.ACTIONS``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext

ACTIONS = {
    "instance.started": lazy_gettext("发起流程"),
    "spot_check.started": lazy_gettext("发起真实性核查"),
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
    "task.workbook_imported": lazy_gettext("从 Excel 导入表单"),
    "timer.fired": lazy_gettext("到期提醒"),
    "engine.step": lazy_gettext("自动环节"),
    "message.correlated": lazy_gettext("收到消息"),
    "panel.drawn": lazy_gettext("抽取专家组"),
    "panel.member_replaced": lazy_gettext("专家已更换"),
    "instance.migrated": lazy_gettext("迁移到新版本"),
    "incident.opened": lazy_gettext("出现异常"),
    "incident.resolved": lazy_gettext("异常已处理"),
    "comment.added": lazy_gettext("发表意见"),
    "attachment.uploaded": lazy_gettext("上传附件"),
    "project.created": lazy_gettext("创建项目"),
    "targets.approved": lazy_gettext("绩效目标批复（第1版）"),
    "process.deployed": lazy_gettext("部署流程"),
    "notification.sent": lazy_gettext("发送通知"),
    "notification.read": lazy_gettext("阅读通知"),
    "user.created": lazy_gettext("创建用户"),
    "user.logged_in": lazy_gettext("登录"),
    "filter.saved": lazy_gettext("保存筛选"),
    "filter.deleted": lazy_gettext("删除筛选"),
    "api_token.issued": lazy_gettext("签发接口令牌"),
    "selection.saved": lazy_gettext("保存年度选取"),
    "selection.drawn": lazy_gettext("随机抽取抽查样本"),
    "selection.redrawn": lazy_gettext("重新抽取抽查样本"),
    "selection.confirmed": lazy_gettext("确认年度选取"),
    # the rest of what the audit log records, for the 审计日志 page (every action named)
    "accountability.recorded": lazy_gettext("记录问责"),
    "assessment.cycle_opened": lazy_gettext("单位考核开始"),
    "audit.verified": lazy_gettext("全面核验审计链"),
    "assessment.published": lazy_gettext("单位考核通报"),
    "disclosure.published": lazy_gettext("信息公开"),
    "draft.discarded": lazy_gettext("放弃设计草稿"),
    "draft.file_deleted": lazy_gettext("删除草稿文件"),
    "draft.imported": lazy_gettext("导入设计草稿"),
    "draft.opened": lazy_gettext("打开设计草稿"),
    "draft.saved": lazy_gettext("保存设计草稿"),
    "expert.added": lazy_gettext("添加专家"),
    "expert.updated": lazy_gettext("修改专家信息"),
    "export.requested": lazy_gettext("申请导出"),
    "export.written": lazy_gettext("导出完成"),
    "fiscal_year.opened": lazy_gettext("开启预算年度"),
    "login.locked": lazy_gettext("登录锁定"),
    "office.saved": lazy_gettext("保存业务科室"),
    "score_table.confirmed": lazy_gettext("确认打分表"),
    "spot_check.decided": lazy_gettext("核查结论"),
    "spot_check.overdue": lazy_gettext("核查逾期"),
    "spot_check.veto_applied": lazy_gettext("一票否决"),
    "targets.republished": lazy_gettext("绩效目标重新公开"),
    "third_party.admitted": lazy_gettext("第三方机构入库"),
    "third_party.blacklisted": lazy_gettext("第三方机构列入黑名单"),
    "third_party.engaged": lazy_gettext("委托第三方机构"),
    "third_party.member_added": lazy_gettext("添加第三方机构人员"),
    "unit.created": lazy_gettext("创建预算单位"),
    "unit.renamed": lazy_gettext("修改单位名称"),
    "user.office_set": lazy_gettext("设置业务科室"),
    "user.password_changed": lazy_gettext("修改密码"),
    "user.password_reset": lazy_gettext("重置密码"),
    "user.updated": lazy_gettext("修改用户"),
}

# what a draft was saved with when the person pressed something else (commands.KEPT_FOR)
KEPT_FOR = {
    "upload": lazy_gettext("上传附件时自动保存"),
    "comment": lazy_gettext("发表意见时自动保存"),
    "submit": lazy_gettext("提交未通过时自动保存"),
}


def kept_for_name(kept_for: str | None) -> str:
    return str(KEPT_FOR.get(kept_for, kept_for or "—"))
