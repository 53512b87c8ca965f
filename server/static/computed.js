// Totals a form computes (x-computed) follow what is typed: the server evaluates the form's own
// expressions on the fields as they are now (nothing is saved) and the page shows the results.
(function () {
  var script = document.currentScript;
  var url = script && script.dataset.url;
  var form = document.getElementById("task-form");
  if (!url || !form || !form.querySelector("output.computed")) { return; }
  var timer = null;
  function refresh() {
    var body = new FormData(form);
    body.delete("action");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (values) {
        if (!values) { return; }
        Object.keys(values).forEach(function (name) {
          var out = document.getElementById(name);
          if (out && out.tagName === "OUTPUT") { out.textContent = String(values[name]); }
        });
      })
      .catch(function () { /* the totals are computed again on save and submit */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
