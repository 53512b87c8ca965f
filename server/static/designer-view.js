// What the workbench's BPMN modeler shows without changing the file (issue 13):
// - a lane's stored name is the role id the engine assigns by ("unit_submitter"); the lane header
//   shows the role's name ("单位填报人") as an overlay, so what is saved stays the id;
// - on open the diagram is fitted to the canvas with the palette clear of the lane headers.
(function () {
  "use strict";

  function laneLabels(modeler, roles) {
    var overlays = modeler.get("overlays"), registry = modeler.get("elementRegistry");
    function draw() {
      overlays.remove({ type: "role-label" });
      registry.filter(function (e) { return e.type === "bpmn:Lane" || e.type === "bpmn:Participant"; }).forEach(function (lane) {
        var id = (lane.businessObject.name || "").trim();
        if (!roles[id]) { return; }
        var label = document.createElement("div");
        label.className = "role-label";
        label.dataset.role = id;
        label.style.height = Math.max(lane.height - 2, 0) + "px";
        var text = document.createElement("span");
        text.textContent = roles[id];
        label.appendChild(text);
        overlays.add(lane, "role-label", { position: { top: 0, left: 0 }, html: label });
      });
    }
    modeler.on(["import.done", "elements.changed"], function () { draw(); });
    draw();
  }

  // fit the whole diagram, leaving the palette's width free on the left (never above 1:1)
  function fitClear(canvas, container) {
    canvas.zoom("fit-viewport");
    var box = canvas.viewbox(), inner = box.inner, outer = box.outer;
    if (!inner.width || !inner.height || !outer.width || !outer.height) { return; }
    var left = 16, pad = 16;
    var palette = container.querySelector(".djs-palette");
    if (palette) {
      var p = palette.getBoundingClientRect(), c = container.getBoundingClientRect();
      if (p.width) { left = Math.max(left, p.right - c.left + 12); }
    }
    var scale = Math.min((outer.width - left - pad) / inner.width, (outer.height - 2 * pad) / inner.height, 1);
    if (scale <= 0) { return; }
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - pad / scale, width: outer.width / scale, height: outer.height / scale });
  }

  window.JixiaoDesignerView = { laneLabels: laneLabels, fitClear: fitClear };
})();
