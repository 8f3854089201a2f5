// The dashboard's script: polls /api/state every second, draws the MCC series with uPlot and
// fills the tables; the two buttons POST an instruction, as the observer would send one.
/* global uPlot */

const POLL_MS = 1000;
const chartBox = document.getElementById("mcc-chart");
let chart = null;

function makeChart() {
  return new uPlot(
    {
      width: Math.max(320, chartBox.clientWidth),
      height: 280,
      scales: { x: { time: true }, mcc: { range: [-1, 1] }, version: {} },
      axes: [
        {},
        { scale: "mcc", label: "MCC" },
        { scale: "version", side: 1, label: "model version", grid: { show: false } },
      ],
      series: [
        { label: "stream time" },
        { label: "batch MCC", scale: "mcc", stroke: "#2f7de1", width: 2 },
        { label: "cumulative MCC", scale: "mcc", stroke: "#e07b1a", width: 2 },
        {
          label: "model version",
          scale: "version",
          stroke: "#7a4fd6",
          dash: [4, 4],
          paths: uPlot.paths.stepped({ align: 1 }),
        },
      ],
    },
    [[], [], [], []],
    chartBox,
  );
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fill(tableId, rows) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }));
}

const time = (ms) => new Date(ms).toLocaleTimeString();
const params = (p) =>
  Object.entries(p).map(([name, value]) => `${name}=${+value.toFixed(4)}`).join(" ");

function render(state) {
  const series = state.series;
  const data = [
    series.map((p) => p.streamTime / 1000),
    series.map((p) => p.batchMcc),
    series.map((p) => p.cumulativeMcc),
    series.map((p) => p.modelVersion),
  ];
  chart ??= makeChart();
  chart.setData(data);
  chartBox.dataset.points = String(series.length);

  document.getElementById("eps").textContent = Math.round(state.throughput.eventsPerSecond);
  document.getElementById("processed").textContent = state.throughput.eventsProcessed;
  document.getElementById("dead").textContent = state.throughput.deadLetters;
  document.getElementById("in-use").textContent = state.modelInUse === null
    ? "–"
    : `v${state.modelInUse}`;
  fill(
    "lag",
    state.lag.map((l) => [
      cell(l.group),
      cell(l.topic),
      cell(l.partition),
      cell(l.committed),
      cell(l.end),
      cell(l.lag),
    ]),
  );
  fill(
    "roles",
    state.roles.map((r) => [
      cell(r.name),
      cell(r.status, r.status === "running" || r.status === "completed" ? "ok" : "bad"),
      cell(r.restarts),
      cell(r.leading === null ? "–" : r.leading ? "leading" : "standing by"),
    ]),
  );
  fill(
    "models",
    [...state.models].reverse().map((m) => [
      cell(
        `v${m.version}${m.version === state.modelInUse ? " (in use)" : ""}` +
          (m.version === state.liveModel ? " (live)" : "") +
          (m.inCatalogue ? "" : " (retired)"),
        m.inCatalogue ? "" : "muted",
      ),
      cell(m.recalledFrom === null ? m.method : `${m.method}: recalled v${m.recalledFrom}`),
      cell(m.parent === null ? "–" : `v${m.parent}`),
      cell(params(m.params)),
      // A walk-forward validation's score is the mean of its splits': each split's, in order.
      cell(
        m.mcc.toFixed(3) +
          (m.splitMcc.length > 1 ? ` (${m.splitMcc.map((x) => x.toFixed(2)).join(" / ")})` : ""),
      ),
      // The initial model trains on a file, not on a dataset version.
      cell(m.datasetVersion < 0 ? "initial file" : `d${m.datasetVersion}`),
      cell(`${(m.productionMs / 1000).toFixed(1)} s`),
      cell(time(m.createdAt)),
    ]),
  );
  fill(
    "replicas",
    state.replicas.map((r) => [
      cell(r.address),
      cell(r.version === null ? "–" : `v${r.version}`),
      cell(r.ready ? "ready" : "not ready", r.ready ? "ok" : "bad"),
      cell(r.routable ? "yes" : "no", r.routable ? "ok" : "muted"),
      cell(r.detail),
    ]),
  );
  fill(
    "decisions",
    [...state.decisions].reverse().map((d) => [
      cell(time(d.sentAt)),
      cell(d.sender),
      cell(d.action),
      cell(d.reportId),
      cell(d.reason),
    ]),
  );
  const { fleet } = state;
  const queue = fleet.queue === null
    ? "no shared training pool"
    : `training pool: ${fleet.queue.running} running, ${fleet.queue.queued} queued`;
  document.getElementById("fleet-summary").textContent =
    `${fleet.models.length} model(s) by batch MCC, best first; stale: ` +
    `${fleet.stale.length === 0 ? "none" : fleet.stale.join(", ")}; ${queue}`;
  fill(
    "fleet",
    fleet.models.map((m) => [
      cell(m.name, m.stale ? "bad" : ""),
      cell(m.modelVersion === null ? "–" : `v${m.modelVersion}`),
      cell(m.mcc === null ? "–" : m.mcc.toFixed(3)),
      cell(m.reports),
      cell(m.versions),
      cell(m.eventsProcessed),
      retrainButton(m.name),
    ]),
  );
  document.getElementById("buckets").textContent = state.buckets.length === 0
    ? "no bucket registered yet"
    : `buckets registered: ${state.buckets.join(", ")}`;
  fill(
    "datasets",
    [...state.datasets].reverse().map((d) => [
      cell(`d${d.version}`),
      cell(d.state),
      cell(d.buckets.join(", ")),
      cell(d.frozenBy.join(", ") || "–"),
    ]),
  );
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/api/state");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    status.textContent = `no answer: ${error.message}`;
  }
  setTimeout(poll, POLL_MS);
}

/** A cell with a button that asks for a retrain of one model of the fleet. */
function retrainButton(model) {
  const td = document.createElement("td");
  const button = document.createElement("button");
  button.textContent = "retrain";
  button.addEventListener("click", () => ask("train", model));
  td.append(button);
  return td;
}

async function ask(action, model) {
  const asked = document.getElementById("asked");
  const response = await fetch("/api/instructions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(model === undefined ? { action } : { action, model }),
  });
  const what = model === undefined ? action : `${action} of ${model}`;
  asked.textContent = response.ok
    ? `asked for ${what} at ${new Date().toLocaleTimeString()}`
    : `refused: ${await response.text()}`;
}

document.getElementById("retrain").addEventListener("click", () => ask("train"));
document.getElementById("optimise").addEventListener("click", () => ask("optimise"));
addEventListener("resize", () => chart?.setSize({ width: chartBox.clientWidth, height: 280 }));
poll();
