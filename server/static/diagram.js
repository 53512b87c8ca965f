// Draws each .diagram with bpmn-js's navigated viewer: current steps highlighted, completed steps marked.
// Names are shown in the page's language: "中文 English" keeps one part, lanes named by role id get
// the role's name. Buttons beside the diagram zoom, fit and open it full screen (Esc closes).
(function () {
  if (typeof BpmnJS === "undefined") { return; }
  var CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef）)]/;

  function localName(text, labels) {
    if (labels.roles && labels.roles[text]) { return labels.roles[text]; }
    var m = /^(.*[\u3000-\u303f\u3400-\u9fff\uff00-\uffef）)])\s+([A-Za-z][\x20-\x7e]*)$/.exec(text);
    if (!m || !CJK.test(m[1])) { return text; }
    return labels.lang === "zh" ? m[1].trim() : m[2].trim();
  }

  function decode(s) { var t = document.createElement("textarea"); t.innerHTML = s; return t.value; }
  function encode(s) { return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;"); }

  function relabel(xml, labels) {
    return xml.replace(/(\sname=")([^"]*)(")/g, function (_all, pre, value, post) {
      return pre + encode(localName(decode(value), labels)) + post;
    });
  }

  // data-src: a URL answering {xml, completed, open}; data-inline: the id of a JSON script holding it
  function load(el) {
    if (el.dataset.inline) {
      return Promise.resolve(JSON.parse(document.getElementById(el.dataset.inline).textContent));
    }
    return fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  document.querySelectorAll(".diagram[data-src], .diagram[data-inline]").forEach(function (el) {
    var labels = labelsOf(el);
    load(el)
      .then(function (info) {
        if (!info.xml) { el.textContent = "—"; return; }
        var viewer = new BpmnJS({ container: el });
        return viewer.importXML(relabel(info.xml, labels)).then(function () {
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          canvas.zoom("fit-viewport");
          (info.completed || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "done"); } });
          (info.open || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "current"); } });
          wireTools(el, canvas);
          el.dataset.ready = "1";
        });
      })
      .catch(function (err) { el.dataset.error = String(err); });
  });

  window.JixiaoDiagram = { relabel: relabel, wireTools: wireTools, labelsOf: labelsOf };

  function labelsOf(el) {
    try { return JSON.parse(el.dataset.labels || "{}"); } catch (e) { return {}; }
  }

  function wireTools(el, canvas) {
    var tools = document.querySelector('.diagram-tools[data-for="' + el.id + '"]');
    if (!tools) { return; }
    function setFull(on) {
      el.classList.toggle("fullscreen", on);
      tools.classList.toggle("on-full", on);
      canvas.resized();
      canvas.zoom("fit-viewport");
    }
    tools.addEventListener("click", function (event) {
      var what = event.target.dataset.zoom;
      if (what === "in") { canvas.zoom(canvas.zoom() * 1.25); }
      else if (what === "out") { canvas.zoom(canvas.zoom() / 1.25); }
      else if (what === "fit") { canvas.zoom("fit-viewport"); }
      else if (what === "full") { setFull(!el.classList.contains("fullscreen")); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && el.classList.contains("fullscreen")) { setFull(false); }
    });
  }
})();
