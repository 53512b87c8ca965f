// Ask before a submit that publishes (a 通报, a disclosure): forms with data-confirm ask always;
// the task form asks when #submit-confirm says which chosen value acts (保存草稿 never asks).
(function () {
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var text = form.getAttribute("data-confirm");
    var rule = document.getElementById("submit-confirm");
    if (!text && rule && form.id === rule.getAttribute("data-form")) {
      var submitter = e.submitter;
      if (submitter && submitter.value === "draft") return;
      var chosen = form.querySelector('[name="' + rule.getAttribute("data-field") + '"]:checked');
      if (chosen && chosen.value === rule.getAttribute("data-value")) text = rule.getAttribute("data-text");
    }
    if (text && !window.confirm(text)) e.preventDefault();
  });
})();
