/**
 * The experiment report: the same stream run with run-time adaptation and with the initial model
 * only, as JSON (`report.json`) and as a self-contained page with a chart (`report.html`).
 *
 * @module
 */

/** One point of a run's metrics series. */
export interface ReportPoint {
  reportId: number;
  /** End of the batch in stream time, epoch ms. */
  streamTime: number;
  batchMcc: number;
  modelVersion: number;
}

/** A retrain or optimisation that produced a model, placed in stream and wall time. */
export interface AdaptationMark {
  action: "train" | "optimise";
  /** Stream time when the engine swapped the model in, epoch ms. */
  streamTime: number;
  /** Wall time the factory and optimiser spent producing it, ms. */
  wallMs: number;
  modelVersion: number;
}

/** One run of the experiment. */
export interface RunReport {
  name: string;
  reports: ReportPoint[];
  meanBatchMcc: number;
  adaptations: AdaptationMark[];
  retrains: number;
  optimisations: number;
  abandonedOptimisations: number;
  modelVersions: number[];
  eventsProcessed: number;
  wallSeconds: number;
}

/** Both runs and how they compare. */
export interface ExperimentReport {
  config: string;
  input: string;
  createdAt: string;
  runs: RunReport[];
  /** Mean batch MCC of the first (adaptive) run minus that of the second (initial model only). */
  improvement: number;
}

/** Mean of the batch MCC values of a series (0 for an empty series). */
export function meanBatchMcc(points: readonly ReportPoint[]): number {
  if (points.length === 0) return 0;
  return points.reduce((sum, p) => sum + p.batchMcc, 0) / points.length;
}

const WIDTH = 900;
const HEIGHT = 360;
const MARGIN = { left: 56, right: 16, top: 16, bottom: 40 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

/** Renders the report as one HTML page with an inline SVG chart; nothing is loaded from outside. */
export function renderReportHtml(report: ExperimentReport): string {
  const all = report.runs.flatMap((r) => r.reports);
  const t0 = Math.min(...all.map((p) => p.streamTime));
  const t1 = Math.max(...all.map((p) => p.streamTime));
  const span = t1 > t0 ? t1 - t0 : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + ((t - t0) / span) * plotW;
  // MCC lies in [-1, 1]; the chart shows that whole range so runs are comparable at a glance.
  const y = (mcc: number) => MARGIN.top + ((1 - mcc) / 2) * plotH;

  const grid = [-1, -0.5, 0, 0.5, 1].map((v) =>
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${
      y(v)
    }" class="grid"/>` +
    `<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`
  ).join("");
  const days = (t: number) => ((t - t0) / 86_400_000).toFixed(1);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * span).map((t) =>
    `<text x="${x(t)}" y="${HEIGHT - 16}" text-anchor="middle">${days(t)} d</text>`
  ).join("");
  const series = report.runs.map((run, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const path = run.reports.map((p) => `${x(p.streamTime).toFixed(1)},${y(p.batchMcc).toFixed(1)}`)
      .join(" ");
    const marks = run.adaptations.map((m) =>
      `<g class="mark"><line x1="${x(m.streamTime)}" x2="${x(m.streamTime)}" y1="${MARGIN.top}" ` +
      `y2="${HEIGHT - MARGIN.bottom}" stroke="${colour}" stroke-dasharray="${
        m.action === "optimise" ? "6,3" : "2,3"
      }"/><title>${m.action} -> model v${m.modelVersion} (${
        (m.wallMs / 1000).toFixed(1)
      } s)</title></g>`
    ).join("");
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>${marks}`;
  }).join("");
  const rows = report.runs.map((run, i) =>
    `<tr><td><span class="swatch" style="background:${COLOURS[i % COLOURS.length]}"></span>${
      escapeHtml(run.name)
    }</td><td>${
      run.meanBatchMcc.toFixed(3)
    }</td><td>${run.retrains}</td><td>${run.optimisations}</td>` +
    `<td>${run.modelVersions.length}</td><td>${run.eventsProcessed}</td><td>${
      run.wallSeconds.toFixed(1)
    }</td></tr>`
  ).join("");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Retune experiment</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
svg text{font-size:11px;fill:#555}.grid{stroke:#ddd}
table{border-collapse:collapse;margin-top:16px}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
</style></head><body>
<h1>Batch MCC over stream time</h1>
<p>Input <code>${escapeHtml(report.input)}</code>, config <code>${
    escapeHtml(report.config)
  }</code>, ${escapeHtml(report.createdAt)}.
Mean batch MCC improvement of adaptation: <b>${report.improvement.toFixed(3)}</b>.
Dashed lines mark model swaps: long dashes after an optimisation, short after a retrain.</p>
<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Batch MCC chart">
${grid}${ticks}${series}
<text x="${WIDTH / 2}" y="${HEIGHT - 2}" text-anchor="middle">stream time since start</text>
</svg>
<table><tr><th>run</th><th>mean batch MCC</th><th>retrains</th><th>optimisations</th><th>models</th><th>events</th><th>wall s</th></tr>
${rows}</table>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}
