/* Page behaviour without inline scripts (the Content Security Policy forbids them).
 * Charts: an element with data-chart="<kind>" and data-source="<id of a json_script block>",
 * holding what core/charts.py built (templates include core/_chart.html). One way for every
 * chart: every category labelled, a bar / slice / category label opens the rows behind it, small
 * values visible beside a tall one. An empty chart never gets here: the template shows 暂无数据. */
(function () {
  "use strict";

  var NO_BAR = "-"; // ECharts draws no bar for it (a 0 would get the minimum bar height)

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function shown(value) { return value === NO_BAR ? 0 : value; }

  // A figure as the page writes it: 1,440,750.00 (the decimals a money string carries are kept).
  function grouped(value) {
    var text = String(value);
    var parts = text.split(".");
    if (!/^-?\d+$/.test(parts[0])) { return text; }
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  // The axis tooltip: the category, then each series' value (a 0 drawn as no bar reads 0).
  function barTooltip(items) {
    var lines = [escapeHtml(items[0].name)];
    items.forEach(function (item) {
      lines.push(item.marker + escapeHtml(item.seriesName) + ": " + escapeHtml(grouped(shown(item.value))));
    });
    return lines.join("<br>");
  }

  // Turn the category labels when they would not fit side by side: never skip one.
  function labelRotation(el, categories) {
    var longest = categories.reduce(function (n, c) { return Math.max(n, String(c).length); }, 0);
    var room = (el.clientWidth || 600) / Math.max(categories.length, 1);
    return longest * 13 + 8 > room ? 35 : 0;
  }

  // Would the value labels above side-by-side bars run into each other? Then the tooltip and
  // the axis say the values, and the bars stay readable.
  function labelsCrowd(el, data, horizontal) {
    if (horizontal) { return false; }
    var longest = 0;
    data.series.forEach(function (s) {
      s.data.forEach(function (v) { longest = Math.max(longest, grouped(v).length); });
    });
    var slot = (el.clientWidth || 600) / Math.max(data.categories.length * data.series.length, 1);
    return longest * 7 > slot;
  }

  function bars(el, data, horizontal) {
    var several = data.series.length > 1;
    var crowded = labelsCrowd(el, data, horizontal);
    var categoryAxis = {
      type: "category",
      data: data.categories,
      triggerEvent: true, // a label opens its category's rows
      axisTick: { alignWithLabel: true },
      axisLabel: { interval: 0, rotate: horizontal ? 0 : labelRotation(el, data.categories) }
    };
    var axisNames = [];
    data.series.forEach(function (s) { axisNames[s.axis] = axisNames[s.axis] || s.name; });
    var valueAxes = axisNames.map(function (name, index) {
      var axis = { type: "value", splitLine: { show: index === 0 } };
      if (data.integer) { axis.minInterval = 1; }
      if (axisNames.length > 1) { axis.name = name; }
      return axis;
    });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: barTooltip },
      legend: several ? { top: 0, data: data.series.map(function (s) { return s.name; }) } : undefined,
      grid: { left: 8, right: horizontal ? 40 : 12, top: several ? 48 : 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxes[0] : categoryAxis,
      yAxis: horizontal ? Object.assign(categoryAxis, { inverse: true }) : valueAxes,
      series: data.series.map(function (s) {
        var series = {
          name: s.name,
          type: "bar",
          barMinHeight: 3,
          barMaxWidth: 48,
          label: {
            show: !crowded,
            position: horizontal ? "right" : "top",
            fontSize: 11,
            formatter: function (p) { return p.value === NO_BAR ? "" : grouped(p.value); }
          },
          data: s.data.map(function (v) { return Number(v) === 0 ? NO_BAR : v; })
        };
        series[horizontal ? "xAxisIndex" : "yAxisIndex"] = horizontal ? 0 : s.axis;
        return series;
      })
    };
  }

  var builders = {
    "bars": function (el, data) { return bars(el, data, false); },
    // Horizontal bars, for long category names (programmes, classifications).
    "hbars": function (el, data) {
      el.style.height = Math.max(200, data.categories.length * 30 + 60) + "px";
      return bars(el, data, true);
    },
    // A pie: data.items = [{name, value, url}] (values may be decimal strings such as "196.63").
    "pie": function (el, data) {
      // The legend names the slices (wrapping to as many lines as it needs); a slice carries
      // its value, short enough never to be cut off in a narrow card.
      return {
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            return escapeHtml(p.name) + ": " + escapeHtml(grouped(p.value)) + " (" + p.percent + "%)";
          }
        },
        legend: { type: "plain", bottom: 0, left: "center" },
        series: [{
          type: "pie",
          center: ["50%", "42%"],
          radius: ["30%", "58%"],
          label: { formatter: function (p) { return grouped(p.value); } },
          minShowLabelAngle: 8, // a thin slice's value is in the tooltip, not on a neighbour's
          labelLayout: { hideOverlap: true },
          data: data.items.map(function (item) { return { name: item.name, value: item.value }; })
        }]
      };
    }
  };

  // What a click opens: the rows behind a bar (its series' URL), a slice or a category label.
  function linkTarget(data, params) {
    if (params.componentType === "series") {
      if (data.items) { return (data.items[params.dataIndex] || {}).url || null; }
      var series = data.series[params.seriesIndex];
      return (series && series.urls[params.dataIndex]) || null;
    }
    if (params.componentType === "xAxis" || params.componentType === "yAxis") {
      var index = (data.categories || []).indexOf(params.value);
      return index >= 0 ? data.category_urls[index] || null : null;
    }
    return null;
  }

  // ECharts (about 1 MB) is fetched by the first chart on a page, from the address base.html
  // gives: a page that includes core/_chart.html needs nothing more to draw its charts.
  var chartsWaiting = null;
  function withECharts(then) {
    if (!chartsWaiting) {
      chartsWaiting = [];
      var script = document.createElement("script");
      script.src = document.body.dataset.echarts;
      script.onload = function () { chartsWaiting.forEach(function (run) { run(); }); };
      document.head.appendChild(script);
    }
    chartsWaiting.push(then);
  }

  function initCharts(root) {
    if (!root.querySelector("[data-chart]")) { return; }
    if (typeof echarts === "undefined") { withECharts(function () { initCharts(root); }); return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      var data = readJson(el.dataset.source);
      if (!build || !data || echarts.getInstanceByDom(el)) { return; }
      var option = build(el, data);
      var chart = echarts.init(el, null, { renderer: "svg" }); // labels are text: found, read, copied
      chart.on("click", function (params) {
        var url = linkTarget(data, params);
        if (url) { window.location.assign(url); }
      });
      // Drawn, animation over: what a browser test waits for before it clicks a bar.
      chart.on("finished", function () { el.dataset.chartReady = "true"; });
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // A refused form is shown where it is, not only as a page the user must scroll: the first form
  // on the page with an error is scrolled to and its first wrong field (else its first field)
  // takes the focus. Only a page answering a POST carries a form's errors.
  function showRefusedForm() {
    var error = document.querySelector(
      "main form .invalid-feedback, main form .alert-danger, main form .is-invalid, main form [aria-invalid='true']"
    );
    if (!error) { return; }
    var form = error.closest("form");
    var field = form.querySelector("[aria-invalid='true'], .is-invalid") ||
      form.querySelector("input:not([type=hidden]), select, textarea");
    form.scrollIntoView({ block: "center", behavior: "instant" });
    form.classList.add("form-refused");
    if (field) { field.focus({ preventScroll: true }); }
  }

  // A drop-down that follows another of its form (data-follows="<the leading field's name>"), as
  // the school list follows the county: when the leading drop-down's chosen option narrows
  // (data-narrows), only the options of that key (data-parent) and the empty one are offered.
  // A choice that no longer fits is cleared when the leading choice changes; the one a refused
  // form comes back with stays shown, beside the server's message.
  function followChoices(root) {
    root.querySelectorAll("select[data-follows]").forEach(function (select) {
      var lead = select.form && select.form.elements[select.dataset.follows];
      if (!lead || !lead.options) { return; }
      function narrow(keepChosen) {
        var chosen = lead.options[lead.selectedIndex];
        var key = chosen && chosen.hasAttribute("data-narrows") ? chosen.value : null;
        Array.prototype.forEach.call(select.options, function (option) {
          var fits = !key || !option.value || option.dataset.parent === key ||
            (keepChosen && option.selected);
          option.hidden = !fits;
          option.disabled = !fits;
          if (!fits && option.selected) { select.value = ""; }
        });
      }
      lead.addEventListener("change", function () { narrow(false); });
      narrow(true);
    });
  }

  // A 全选 box (data-check-all="<the boxes' name>", core.forms.CheckboxesWithAll) ticks or clears
  // every box of its group; it shows ticked when all are, half-ticked when some are.
  function checkAll(root) {
    root.querySelectorAll("input[data-check-all]").forEach(function (all) {
      var boxes = Array.prototype.filter.call(all.form ? all.form.elements : [], function (el) {
        return el.type === "checkbox" && el.name === all.dataset.checkAll;
      });
      function sync() {
        var ticked = boxes.filter(function (box) { return box.checked; }).length;
        all.checked = ticked > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        sync();
      });
      boxes.forEach(function (box) { box.addEventListener("change", sync); });
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCharts(document);
    followChoices(document);
    checkAll(document);
    showRefusedForm();
  });
  document.body.addEventListener("htmx:afterSwap", function (event) { initCharts(event.target); });
})();
