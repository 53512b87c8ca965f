// 年度评价对象选取: recompute the quota checks on the server as boxes are ticked (nothing is saved
// until 保存并核算). The server answers the checks as the page shows them.
(function () {
  const form = document.getElementById("selection-form");
  if (!form || !form.dataset.checkUrl) return;
  let pending = null;
  function show(checks, passed) {
    for (const check of checks) {
      const key = check.category + ":" + check.scope;
      document.querySelectorAll('[data-quota="' + CSS.escape(key) + '"]').forEach((item) => {
        item.classList.toggle("pass", check.passed);
        item.classList.toggle("fail", !check.passed);
        item.dataset.passed = check.passed ? "1" : "0";
        item.querySelector(".mark").textContent = check.passed ? form.dataset.met : form.dataset.unmet;
        item.querySelector(".text").textContent = check.message;
      });
    }
    const summary = document.getElementById("quota-summary");
    if (summary) {
      summary.dataset.passed = passed ? "1" : "0";
      summary.textContent = passed ? form.dataset.allMet : form.dataset.someUnmet;
    }
  }
  function recheck() {
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.checkUrl, { method: "POST", body: new FormData(form), signal: pending.signal })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((body) => body && show(body.checks, body.passed))
      .catch(() => {});
  }
  form.addEventListener("change", (event) => {
    if (event.target.matches('input[type="checkbox"]')) recheck();
  });
})();
