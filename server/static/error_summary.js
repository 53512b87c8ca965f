// The task page after a refusal: the form's error summary (a refused submit) or the refused
// upload comes into view by itself, and each link of the summary scrolls to its field or table
// cell, wherever it sits (a scrolling table, a card on a phone), and puts the cursor in it.
(function () {
  function controlOf(target) {
    if (!target) { return null; }
    if (target.matches("input[type=hidden]")) { return target.closest("td") || target; }  // an approved value
    if (target.matches("input, select, textarea, output")) { return target; }
    return target.querySelector("input:not([type=hidden]), select, textarea, output") || target;
  }

  function reveal(target) {
    var control = controlOf(target);
    if (!control) { return; }
    var cell = control.closest("td, .field") || control;
    cell.scrollIntoView({ block: "center", inline: "center" });
    if (typeof control.focus === "function") {
      if (!control.matches("input, select, textarea, a, button")) { control.setAttribute("tabindex", "-1"); }
      control.focus({ preventScroll: true });
    }
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-target]");
      if (!link) { return; }
      event.preventDefault();
      reveal(document.getElementById(link.dataset.target));
    });
    if (!location.hash) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  }
  var refused = document.getElementById("upload-refused");
  if (refused) {
    var box = document.getElementById("upload-box");
    if (box) { box.scrollIntoView({ block: "center" }); }
    refused.querySelector("a").addEventListener("click", function (event) {
      event.preventDefault();
      if (box) { box.scrollIntoView({ block: "center" }); }
    });
  }
})();
