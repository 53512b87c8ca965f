// Draws each .diagram with bpmn-js's navigated viewer: current steps highlighted, completed steps marked.
(function () {
  if (typeof BpmnJS === "undefined") { return; }
  document.querySelectorAll(".diagram[data-src]").forEach(function (el) {
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (info) {
        if (!info.xml) { el.textContent = "—"; return; }
        var viewer = new BpmnJS({ container: el });
        return viewer.importXML(info.xml).then(function () {
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          canvas.zoom("fit-viewport");
          (info.completed || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "done"); } });
          (info.open || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "current"); } });
          el.dataset.ready = "1";
        });
      })
      .catch(function (err) { el.dataset.error = String(err); });
  });
})();
