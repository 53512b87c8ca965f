// Two versions of a process side by side; added, changed and removed elements coloured (ids diffed
// server-side). Lanes read as role names and the zoom/fit/full-screen tools are diagram.js's.
(function () {
  "use strict";
  var box = document.getElementById("compare");
  if (!box || typeof BpmnJS === "undefined") { return; }
  var added = JSON.parse(box.dataset.added), removed = JSON.parse(box.dataset.removed), changed = JSON.parse(box.dataset.changed);
  var shared = window.JixiaoDiagram;
  function show(id, xml, marks) {
    var el = document.getElementById(id);
    if (!xml) { el.textContent = "—"; return Promise.resolve(); }
    var viewer = new BpmnJS({ container: el });
    var labels = shared ? shared.labelsOf(box) : {};
    return viewer.importXML(shared ? shared.relabel(xml, labels) : xml).then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      Object.keys(marks).forEach(function (cls) {
        marks[cls].forEach(function (item) { if (registry.get(item)) { canvas.addMarker(item, cls); } });
      });
      if (shared) { shared.wireTools(el, canvas); }
      el.dataset.ready = "1";
    });
  }
  Promise.all([
    show("diagram-old", box.dataset.old, { "diff-removed": removed, "diff-changed": changed }),
    show("diagram-new", box.dataset.new, { "diff-added": added, "diff-changed": changed })
  ]).then(function () { box.dataset.ready = "1"; });
})();
