// The designer's workbench (issue 13): one file of the draft open in bpmn-js, dmn-js or a
// JSON textarea; autosave to the server, lint after each save, errors pinned on elements,
// deploy enabled only while nothing is wrong. The bpmn.io watermark stays visible.
(function () {
  "use strict";
  var root = document.getElementById("workbench");
  if (!root) { return; }
  var file = root.dataset.file, kind = root.dataset.kind;
  var csrf = root.dataset.csrf;
  // the modeler's own labels in Chinese on a zh-CN page (designer-zh.js)
  var ZH = document.documentElement.lang === "zh-CN" ? window.JixiaoDesignerZh : null;
  var lockVersion = parseInt(root.dataset.lockVersion, 10);
  var saveState = document.getElementById("save-state");
  var lintState = document.getElementById("lint-state");
  var deployButton = document.getElementById("deploy");
  var lintList = document.getElementById("lint-list");
  var editor = null;          // {text(): Promise<string>, mark(errors)}
  var lastSaved = null, saving = false, dirty = false, lintErrors = null;

  // --- the spiffworkflow extension elements our engine reads (moddle descriptor) -----------
  var SPIFF = {
    name: "SpiffWorkflow", uri: "http://spiffworkflow.org/bpmn/schema/1.0/core", prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    types: [
      { name: "Properties", superClass: ["Element"], properties: [{ name: "values", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"], properties: [
        { name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
      { name: "CalledDecisionId", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
      { name: "InstructionsForEndUser", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] }
    ]
  };
  var ROLES = ["unit_submitter", "unit_head", "finance_reviewer", "performance_office", "expert", "third_party", "leadership"];
  var ROLE_NAMES = JSON.parse(root.dataset.labels || "{}").roles || {}, VIEW = window.JixiaoDesignerView;

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRFToken": csrf, "Accept": "application/json" }, options.headers || {});
    return fetch(url, options).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) { throw body; } return body; });
    });
  }

  function setState(el, text, cls) { el.textContent = text; el.className = "state " + (cls || ""); }

  function refreshDeploy() {
    var ok = lintErrors !== null && lintErrors.length === 0 && !dirty && !saving;
    deployButton.disabled = !ok;
    deployButton.title = ok ? "" : (lintErrors && lintErrors.length ? "存在 " + lintErrors.length + " 个错误，不能发布" : "等待保存与检查");
  }

  // --- save and lint ---------------------------------------------------------------------
  function save() {
    if (!editor || saving) { return Promise.resolve(); }
    return editor.text().then(function (text) {
      if (text === lastSaved) { dirty = false; refreshDeploy(); return; }
      saving = true; dirty = true; refreshDeploy();
      setState(saveState, "保存中…", "busy");
      return api(root.dataset.fileUrl, {
        method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, lock_version: lockVersion })
      }).then(function (body) {
        lockVersion = body.lock_version; lastSaved = text; dirty = false;
        setState(saveState, "已保存 " + new Date().toLocaleTimeString("zh-CN"), "ok");
        return lint();
      }).catch(function (err) {
        var msg = (err && err.message) || "保存失败";
        if (err && err.fields) { msg += "：" + JSON.stringify(err.fields); }
        setState(saveState, msg, "bad");
      }).finally(function () { saving = false; refreshDeploy(); });
    });
  }

  function lint() {
    setState(lintState, "检查中…", "busy");
    return api(root.dataset.lintUrl, { method: "POST" }).then(function (body) {
      lintErrors = body.errors;
      showLint(body.errors);
      if (editor && editor.mark) { editor.mark(body.errors.filter(function (e) { return e.file === file; })); }
      refreshDeploy();
    }).catch(function () { setState(lintState, "检查失败", "bad"); });
  }

  function showLint(errors) {
    lintList.innerHTML = "";
    document.querySelectorAll(".lint-count").forEach(function (el) { el.textContent = ""; });
    if (!errors.length) {
      lintList.innerHTML = '<li class="ok">没有错误，可以发布。</li>';
      setState(lintState, "检查通过 ✓", "ok");
      return;
    }
    setState(lintState, errors.length + " 个错误", "bad");
    var counts = {};
    errors.forEach(function (e) {
      counts[e.file] = (counts[e.file] || 0) + 1;
      var li = document.createElement("li");
      li.dataset.file = e.file; li.dataset.element = e.element || "";
      li.innerHTML = "<code></code><br><span></span>";
      li.querySelector("code").textContent = e.file + (e.element ? " · " + e.element : "");
      li.querySelector("span").textContent = e.message;
      li.addEventListener("click", function () {
        if (e.file !== file) { window.location = root.dataset.workbenchUrl + "?file=" + encodeURIComponent(e.file) + "#" + (e.element || ""); return; }
        if (editor && editor.focus) { editor.focus(e.element); }
      });
      lintList.appendChild(li);
    });
    Object.keys(counts).forEach(function (f) {
      var el = document.querySelector('.lint-count[data-for="' + CSS.escape(f) + '"]');
      if (el) { el.textContent = "✕" + counts[f]; }
    });
  }

  // --- BPMN ------------------------------------------------------------------------------
  function bpmnEditor(xml) {
    var panel = window.BpmnJSPropertiesPanel;
    var modeler = new BpmnJS({
      container: "#canvas",
      keyboard: { bindTo: document },
      propertiesPanel: panel ? { parent: "#props" } : undefined,
      additionalModules: (panel ? [panel.BpmnPropertiesPanelModule, panel.BpmnPropertiesProviderModule] : []).concat(ZH ? [ZH.module] : []),
      moddleExtensions: { spiffworkflow: SPIFF }
    });
    window.jixiaoModeler = modeler;
    // the diagram shows the designer's own names and ids as typed, not words of the page
    document.querySelectorAll("#canvas svg").forEach(function (svg) { svg.setAttribute("translate", "no"); });
    var overlays = modeler.get("overlays"), canvas = modeler.get("canvas"), registry = modeler.get("elementRegistry");
    var marked = [];
    var ed = {
      text: function () { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); },
      mark: function (errors) {
        overlays.remove({ type: "lint" });
        marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "lint-error"); } });
        marked = [];
        errors.forEach(function (e) {
          if (!e.element || !registry.get(e.element)) { return; }
          canvas.addMarker(e.element, "lint-error"); marked.push(e.element);
          var badge = document.createElement("div");
          badge.className = "lint-badge"; badge.title = e.message; badge.textContent = "✕ " + e.message;
          badge.dataset.element = e.element;
          overlays.add(e.element, "lint", { position: { bottom: -4, left: 0 }, html: badge });
        });
      },
      focus: function (id) {
        var el = id && registry.get(id);
        if (!el) { return; }
        modeler.get("selection").select(el);
        canvas.scrollToElement(el);
      }
    };
    modeler.on("commandStack.changed", function () { dirty = true; refreshDeploy(); setState(saveState, "未保存", "busy"); schedule(); });
    modeler.on("selection.changed", function (e) { jixiaoPanel(modeler, e.newSelection[0]); });
    modeler.on("elements.changed", function () {
      var selected = modeler.get("selection").get()[0];
      if (selected && !document.activeElement.closest("#jixiao-props")) { jixiaoPanel(modeler, selected); }
    });
    return modeler.importXML(xml).then(function (result) {
      keepVariableRefs(modeler, result.warnings || []);
      // fitted, the palette clear of the lane headers; lanes read as role names (designer-view.js)
      VIEW.fitClear(canvas, document.getElementById("canvas"));
      VIEW.laneLabels(modeler, ROLE_NAMES);
      if (location.hash.length > 1) { ed.focus(decodeURIComponent(location.hash.slice(1))); }
      root.dataset.ready = "1";
      return ed;
    });
  }

  // SpiffWorkflow reads a multi-instance's loopDataInputRef / loopDataOutputRef as a variable
  // name ("experts"); BPMN calls them references, and bpmn-moddle drops a reference it cannot
  // resolve. Point each at a detached data object with that id so saving writes the name back.
  function keepVariableRefs(modeler, warnings) {
    var moddle = modeler.get("moddle");
    var types = { "bpmn:loopDataInputRef": "bpmn:DataInput", "bpmn:loopDataOutputRef": "bpmn:DataOutput" };
    warnings.forEach(function (w) {
      var type = types[w.property];
      if (!type || !w.element || !w.value) { return; }
      w.element.set(w.property.replace("bpmn:", ""), moddle.create(type, { id: w.value }));
    });
  }

  // Our own side panel for what the engine reads: lane → role, form file, due time, timers,
  // conditions, scripts, called process / decision (the generic panel keeps name, id, docs).
  function jixiaoPanel(modeler, element) {
    var box = document.getElementById("jixiao-props");
    box.innerHTML = "";
    if (!element || element.type === "label") { box.innerHTML = '<p class="muted">选择图中的元素</p>'; return; }
    var bo = element.businessObject, moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    var head = document.createElement("p");
    var type = bo.$type.replace("bpmn:", "").replace(/(\B[A-Z])/g, " $1");
    head.className = "kind"; head.textContent = ((ZH && ZH.zh[type]) || type) + " · ";
    var id = document.createElement("code"); id.translate = false; id.textContent = bo.id; head.appendChild(id);
    box.appendChild(head);

    function field(label, value, onChange, opts) {
      opts = opts || {};
      var wrap = document.createElement("div");
      var l = document.createElement("label"); l.textContent = label; wrap.appendChild(l);
      var input;
      if (opts.options) {
        input = document.createElement("select");
        [""].concat(opts.options).forEach(function (o) {
          var op = document.createElement("option"); op.value = o; op.textContent = o || "（无）"; input.appendChild(op);
        });
        if (value && opts.options.indexOf(value) < 0) { var extra = document.createElement("option"); extra.value = value; extra.textContent = value + "（不在草稿中）"; input.appendChild(extra); }
      } else if (opts.multiline) {
        input = document.createElement("textarea"); input.rows = opts.rows || 3;
      } else { input = document.createElement("input"); if (opts.list) { input.setAttribute("list", opts.list); } }
      input.value = value || "";
      input.dataset.prop = opts.key || label;
      input.addEventListener("change", function () { onChange(input.value.trim() ? input.value : ""); });
      wrap.appendChild(input);
      if (opts.hint) { var h = document.createElement("div"); h.className = "hint"; h.textContent = opts.hint; wrap.appendChild(h); }
      box.appendChild(wrap);
      return input;
    }
    function extValues() { return (bo.extensionElements && bo.extensionElements.get("values")) || []; }
    function ensureExt() {
      if (!bo.extensionElements) {
        modeling.updateModdleProperties(element, bo, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: [] }) });
      }
      return bo.extensionElements;
    }
    function findExt(type) { return extValues().filter(function (v) { return v.$instanceOf(type); })[0]; }
    function getProp(name) {
      var props = findExt("spiffworkflow:Properties");
      var p = props && (props.get("values") || []).filter(function (x) { return x.name === name; })[0];
      return p ? p.value : "";
    }
    function setProp(name, value) {
      var ext = ensureExt(), props = findExt("spiffworkflow:Properties");
      if (!props) {
        props = moddle.create("spiffworkflow:Properties", { values: [] });
        modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
      }
      var list = props.get("values"), p = list.filter(function (x) { return x.name === name; })[0];
      if (!value) { if (p) { modeling.updateModdleProperties(element, props, { values: list.filter(function (x) { return x !== p; }) }); } return; }
      if (p) { modeling.updateModdleProperties(element, p, { value: value }); }
      else { modeling.updateModdleProperties(element, props, { values: list.concat([moddle.create("spiffworkflow:Property", { name: name, value: value })]) }); }
    }
    function getBody(type) { var e = findExt(type); return e ? e.value : ""; }
    function setBody(type, value) {
      var ext = ensureExt(), e = findExt(type);
      if (!value) { if (e) { modeling.updateModdleProperties(element, ext, { values: ext.get("values").filter(function (x) { return x !== e; }) }); } return; }
      if (e) { modeling.updateModdleProperties(element, e, { value: value }); }
      else { modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([moddle.create(type, { value: value })]) }); }
    }

    if (bo.$instanceOf("bpmn:Lane")) {
      field("角色（泳道名 = 角色）", bo.name, function (v) { modeling.updateProperties(element, { name: v }); },
        { list: "jixiao-roles", key: "lane-role", hint: "泳道上的用户任务由该角色处理：" + ROLES.map(function (r) { return r + "（" + (ROLE_NAMES[r] || r) + "）"; }).join("、") });
    }
    if (bo.$instanceOf("bpmn:UserTask")) {
      var forms = JSON.parse(root.dataset.forms || "[]");
      field("表单文件 formJsonSchemaFilename", getProp("formJsonSchemaFilename"), function (v) { setProp("formJsonSchemaFilename", v); },
        { options: forms, key: "formJsonSchemaFilename" });
      field("办理期限 dueAt（表达式）", getProp("dueAt"), function (v) { setProp("dueAt", v); },
        { key: "dueAt", hint: "Python 表达式，如 \"P5D\" 或 deadline" });
      field("指定办理人 assignee（表达式）", getProp("assignee"), function (v) { setProp("assignee", v); }, { key: "assignee" });
      field("优先级 priority（表达式）", getProp("priority"), function (v) { setProp("priority", v); }, { key: "priority" });
      field("办理单位 unitId（表达式）", getProp("unitId"), function (v) { setProp("unitId", v); },
        { key: "unitId", hint: "留空为流程所属单位；多实例任务可写 pr_unit[\"unit_id\"]，每个单位一件" });
    }
    if (bo.$instanceOf("bpmn:SequenceFlow")) {
      var cond = bo.conditionExpression ? bo.conditionExpression.body : "";
      field("条件 condition（Python 表达式）", cond, function (v) {
        modeling.updateProperties(element, { conditionExpression: v ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined });
      }, { multiline: true, rows: 2, key: "condition", hint: "如 ea_final_score >= 80；留空表示无条件" });
    }
    if (bo.$instanceOf("bpmn:ScriptTask")) {
      field("脚本 script", bo.script, function (v) { modeling.updateProperties(element, { scriptFormat: "python", script: v }); },
        { multiline: true, rows: 6, key: "script" });
    }
    if (bo.$instanceOf("bpmn:Task") || bo.$instanceOf("bpmn:CallActivity")) {
      field("前置脚本 preScript", getBody("spiffworkflow:PreScript"), function (v) { setBody("spiffworkflow:PreScript", v); }, { multiline: true, key: "preScript" });
      field("后置脚本 postScript", getBody("spiffworkflow:PostScript"), function (v) { setBody("spiffworkflow:PostScript", v); }, { multiline: true, key: "postScript" });
    }
    if (bo.$instanceOf("bpmn:BusinessRuleTask")) {
      field("决策表 calledDecisionId", getBody("spiffworkflow:CalledDecisionId"), function (v) { setBody("spiffworkflow:CalledDecisionId", v); }, { key: "calledDecisionId" });
    }
    if (bo.$instanceOf("bpmn:CallActivity")) {
      field("调用的流程 calledElement", bo.calledElement, function (v) { modeling.updateProperties(element, { calledElement: v }); }, { key: "calledElement" });
    }
    var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf("bpmn:TimerEventDefinition"); })[0];
    if (timer) {
      var which = timer.timeDuration ? "timeDuration" : timer.timeDate ? "timeDate" : timer.timeCycle ? "timeCycle" : "timeDuration";
      var current = timer[which] ? timer[which].body : "";
      var typeSel = field("定时类型", which, function (v) { update(v || "timeDuration", valueIn.value); },
        { options: ["timeDuration", "timeDate", "timeCycle"], key: "timerType" });
      var valueIn = field("定时表达式", current, function (v) { update(typeSel.value || "timeDuration", v); },
        { key: "timerValue", hint: "字面量要加引号：\"P10D\"、\"2026-05-31T00:00:00+08:00\"、\"R3/PT1H\"；也可以写数据变量名" });
      var update = function (type, value) {
        var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
        props[type] = moddle.create("bpmn:FormalExpression", { body: value });
        modeling.updateModdleProperties(element, timer, props);
      };
    }
    if (bo.loopCharacteristics) {
      var lc = bo.loopCharacteristics;
      var p = document.createElement("p"); p.className = "hint";
      p.textContent = "多实例：" + (lc.loopDataInputRef ? "集合 " + (lc.loopDataInputRef.id || lc.loopDataInputRef) : "") +
        (lc.inputDataItem ? "，元素 " + (lc.inputDataItem.id || lc.inputDataItem.name) : "");
      box.appendChild(p);
    }
    if (box.children.length === 1) { var none = document.createElement("p"); none.className = "muted"; none.textContent = "此元素没有引擎读取的扩展属性（名称、文档见下方通用属性）。"; box.appendChild(none); }
  }

  // --- DMN -------------------------------------------------------------------------------
  function dmnEditor(xml) {
    // dmn-js hands each viewer its own additionalModules (those under "common" are dropped)
    var zhModules = { additionalModules: ZH ? [ZH.module] : [] };
    var modeler = new DmnJS({ container: "#canvas", common: { keyboard: { bindTo: window } }, drd: zhModules, decisionTable: zhModules, literalExpression: zhModules });
    window.jixiaoDmn = modeler;
    var tabs = document.getElementById("dmn-tabs");
    function openView(view) {
      return modeler.open(view).then(function () { renderTabs(); });
    }
    function renderTabs() {
      tabs.innerHTML = "";
      var active = modeler.getActiveView();
      modeler.getViews().filter(function (v) { return v.type !== "drd"; }).forEach(function (v) {
        var b = document.createElement("button");
        b.type = "button"; b.textContent = v.element.name || v.element.id;
        if (active && active.element === v.element) { b.className = "active"; }
        b.addEventListener("click", function () { openView(v); });
        tabs.appendChild(b);
      });
    }
    var marked = [];
    var ed = {
      text: function () { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); },
      mark: function (errors) {
        marked.forEach(function (el) { el.classList.remove("lint-error"); el.removeAttribute("title"); });
        marked = [];
        errors.forEach(function (e) {
          if (!e.element) { return; }
          document.querySelectorAll('[data-element-id="' + CSS.escape(e.element) + '"]').forEach(function (cell) {
            cell.classList.add("lint-error"); cell.title = e.message; marked.push(cell);
          });
        });
      }
    };
    return modeler.importXML(xml).then(function () {
      var table = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
      return (table ? openView(table) : Promise.resolve()).then(function () {
        renderTabs();
        root.dataset.ready = "1";
        return ed;
      });
    });
  }

  // --- forms (JSON Schema) with the task page's renderer as the preview --------------------
  function jsonEditor(text) {
    var area = document.getElementById("json-text");
    var preview = document.getElementById("form-preview"), error = document.getElementById("json-error");
    area.value = text;
    var timer = null;
    function render() {
      api(root.dataset.previewUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: area.value }) })
        .then(function (body) {
          error.textContent = body.error ? "JSON 有误：" + body.error : "";
          if (body.html !== null) { preview.innerHTML = body.html; }
        });
    }
    area.addEventListener("input", function () {
      dirty = true; refreshDeploy(); setState(saveState, "未保存", "busy");
      clearTimeout(timer); timer = setTimeout(render, 300); schedule();
    });
    render();
    root.dataset.ready = "1";
    return Promise.resolve({ text: function () { return Promise.resolve(area.value); } });
  }

  // --- wiring ------------------------------------------------------------------------------
  var saveTimer = null;
  function schedule() { clearTimeout(saveTimer); saveTimer = setTimeout(save, 800); }
  // dmn-js edits cells in place: poll for changes as well as reacting to events
  setInterval(function () { if (editor && !saving) { editor.text().then(function (t) { if (lastSaved !== null && t !== lastSaved) { dirty = true; refreshDeploy(); schedule(); } }); } }, 1500);

  var roles = document.createElement("datalist");
  roles.id = "jixiao-roles";
  ROLES.forEach(function (r) { var o = document.createElement("option"); o.value = r; o.textContent = ROLE_NAMES[r] || r; roles.appendChild(o); });
  document.body.appendChild(roles);

  document.getElementById("deploy-form").addEventListener("submit", function (ev) {
    if (deployButton.disabled) { ev.preventDefault(); }
  });
  window.addEventListener("beforeunload", function (ev) { if (dirty) { save(); ev.preventDefault(); } });

  if (!file) { lint(); return; }
  api(root.dataset.fileUrl).then(function (body) {
    lockVersion = body.lock_version;
    var start = kind === "bpmn" ? bpmnEditor : kind === "dmn" ? dmnEditor : jsonEditor;
    return start(body.text).then(function (ed) {
      editor = ed;
      return ed.text().then(function (t) {
        // the modelers re-serialize on load: compare against their own output, not the file's bytes
        lastSaved = t;
        return lint();
      });
    });
  }).catch(function (err) {
    setState(saveState, "无法打开：" + ((err && err.message) || err), "bad");
    root.dataset.ready = "error";
    lint();
  });
})();
