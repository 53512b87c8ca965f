// The BPMN modeler and its properties panel in Chinese (issue 10: no English in the zh-CN UI).
// bpmn-js asks a "translate" service for every label it shows; this one answers from the table
// below and leaves what it does not know as it is. Loaded only on a zh-CN page.
(function () {
  var zh = {
    // palette
    "Activate hand tool": "抓手工具（拖动画布）",
    "Activate lasso tool": "套索工具（框选）",
    "Activate create/remove space tool": "插入/删除空白",
    "Activate global connect tool": "连线工具",
    "Create start event": "添加开始事件",
    "Create intermediate/boundary event": "添加中间/边界事件",
    "Create end event": "添加结束事件",
    "Create gateway": "添加网关",
    "Create task": "添加任务",
    "Create data object reference": "添加数据对象",
    "Create data store reference": "添加数据存储",
    "Create expanded sub-process": "添加展开的子流程",
    "Create pool/participant": "添加泳池/参与者",
    "Create group": "添加分组",
    // context pad and menus
    "Append end event": "追加结束事件",
    "Append gateway": "追加网关",
    "Append task": "追加任务",
    "Append intermediate/boundary event": "追加中间/边界事件",
    "Append {type}": "追加{type}",
    "Add text annotation": "添加注释",
    "Change element": "更改类型",
    "Change type": "更改类型",
    "Connect to other element": "连接到其他元素",
    "Connect using association": "用关联连接",
    "Connect using sequence/message flow or association": "用顺序流/消息流或关联连接",
    "Connect using data input association": "用数据输入关联连接",
    "Delete": "删除",
    "Add lane above": "在上方添加泳道",
    "Add lane below": "在下方添加泳道",
    "Divide into two lanes": "拆分为两条泳道",
    "Divide into three lanes": "拆分为三条泳道",
    "Search in diagram": "在图中搜索",
    "Open pop-up editor": "在弹出窗口中编辑",
    "Toggle section": "展开/收起",
    "Section contains edits": "此部分有改动",
    "Section contains an error": "此部分有错误",
    // element types (the panel's header, the change-type menu)
    "Start Event": "开始事件",
    "End Event": "结束事件",
    "Intermediate Throw Event": "中间抛出事件",
    "Intermediate Catch Event": "中间捕获事件",
    "Boundary Event": "边界事件",
    "Timer Start Event": "定时开始事件",
    "Timer Boundary Event": "定时边界事件",
    "Timer Intermediate Catch Event": "定时中间事件",
    "Message Start Event": "消息开始事件",
    "Message Intermediate Catch Event": "消息中间事件",
    "Message End Event": "消息结束事件",
    "Error End Event": "错误结束事件",
    "Error Boundary Event": "错误边界事件",
    "Task": "任务",
    "User Task": "用户任务",
    "Service Task": "服务任务",
    "Script Task": "脚本任务",
    "Business Rule Task": "业务规则任务",
    "Manual Task": "手工任务",
    "Send Task": "发送任务",
    "Receive Task": "接收任务",
    "Call Activity": "调用活动",
    "Sub Process": "子流程",
    "Sub Process (collapsed)": "子流程（折叠）",
    "Sub Process (expanded)": "子流程（展开）",
    "Event Sub Process": "事件子流程",
    "Transaction": "事务",
    "Exclusive Gateway": "排他网关",
    "Parallel Gateway": "并行网关",
    "Inclusive Gateway": "包容网关",
    "Event Based Gateway": "事件网关",
    "Complex Gateway": "复杂网关",
    "Sequence Flow": "顺序流",
    "Message Flow": "消息流",
    "Association": "关联",
    "Data Object Reference": "数据对象",
    "Data Store Reference": "数据存储",
    "Participant": "参与者",
    "Lane": "泳道",
    "Group": "分组",
    "Text Annotation": "注释",
    "Process": "流程",
    "Collaboration": "协作",
    // properties panel (the generic BPMN groups the designer uses)
    "General": "常规",
    "Name": "名称",
    "ID": "标识",
    "Documentation": "说明",
    "Element documentation": "元素说明",
    "Process documentation": "流程说明",
    "Executable": "可执行",
    "Version tag": "版本标签",
    "Condition": "条件",
    "Condition expression": "条件表达式",
    "Condition Expression": "条件表达式",
    "Expression": "表达式",
    "Timer": "定时",
    "Type": "类型",
    "Value": "值",
    "Date": "日期",
    "Duration": "时长",
    "Cycle": "周期",
    "Message": "消息",
    "Global message reference": "全局消息",
    "Signal": "信号",
    "Global signal reference": "全局信号",
    "Error": "错误",
    "Global error reference": "全局错误",
    "Escalation": "升级",
    "Global escalation reference": "全局升级",
    "Code": "代码",
    "Link": "链接",
    "Compensation": "补偿",
    "Multi-instance": "多实例",
    "Loop cardinality": "循环次数",
    "Completion condition": "完成条件",
    "Data object": "数据对象",
    "Data store": "数据存储",
    "Called element": "被调用的流程",
    "Create new ...": "新建…",
    "<none>": "（无）",
    "<empty>": "（空）",
    "Create": "新建",
    "Extension properties": "扩展属性",
    "Inputs": "输入",
    "Outputs": "输出",
    "Script": "脚本",
    "Format": "格式",
    "Implementation": "实现",
    "Candidate groups": "候选组",
    "Assignee": "办理人",
    "Due date": "截止日期",
    "Priority": "优先级",
    "ID must be unique.": "标识必须唯一。",
    "ID must not be empty.": "标识不能为空。",
    "ID must not contain spaces.": "标识不能包含空格。",
    "ID must be a valid QName.": "标识必须是有效的限定名（QName）。",
    "ID must not contain prefix.": "标识不能带前缀。"
  };

  function translate(template, replacements) {
    replacements = replacements || {};
    return (zh[template] || template).replace(/{([^}]+)}/g, function (all, key) {
      var value = replacements[key];
      return value === undefined ? all : (zh[value] || value);
    });
  }

  // a few tooltips of the properties panel do not go through the translate service
  function translateTitles(node) {
    node.querySelectorAll("[title]").forEach(function (e) {
      if (zh[e.title]) { e.title = zh[e.title]; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var props = document.getElementById("props");
    if (!props) { return; }
    new MutationObserver(function () { translateTitles(props); })
      .observe(props, { subtree: true, childList: true, attributes: true, attributeFilter: ["title"] });
  });

  window.JixiaoDesignerZh = { zh: zh, module: { translate: ["value", translate] } };
})();
