// Charts drawn from the tables on the page (Apache ECharts, static/vendor/echarts),
// so a chart and its table always show the same numbers; the table stays on
// the page for screen readers, for print and without JavaScript.
//
// The contract (docs/architecture.md, "Charts"):
//
//   <div class="chart" data-chart-for="TABLE_ID" aria-hidden="true"></div>
//   <table id="TABLE_ID" data-chart="bar|line|heatmap"> ... </table>
//
// The chart is drawn into the div whose data-chart-for names the table; the
// div is placed beside the table and gets its height from CSS (.chart in
// static/css/app.css).
//
// * bar / line: in each body row, the first cell (th or td) is the category
//   label; each further column whose header th carries `data-series` is one
//   series, named by that th's text; its values are the td's `data-value`
//   (a raw decimal, e.g. "83.5"; "" for none: a gap).
// * heatmap: the header row's th after the first are the x categories; the
//   first cell of each body row is the y category; each td's `data-value` is
//   the cell's value (a percent, 0-100; "" for none). The scale runs from 0
//   to the table's optional `data-chart-max` (default 100).
// * any chart: a td's optional `data-href` is where clicking its bar, point
//   or cell goes. Optional on the table: `data-chart-title` (a title above
//   the chart), `data-chart-stack` (bar/line: the series stacked).
//
// CSP: no inline script or style. ECharts draws on a canvas and sets styles
// through the CSSOM only; tooltips use its rich-text mode (drawn on the canvas
// too), as the HTML tooltip's markup carries style attributes the CSP refuses.
(function () {
  "use strict";

  function text(cell) {
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function number(cell) {
    if (!cell || !cell.hasAttribute("data-value")) return null;
    const raw = cell.getAttribute("data-value").trim();
    if (raw === "") return null;
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }

  function headerCells(table) {
    const row = table.tHead ? table.tHead.rows[0] : table.rows[0];
    return row ? Array.from(row.cells) : [];
  }

  function bodyRows(table) {
    const rows = [];
    Array.from(table.tBodies).forEach(function (body) {
      Array.from(body.rows).forEach(function (row) {
        // A row of one cell spanning the table ("nothing to show") is no category.
        if (row.cells.length > 1) rows.push(row);
      });
    });
    return rows;
  }

  function seriesOption(table, kind) {
    const headers = headerCells(table);
    const rows = bodyRows(table);
    const categories = rows.map(function (row) {
      return text(row.cells[0]);
    });
    const hrefs = [];
    const series = [];
    headers.forEach(function (th, column) {
      if (column === 0 || !th.hasAttribute("data-series")) return;
      hrefs.push(
        rows.map(function (row) {
          const cell = row.cells[column];
          return cell ? cell.getAttribute("data-href") || "" : "";
        })
      );
      series.push({
        type: kind,
        name: text(th),
        stack: table.hasAttribute("data-chart-stack") ? "all" : undefined,
        data: rows.map(function (row) {
          return number(row.cells[column]);
        }),
        connectNulls: false,
      });
    });
    const rotate = categories.length > 12 ? 45 : 0;
    return {
      hrefs: hrefs,
      option: {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: series.length > 1 ? { top: table.dataset.chartTitle ? 28 : 0 } : undefined,
        grid: { left: 8, right: 16, bottom: 8, top: series.length > 1 ? 40 : 24, containLabel: true },
        xAxis: {
          type: "category",
          data: categories,
          axisLabel: { interval: 0, rotate: rotate, hideOverlap: rotate === 0 },
        },
        yAxis: { type: "value" },
        series: series,
      },
    };
  }

  function heatmapOption(table) {
    const xs = headerCells(table)
      .slice(1)
      .map(function (th) {
        return text(th);
      });
    const rows = bodyRows(table);
    const ys = rows.map(function (row) {
      return text(row.cells[0]);
    });
    const data = [];
    const hrefs = [];
    rows.forEach(function (row, y) {
      xs.forEach(function (_label, x) {
        const cell = row.cells[x + 1];
        data.push([x, y, number(cell) === null ? "-" : number(cell)]);
        hrefs.push(cell ? cell.getAttribute("data-href") || "" : "");
      });
    });
    const max = Number(table.getAttribute("data-chart-max")) || 100;
    return {
      hrefs: [hrefs],
      option: {
        tooltip: { trigger: "item", renderMode: "richText" },
        grid: { left: 8, right: 16, bottom: 56, top: 32, containLabel: true },
        xAxis: { type: "category", data: xs, splitArea: { show: true }, axisLabel: { interval: 0 } },
        yAxis: { type: "category", data: ys, inverse: true, splitArea: { show: true } },
        visualMap: {
          min: 0,
          max: max,
          calculable: true,
          orient: "horizontal",
          left: "center",
          bottom: 0,
          inRange: { color: ["#d9534f", "#f0ad4e", "#5cb85c"] },
        },
        series: [{ type: "heatmap", data: data, label: { show: true } }],
      },
    };
  }

  function draw(holder) {
    const table = document.getElementById(holder.getAttribute("data-chart-for"));
    if (!table || !window.echarts) return null;
    const kind = table.getAttribute("data-chart");
    let built;
    if (kind === "bar" || kind === "line") built = seriesOption(table, kind);
    else if (kind === "heatmap") built = heatmapOption(table);
    else return null;
    if (table.dataset.chartTitle) {
      built.option.title = { text: table.dataset.chartTitle, left: "center", textStyle: { fontSize: 14 } };
      built.option.grid.top += 24; // room for the title above the plot
    }
    built.option.animation = false;
    // Sized by CSS once drawn: an empty holder (no JavaScript) takes no room.
    holder.setAttribute("data-chart-drawn", "");
    const chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(built.option);
    chart.on("click", function (params) {
      const list = built.hrefs[kind === "heatmap" ? 0 : params.seriesIndex] || [];
      const href = list[params.dataIndex];
      if (href) window.location.assign(href);
    });
    return chart;
  }

  function start() {
    const charts = Array.from(document.querySelectorAll(".chart[data-chart-for]"))
      .map(draw)
      .filter(Boolean);
    let pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) {
          chart.resize();
        });
      }, 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
