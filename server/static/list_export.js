// A long list's Excel file is written in the background (templates/_list.html export_button):
// start the job, poll its status every half second, show the percentage, then the download link.
(function () {
  "use strict";
  function poll(form, statusUrl) {
    var box = form.querySelector(".export-progress");
    var bar = box.querySelector("progress");
    var percent = box.querySelector(".percent");
    fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        percent.textContent = job.percent + "%";
        if (job.status === "done") {
          var link = box.querySelector(".download");
          link.href = job.download_url;
          link.setAttribute("download", job.file_name);
          link.hidden = false;
          form.querySelector("button").disabled = false;
        } else if (job.status === "failed") {
          box.querySelector(".failed").hidden = false;
          form.querySelector("button").disabled = false;
        } else {
          setTimeout(function () { poll(form, statusUrl); }, 500);
        }
      });
  }
  document.querySelectorAll("form.export-job").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector(".export-progress");
      box.hidden = false;
      box.querySelector(".download").hidden = true;
      box.querySelector(".failed").hidden = true;
      form.querySelector("button").disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) { poll(form, job.status_url); });
    });
  });
})();
