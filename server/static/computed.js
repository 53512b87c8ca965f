// Totals a form computes (x-computed) follow what is typed: the server evaluates the form's own
// expressions on the fields as they are now (nothing is saved) and the page shows the results.
// What it can already tell is wrong is flagged on its cell (a score over its item's points:
// "超过该项分值 N"), and a total reading it is shown as invalid, not silently added, until fixed.
(function () {
  var script = document.currentScript;
  var url = script && script.dataset.url;
  var form = document.getElementById("task-form");
  if (!url || !form || !form.querySelector("output.computed")) { return; }
  var timer = null;
  var typed = false;  // what the server said on a refused submit stands until something is typed

  function clearLive() {
    form.querySelectorAll(".field-error.live").forEach(function (span) { span.remove(); });
    form.querySelectorAll(".live-error").forEach(function (cell) {
      cell.classList.remove("live-error");
      if (!cell.querySelector(".field-error")) { cell.classList.remove("has-error"); }
    });
    form.querySelectorAll("[aria-invalid].live").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      control.classList.remove("live");
    });
  }

  function flag(path, messages) {
    var control = document.getElementById(path.replace(/\//g, "-"));
    if (!control) { return; }
    var cell = control.closest("td, .field");
    control.setAttribute("aria-invalid", "true");
    control.classList.add("live");
    if (!cell) { return; }
    cell.classList.add("has-error", "live-error");
    if (cell.querySelector('.field-error[data-field="' + path + '"]')) { return; }  // the server's, still true
    messages.forEach(function (message) {
      var span = document.createElement("span");
      span.className = "field-error live";
      span.dataset.field = path;
      span.setAttribute("role", "alert");
      span.textContent = message;
      cell.appendChild(span);
    });
  }

  function show(answer) {
    var values = answer.values || {};
    var invalid = answer.invalid || [];
    Object.keys(values).forEach(function (name) {
      var out = document.getElementById(name);
      if (!out || out.tagName !== "OUTPUT") { return; }
      var bad = invalid.indexOf(name) >= 0;
      out.textContent = bad ? "—" : String(values[name]);
      out.classList.toggle("invalid", bad);
      var note = form.querySelector('.total-invalid[data-total="' + name + '"]');
      if (note) { note.hidden = !bad; }
    });
    clearLive();
    var errors = answer.errors || {};
    // a refused total's error (合计为110，应为100) goes once the typing has put the total right
    Object.keys(values).forEach(function (name) {
      if (!typed || errors[name]) { return; }
      var field = document.getElementById("field-" + name);
      if (!field || !document.getElementById(name) || document.getElementById(name).tagName !== "OUTPUT") { return; }
      field.querySelectorAll('.field-error[data-field="' + name + '"]').forEach(function (span) { span.remove(); });
      field.classList.remove("has-error");
    });
    Object.keys(errors).forEach(function (path) { flag(path, errors[path]); });
  }

  function refresh() {
    var body = new FormData(form);
    body.delete("action");
    body.delete("file");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer) { show(answer); } })
      .catch(function () { /* the totals are computed again on save and submit */ });
  }
  function later() { typed = true; clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();  // a kept draft may already hold a score over its points
})();
