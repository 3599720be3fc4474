// Draws the charts a page describes: each <canvas data-chart="ID"> reads its figures from the
// JSON element with that id (written by Django's json_script, never built as script text).
// The same figures are in a table beside every chart, and a summary is in its caption, so
// nothing is lost where this does not run.
//
// Chart.js is loaded as its UMD build (window.Chart), from node_modules via the static files.

const Chart = window.Chart;

const COLOURS = {
  target: "#505a5f", // GOV.UK dark grey
  actual: "#1d70b8", // GOV.UK blue
};

const money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
const number = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

function format(unit, value) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "none";
  }
  if (unit === "money") {
    return money.format(value);
  }
  if (unit === "percentage") {
    return `${number.format(value)}%`;
  }
  if (unit === "yes_no") {
    return value === 1 ? "Yes" : "No";
  }
  return number.format(value);
}

// Figures arrive as exact decimal text ("1234.50"), or null where there is none.
function toNumbers(values) {
  return values.map((value) => (value === null ? null : Number(value)));
}

function dataset(spec, series) {
  const colour = COLOURS[series.role] || COLOURS.actual;
  const common = { label: series.label, data: toNumbers(series.values), borderColor: colour, backgroundColor: colour };
  if (spec.kind === "spend") {
    return common;
  }
  if (series.role === "target") {
    return { ...common, borderDash: [6, 4], pointRadius: 0, fill: false, spanGaps: true };
  }
  return { ...common, pointRadius: 4, pointStyle: "rectRot", fill: false, spanGaps: false };
}

function draw(canvas) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source) {
    return;
  }
  const spec = JSON.parse(source.textContent);
  const yesNo = spec.unit === "yes_no";
  // eslint-disable-next-line no-new
  new Chart(canvas, {
    type: spec.kind === "spend" ? "bar" : "line",
    data: { labels: spec.labels, datasets: spec.series.map((series) => dataset(spec, series)) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${format(spec.unit, item.parsed.y)}` },
        },
      },
      scales: {
        y: {
          beginAtZero: true,
          max: yesNo ? 1 : spec.unit === "percentage" ? 100 : undefined,
          ticks: { callback: (value) => format(spec.unit, value), stepSize: yesNo ? 1 : undefined },
        },
      },
    },
  });
}

if (Chart) {
  document.querySelectorAll("canvas[data-chart]").forEach(draw);
}
