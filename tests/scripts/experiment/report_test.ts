import assert from "node:assert/strict";
import {
  type ExperimentReport,
  meanBatchMcc,
  renderReportHtml,
  type RunReport,
} from "../../../scripts/experiment/report.ts";

function run(
  name: string,
  mccs: number[],
  adaptations: RunReport["adaptations"],
  decisions: RunReport["decisions"] = [],
): RunReport {
  const reports = mccs.map((batchMcc, i) => ({
    reportId: i,
    streamTime: 1_000_000 + i * 86_400_000,
    batchMcc,
    modelVersion: 0,
  }));
  return {
    name,
    reports,
    meanBatchMcc: meanBatchMcc(reports),
    adaptations,
    retrains: adaptations.filter((a) => a.action === "train").length,
    optimisations: adaptations.filter((a) => a.action === "optimise").length,
    abandonedOptimisations: 0,
    liveKept: [],
    modelVersions: [0, ...adaptations.map((a) => a.modelVersion)],
    models: [0, ...adaptations.map((a) => a.modelVersion)].map((version) => ({
      version,
      method: version === 0 ? "initial" : "retrain",
      params: { order: 2 + version, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
      datasetVersion: version,
      heldOutMcc: 0.25 * version,
      recalledFrom: null,
    })),
    decisions,
    eventsProcessed: 100,
    wallSeconds: 1.5,
  };
}

Deno.test("meanBatchMcc averages the series and is 0 when empty", () => {
  assert.equal(meanBatchMcc([]), 0);
  assert.equal(run("a", [0.2, 0.4, 0.6], []).meanBatchMcc.toFixed(6), "0.400000");
});

Deno.test("the page is self-contained and shows both runs with their markers", () => {
  const report: ExperimentReport = {
    config: "deploy/examples/drift.yaml",
    input: "<drift>.csv",
    createdAt: "2026-11-22T00:00:00Z",
    runs: [
      run("adaptive", [0.5, 0.1, 0.6], [
        {
          action: "train",
          streamTime: 1_000_000 + 86_400_000,
          wallMs: 1200,
          modelVersion: 1,
          reason: "trend",
        },
        {
          action: "optimise",
          streamTime: 1_000_000 + 2 * 86_400_000,
          wallMs: 9000,
          modelVersion: 2,
          reason: "minimum score",
        },
      ], [
        { action: "train", reason: "slope -0.2 < -0.025", reportId: 1, streamTime: 1_000_000 },
        {
          action: "optimise",
          reason: "batch MCC 0.1 < minScore 0.2",
          reportId: 2,
          streamTime: 1_000_000 + 86_400_000,
        },
      ]),
      run("initial model only", [0.5, 0.1, 0.1], []),
    ],
    improvement: 0.1667,
  };
  const html = renderReportHtml(report);
  assert.equal((html.match(/<polyline /g) ?? []).length, 2);
  assert.equal((html.match(/class="mark"/g) ?? []).length, 2);
  assert.match(html, /optimise -&gt; model v2|optimise -> model v2/);
  assert.match(html, /&lt;drift&gt;\.csv/, "user text is escaped");
  assert.doesNotMatch(html, /<script|src="http|href="http/, "loads nothing from outside");
  assert.match(html, /0\.167/);
});

Deno.test("the page states each model's parameters and each decision's reason, with a legend", () => {
  const adaptive = run("adaptive", [0.5, 0.1, 0.6], [
    { action: "train", streamTime: 1_000_000, wallMs: 1200, modelVersion: 1, reason: "trend" },
    { action: "optimise", streamTime: 1_000_000, wallMs: 900, modelVersion: 2, reason: "score" },
  ], [{ action: "optimise", reason: "batch MCC 0.1 < 0.2", reportId: 2, streamTime: 1_000_000 }]);
  const html = renderReportHtml({
    config: "c.yaml",
    input: "i.csv",
    createdAt: "2026-11-22T00:00:00Z",
    runs: [adaptive, run("initial model only", [0.5, 0.1, 0.1], [])],
    improvement: 0.1,
  });
  assert.match(html, /<meta name="viewport" content="width=device-width/, "narrow screens");
  assert.match(html, /svg class="chart" viewBox="0 0 \d+ \d+"/, "the chart scales to the screen");
  assert.doesNotMatch(html, /<svg class="chart"[^>]* width=/, "no fixed chart width");
  const legend = /<ul class="legend">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
  for (
    const entry of ["adaptive", "initial model only", "a retrain", "an optimisation", "decision"]
  ) {
    assert.ok(legend.includes(entry), `the legend names ${entry}`);
  }
  // Each marker is labelled with the model version it brought.
  assert.match(html, /<g class="mark">.*?>v1<\/text>/);
  assert.match(html, /<g class="mark">.*?>v2<\/text>/);
  assert.equal((html.match(/class="decision"/g) ?? []).length, 1);
  // Model v2: made by a retrain on dataset v2, held-out MCC 0.5, order 4, threshold 0.5.
  assert.match(
    html,
    /<td>v2<\/td><td>retrain<\/td><td>v2<\/td><td>0\.500<\/td><td>4<\/td><td>0\.5<\/td>/,
  );
  assert.match(
    html,
    /<li><b>optimise<\/b> after report 2 \(stream day [\d.]+\): batch MCC 0\.1 &lt; 0\.2<\/li>/,
  );
});
