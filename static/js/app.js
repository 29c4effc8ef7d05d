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
        yAxis: [
          { type: "value", name: data.labels.schools, minInterval: 1 },
          { type: "value", name: data.labels.students, minInterval: 1 }
        ],
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
        yAxis: { type: "value", minInterval: 1 },
        series: (data.series || []).map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    /* dropout: several series side by side, with a legend; data = {categories, series: [{name, data}]} */
    "grouped-bars": function (data) {
      return {
        tooltip: { trigger: "axis" },
        legend: { data: (data.series || []).map(function (s) { return s.name; }) },
        grid: { left: 40, right: 20, bottom: 60 },
        xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: (data.series || []).map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    // Horizontal bars, for long category names (programmes): same data as "bars".
    "hbars": function (data) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 30, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.categories },
        series: (data.series || []).map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    },
    // A pie: data.items = [{name, value, url?}] (values may be decimal strings such as "196.63").
    "pie": function (data) {
      return {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: (data.items || []).map(function (item) { return { name: item.name, value: item.value }; })
        }]
      };
    }
  };

  // A chart whose data names a URL per bar (data.urls) or per slice (data.items[i].url) opens it
  // on click: every figure links to the rows behind it.
  function linkTarget(data, params) {
    if (data.urls && data.urls[params.dataIndex]) { return data.urls[params.dataIndex]; }
    var item = data.items && data.items[params.dataIndex];
    return item && item.url ? item.url : null;
  }

  function initCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      var data = readJson(el.dataset.source);
      if (!build || !data) { return; }
      var chart = echarts.init(el);
      chart.setOption(build(data));
      chart.on("click", function (params) {
        var url = linkTarget(data, params);
        if (url) { window.location.assign(url); }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) { initCharts(event.target); });
})();
