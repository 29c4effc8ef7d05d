/* Page behaviour without inline scripts (the Content Security Policy forbids them).
 * Charts: an element with data-chart="<kind>" and data-source="<id of a json_script block>". */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var builders = {
    "county-bars": function (data) {
      return {
        tooltip: { trigger: "axis" },
        legend: { data: [data.labels.schools, data.labels.students] },
        grid: { left: 50, right: 60, bottom: 40 },
        xAxis: { type: "category", data: data.counties },
        yAxis: [{ type: "value", name: data.labels.schools }, { type: "value", name: data.labels.students }],
        series: [
          { name: data.labels.schools, type: "bar", data: data.schools },
          { name: data.labels.students, type: "bar", yAxisIndex: 1, data: data.students }
        ]
      };
    },
    "bars": function (data) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, bottom: 40 },
        xAxis: { type: "category", data: data.categories },
        yAxis: { type: "value" },
        series: (data.series || []).map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    }
  };

  function initCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      var data = readJson(el.dataset.source);
      if (!build || !data) { return; }
      var chart = echarts.init(el);
      chart.setOption(build(data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) { initCharts(event.target); });
})();
