/**
 * The experiment report: the same stream run with run-time adaptation and with the initial model
 * only, as JSON (`report.json`) and as a self-contained page (`report.html`): a chart with a
 * legend and labelled markers, each model version's parameters and each decision's reason, laid
 * out to read on a narrow screen too.
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
  /** Why it was asked for (the observer's reason, as the optimiser recorded it). */
  reason: string;
}

/** A model version the run shipped, with what it was made from. */
export interface ModelRow {
  version: number;
  /** `initial`, `retrain` or `optimise`. */
  method: string;
  /** Its hyper-parameters (order, threshold, pMin, gamma, alpha, r). */
  params: Record<string, number>;
  datasetVersion: number;
  /** Its MCC on the held-out part of its dataset. */
  heldOutMcc: number;
  /** The earlier version it is a copy of (`factory.gate.recall`); null for any other. */
  recalledFrom: number | null;
}

/** An observer decision: what it asked for, on which report, and why. */
export interface Decision {
  action: "train" | "optimise";
  reason: string;
  reportId: number;
  /** Stream time of the report that led to it, epoch ms. */
  streamTime: number;
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
  /** Retrains and optimisations whose new model the factory did not ship, with its reason. */
  liveKept: { action: "train" | "optimise"; reason: string }[];
  modelVersions: number[];
  /** Every model version shipped, with its parameters. */
  models: ModelRow[];
  /** Every observer decision, with its reason (none without an observer). */
  decisions: Decision[];
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

// A compact drawing, scaled to the page: its text stays legible at a phone's width.
const WIDTH = 520;
const HEIGHT = 300;
const MARGIN = { left: 36, right: 12, top: 30, bottom: 44 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
/** Dash pattern of a model-swap marker, by the action that made the model. */
const DASH = { train: "2,3", optimise: "7,3" } as const;
const PARAMS = ["order", "threshold", "pMin", "gamma", "alpha", "r"];
const DAY_MS = 86_400_000;

/** Renders the report as one HTML page with an inline SVG chart; nothing is loaded from outside. */
export function renderReportHtml(report: ExperimentReport): string {
  const all = report.runs.flatMap((r) => r.reports);
  const t0 = Math.min(...all.map((p) => p.streamTime));
  const t1 = Math.max(...all.map((p) => p.streamTime));
  const span = t1 > t0 ? t1 - t0 : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + ((Math.min(Math.max(t, t0), t1) - t0) / span) * plotW;
  // MCC lies in [-1, 1]; the chart shows that whole range so runs are comparable at a glance.
  const y = (mcc: number) => MARGIN.top + ((1 - mcc) / 2) * plotH;
  const days = (t: number) => ((t - t0) / DAY_MS).toFixed(1);

  const grid = [-1, -0.5, 0, 0.5, 1].map((v) =>
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" ` +
    `class="grid"/><text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`
  ).join("");
  // The end labels are anchored inwards, so that they are not cut at the edges.
  const anchors = ["start", "middle", "middle", "middle", "end"];
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f, i) =>
    `<text x="${x(t0 + f * span)}" y="${HEIGHT - 24}" text-anchor="${anchors[i]}">${
      days(t0 + f * span)
    } d</text>`
  ).join("");
  const series = report.runs.map((run, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const path = run.reports.map((p) => `${x(p.streamTime).toFixed(1)},${y(p.batchMcc).toFixed(1)}`)
      .join(" ");
    // Each swap is a dashed line labelled with the model it brought; labels alternate in height
    // so that two swaps close together stay readable.
    const marks = run.adaptations.map((m, k) =>
      `<g class="mark"><line x1="${x(m.streamTime)}" x2="${x(m.streamTime)}" y1="${MARGIN.top}" ` +
      `y2="${HEIGHT - MARGIN.bottom}" stroke="${colour}" stroke-dasharray="${DASH[m.action]}"/>` +
      `<text x="${x(m.streamTime)}" y="${MARGIN.top - 4 - (k % 2) * 11}" text-anchor="middle" ` +
      `fill="${colour}">v${m.modelVersion}</text><title>${m.action} -> model v${m.modelVersion} ` +
      `(${(m.wallMs / 1000).toFixed(1)} s): ${escapeHtml(m.reason)}</title></g>`
    ).join("");
    const decisions = run.decisions.map((d) => {
      const cx = x(d.streamTime);
      const base = HEIGHT - MARGIN.bottom;
      return `<g class="decision"><path d="M${cx - 4},${base + 8} L${cx + 4},${base + 8} ` +
        `L${cx},${base + 1} Z" fill="${colour}"/><title>report ${d.reportId}: ${d.action}: ` +
        `${escapeHtml(d.reason)}</title></g>`;
    }).join("");
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>` +
      marks + decisions;
  }).join("");

  const legend = [
    ...report.runs.map((run, i) =>
      `<li><svg width="24" height="10" aria-hidden="true"><line x1="0" x2="24" y1="5" y2="5" ` +
      `stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2"/></svg>${escapeHtml(run.name)}</li>`
    ),
    ...(["train", "optimise"] as const).map((action) =>
      `<li><svg width="24" height="10" aria-hidden="true"><line x1="0" x2="24" y1="5" y2="5" ` +
      `stroke="#555" stroke-dasharray="${DASH[action]}"/></svg>model swap after ` +
      `${action === "train" ? "a retrain" : "an optimisation"} (labelled with its version)</li>`
    ),
    `<li><svg width="24" height="10" aria-hidden="true"><path d="M8,9 L16,9 L12,2 Z" ` +
    `fill="#555"/></svg>observer decision (retrain or optimise asked for)</li>`,
  ].join("");

  const summaryRows = report.runs.map((run, i) =>
    `<tr><td><span class="swatch" style="background:${COLOURS[i % COLOURS.length]}"></span>${
      escapeHtml(run.name)
    }</td><td>${run.meanBatchMcc.toFixed(3)}</td><td>${run.retrains}</td>` +
    `<td>${run.optimisations}</td><td>${run.modelVersions.length}</td>` +
    `<td>${run.eventsProcessed}</td><td>${run.wallSeconds.toFixed(1)}</td></tr>`
  ).join("");
  const modelTables = report.runs.map((run) =>
    `<h3>${escapeHtml(run.name)}</h3>` + table(
      ["model", "made by", "dataset", "held-out MCC", ...PARAMS],
      run.models.map((m) => [
        `v${m.version}`,
        m.method,
        m.datasetVersion < 0 ? "—" : `v${m.datasetVersion}`,
        m.heldOutMcc.toFixed(3),
        ...PARAMS.map((p) => formatParam(m.params[p])),
      ]),
    )
  ).join("");
  // A list rather than a table: a reason is a sentence, which wraps well on a narrow screen.
  const decisionLists =
    report.runs.filter((run) => run.decisions.length > 0).map((run) =>
      `<h3>${escapeHtml(run.name)}</h3><ol class="decisions">${
        run.decisions.map((d) =>
          `<li><b>${
            d.action === "train" ? "retrain" : "optimise"
          }</b> after report ${d.reportId} ` +
          `(stream day ${days(d.streamTime)}): ${escapeHtml(d.reason)}</li>`
        ).join("\n")
      }</ol>`
    ).join("") || "<p>No decisions: no run had an observer.</p>";

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retune experiment</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;padding:0 12px;max-width:60rem;color:#222}
svg.chart{width:100%;max-width:760px;height:auto;display:block}svg text{font-size:11px;fill:#555}.grid{stroke:#ddd}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}.legend svg{margin-right:6px;vertical-align:middle}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:8px 0}
td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left}.decisions{padding-left:1.5em}.decisions li{margin:4px 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}code{word-break:break-all}
@media (max-width:600px){body{margin:8px auto;padding:0 6px;font-size:13px}td,th{padding:3px 6px}h1{font-size:1.3em}}
</style></head><body>
<h1>Batch MCC over stream time</h1>
<p>Input <code>${escapeHtml(report.input)}</code>, config <code>${
    escapeHtml(report.config)
  }</code>, ${escapeHtml(report.createdAt)}.
Mean batch MCC improvement of adaptation: <b>${report.improvement.toFixed(3)}</b>.</p>
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Batch MCC over stream time, one line per run">
${grid}${ticks}${series}
<text x="${MARGIN.left + plotW / 2}" y="${
    HEIGHT - 6
  }" text-anchor="middle">stream time since start (days)</text>
</svg>
<ul class="legend">${legend}</ul>
<div class="scroll"><table><tr><th>run</th><th>mean batch MCC</th><th>retrains</th><th>optimisations</th><th>models</th><th>events</th><th>wall s</th></tr>
${summaryRows}</table></div>
<h2>Model versions and their parameters</h2>
${modelTables}
<h2>Observer decisions and their reasons</h2>
${decisionLists}
</body></html>
`;
}

/** A table in a horizontally scrolling box. */
function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((cells) =>
    `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`
  ).join("\n");
  return `<div class="scroll"><table><tr>${head}</tr>\n${body}</table></div>`;
}

function formatParam(value: number | undefined): string {
  if (value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}
