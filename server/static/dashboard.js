// The dashboard's charts (ECharts from npm). Each bar and slice opens the project list behind it.
(function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  if (!window.echarts) return; // the figures below each chart are links too
  var GRADE_COLOURS = { "优": "#2f855a", "良": "#3182ce", "中": "#d69e2e", "差": "#c53030", none: "#a0aec0" };
  var font = { fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" };

  function open(params) {
    if (params.data && params.data.url) window.location.href = params.data.url;
  }

  var stageEl = document.getElementById("stage-chart");
  if (stageEl && data.stages.length) {
    var stages = echarts.init(stageEl, null, { renderer: "svg" });
    stages.setOption({
      textStyle: font,
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.stages.map(function (s) { return s.name; }) },
      series: [{
        type: "bar", data: data.stages, barMaxWidth: 22, cursor: "pointer",
        itemStyle: { color: "#2b6cb0" }, label: { show: true, position: "right" },
      }],
    });
    stages.on("click", open);
    window.addEventListener("resize", function () { stages.resize(); });
  }

  var gradeEl = document.getElementById("grade-chart");
  if (gradeEl && data.grades.length) {
    var grades = echarts.init(gradeEl, null, { renderer: "svg" });
    grades.setOption({
      textStyle: font,
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["38%", "68%"], center: ["50%", "45%"], cursor: "pointer",
        label: { formatter: "{b} {c}" },
        data: data.grades.map(function (g) {
          return { name: g.name, value: g.value, url: g.url, itemStyle: { color: GRADE_COLOURS[g.grade] || "#718096" } };
        }),
      }],
    });
    grades.on("click", open);
    window.addEventListener("resize", function () { grades.resize(); });
  }
})();
