// 新建项目: 项目期 defaults to the budget year, so its placeholders show the 年度 as it is typed.
(function () {
  "use strict";
  function follow() {
    var year = document.querySelector("input[data-period-hint]");
    if (!year) return;
    year.addEventListener("input", function () {
      var typed = year.value.trim();
      if (!/^\d{4}$/.test(typed)) return; // half-typed: keep the last whole year
      ["period_start", "period_end"].forEach(function (name) {
        var input = document.querySelector('input[name="' + name + '"]');
        if (input) input.placeholder = typed;
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", follow);
  else follow();
})();
