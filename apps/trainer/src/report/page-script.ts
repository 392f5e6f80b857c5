/**
 * The report page's inline script (plain ES2017, no modules): reads the JSON blob
 * `#report-data`, builds one Chart.js chart per spec and then publishes
 * `window.__paretopoReport = { charts: [{ id, datasets, points }] }` (points: data points Chart.js
 * laid out, stage-switch lines excluded) so a browser test can see that every chart got data.
 * Animation is off so each chart is drawn when its constructor returns.
 *
 * @example
 * `<script>${PAGE_SCRIPT}</script>`;
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var done = [];
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    var datasets = spec.datasets.map(function (d) {
      var ds = { label: d.label, data: d.points, borderColor: d.color, backgroundColor: d.color, borderWidth: d.method === 'paretopo' ? 3 : 2, fill: false };
      if (d.role === 'series') { ds.pointRadius = d.points.length > 60 ? 0 : 2.5; ds.tension = 0; }
      if (d.role === 'marker') { ds.borderDash = [6, 4]; ds.borderWidth = 1.5; ds.pointRadius = 0; ds.showLine = true; }
      if (d.role === 'runs') { ds.showLine = false; ds.pointRadius = 5; ds.pointHoverRadius = 7; }
      if (d.role === 'interval') { ds.showLine = true; ds.pointRadius = 0; ds.borderWidth = 2.5; ds.hideInLegend = true; }
      if (d.role === 'front') { ds.showLine = true; ds.stepped = 'before'; ds.pointRadius = 0; ds.borderWidth = 1.5; ds.hideInLegend = true; }
      return ds;
    });
    var chart = new Chart(canvas, {
      type: spec.kind,
      data: { datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: spec.xLabel } },
          y: spec.yCategories
            ? { type: 'linear', min: -0.5, max: spec.yCategories.length - 0.5, title: { display: true, text: spec.yLabel },
                // One tick per row, at the row's integer position, labelled with its name.
                afterBuildTicks: function (axis) { axis.ticks = spec.yCategories.map(function (_, i) { return { value: i }; }); },
                ticks: { autoSkip: false, callback: function (v) { return spec.yCategories[v] === undefined ? '' : spec.yCategories[v]; } } }
            : { type: 'linear', title: { display: true, text: spec.yLabel } }
        },
        plugins: {
          legend: {
            position: 'bottom',
            labels: { boxWidth: 14, filter: function (item) { return !datasets[item.datasetIndex].hideInLegend; } }
          }
        }
      }
    });
    var points = 0;
    spec.datasets.forEach(function (d, i) {
      if (d.role !== 'marker') points += chart.getDatasetMeta(i).data.length;
    });
    done.push({ id: spec.id, datasets: datasets.length, points: points });
  });
  window.__paretopoReport = { charts: done };
})();`;
