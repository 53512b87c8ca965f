// Two versions of a process side by side; added, changed and removed elements coloured (ids diffed server-side).
(function () {
  "use strict";
  var box = document.getElementById("compare");
  if (!box || typeof BpmnJS === "undefined") { return; }
  var added = JSON.parse(box.dataset.added), removed = JSON.parse(box.dataset.removed), changed = JSON.parse(box.dataset.changed);
  function show(id, xml, marks) {
    if (!xml) { document.getElementById(id).textContent = "—"; return Promise.resolve(); }
    var viewer = new BpmnJS({ container: "#" + id });
    return viewer.importXML(xml).then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      Object.keys(marks).forEach(function (cls) {
        marks[cls].forEach(function (el) { if (registry.get(el)) { canvas.addMarker(el, cls); } });
      });
    });
  }
  Promise.all([
    show("diagram-old", box.dataset.old, { "diff-removed": removed, "diff-changed": changed }),
    show("diagram-new", box.dataset.new, { "diff-added": added, "diff-changed": changed })
  ]).then(function () { box.dataset.ready = "1"; });
})();
