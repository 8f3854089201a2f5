import assert from "node:assert/strict";
import {
  type ExperimentReport,
  meanBatchMcc,
  renderReportHtml,
  type RunReport,
} from "../../../scripts/experiment/report.ts";

function run(name: string, mccs: number[], adaptations: RunReport["adaptations"]): RunReport {
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
    modelVersions: [0, ...adaptations.map((a) => a.modelVersion)],
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
        { action: "train", streamTime: 1_000_000 + 86_400_000, wallMs: 1200, modelVersion: 1 },
        {
          action: "optimise",
          streamTime: 1_000_000 + 2 * 86_400_000,
          wallMs: 9000,
          modelVersion: 2,
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
