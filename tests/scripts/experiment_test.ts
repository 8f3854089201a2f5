/**
 * The experiment end to end in embedded mode: the seeded drifting stream, replayed with run-time
 * adaptation and with the initial model only under the tuned `deploy/examples/drift.yaml`, and
 * the report files it writes.
 *
 * The test reads the configuration, pattern and stream, writes its temp folder, and the factory's
 * training workers inherit those permissions; the yaml package reads its settings from the
 * environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import type { RetuneSystem, Summary } from "../../actors/system.ts";
import { runExperiment } from "../../scripts/experiment.ts";
import type { ExperimentReport, RunReport } from "../../scripts/experiment/report.ts";
import { DRIFT_CONFIG, DRIFT_EVENTS, writeDriftStream } from "../fixtures/drift_input.ts";
import {
  type ProgressSample,
  progressWhileAdapting,
  sampleProgress,
} from "../fixtures/engine_progress.ts";

/**
 * Least mean batch MCC the adaptive run must gain over the initial model (about 0.27). It gains
 * 0.30 to 0.41 on a loaded 2-core machine; the margin leaves room for slower adaptations.
 */
const MARGIN = 0.15;

/** Most events the engine may fall behind the replayer while a job runs: 5 replayer batches. */
const MAX_LAG = 1_000;

Deno.test({
  name:
    "on a drifting stream adaptation beats the initial model, retrains and optimises, and the engine keeps up meanwhile",
  permissions: { read: true, write: [tmpdir()], env: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-experiment-" });
    try {
      const input = `${dir}/drift.csv`;
      await writeDriftStream(input);
      const systems = new Map<boolean, RetuneSystem>();
      let samples: ProgressSample[] = [];
      const report = await runExperiment(DRIFT_CONFIG, input, `${dir}/out`, {
        storageDir: `${dir}/storage`,
        watch(system, adaptive) {
          systems.set(adaptive, system);
          if (adaptive) samples = sampleProgress(system);
        },
      });
      const [adaptive, fixed] = report.runs;
      const adaptiveSummary = systems.get(true)!.summary();
      const fixedSummary = systems.get(false)!.summary();

      assert.ok(
        adaptive.meanBatchMcc > fixed.meanBatchMcc + MARGIN,
        `adaptive mean batch MCC ${adaptive.meanBatchMcc.toFixed(3)} beats the initial model's ` +
          `${fixed.meanBatchMcc.toFixed(3)} by more than ${MARGIN}`,
      );
      assert.equal(report.improvement, adaptive.meanBatchMcc - fixed.meanBatchMcc);

      assertAdapted(adaptive, adaptiveSummary);
      assert.deepEqual(
        [fixed.retrains, fixed.optimisations, fixed.modelVersions],
        [0, 0, [0]],
        "the initial model only",
      );
      for (const summary of [adaptiveSummary, fixedSummary]) {
        assert.equal(summary.events_in, DRIFT_EVENTS);
        assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      }

      const progress = progressWhileAdapting(samples);
      assert.ok(progress.samples >= 3, `jobs overlapped the stream: ${JSON.stringify(progress)}`);
      assert.ok(progress.processed > 0, `the engine processed events meanwhile`);
      assert.equal(progress.stalledSpells, 0, `no stall: ${JSON.stringify(progress)}`);
      assert.ok(progress.maxLag <= MAX_LAG, `the engine kept up: ${JSON.stringify(progress)}`);

      await assertReportFiles(`${dir}/out`, report);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** At least one retrain and one optimisation completed, each with a model that was swapped in. */
function assertAdapted(run: RunReport, summary: Summary): void {
  const asked = new Set(summary.instructions.map((i) => i.action));
  assert.deepEqual([...asked].sort(), ["optimise", "train"], "the observer asked for both");
  const completed = summary.adaptations.filter((a) => a.status === "completed");
  assert.ok(completed.some((a) => a.action === "train"), "a retrain completed");
  assert.ok(completed.some((a) => a.action === "optimise"), "an optimisation completed");
  assert.ok(run.retrains >= 1 && run.optimisations >= 1, JSON.stringify(run.adaptations));
  assert.ok(run.modelVersions.length > 1, `model versions ${run.modelVersions}`);
  const swapped = new Set(summary.swaps.map((s) => s.modelVersion));
  for (const mark of run.adaptations) {
    assert.ok(swapped.has(mark.modelVersion), `model v${mark.modelVersion} was swapped in`);
    assert.ok(run.modelVersions.includes(mark.modelVersion));
  }
  const forecastBy = new Set(run.reports.map((p) => p.modelVersion));
  assert.ok(forecastBy.size > 1, "reports come from more than the initial model");
}

/** report.json holds the report returned; report.html shows both runs and every adaptation. */
async function assertReportFiles(outDir: string, report: ExperimentReport): Promise<void> {
  const written: ExperimentReport = JSON.parse(await Deno.readTextFile(`${outDir}/report.json`));
  assert.deepEqual(written, report);
  const [first, last] = [report.runs[0].reports[0], report.runs[0].reports.at(-1)!];
  for (const run of written.runs) {
    assert.equal(run.reports.length, 20, "a report every 2,000 events");
    const mean = run.reports.reduce((sum, p) => sum + p.batchMcc, 0) / run.reports.length;
    assert.ok(Math.abs(run.meanBatchMcc - mean) < 1e-12);
    for (const point of run.reports) {
      assert.deepEqual(Object.keys(point).sort(), [
        "batchMcc",
        "modelVersion",
        "reportId",
        "streamTime",
      ]);
    }
    for (const mark of run.adaptations) {
      assert.ok(["train", "optimise"].includes(mark.action));
      assert.ok(mark.streamTime >= first.streamTime && mark.streamTime <= last.streamTime);
      assert.ok(mark.wallMs > 0);
    }
  }
  const html = await Deno.readTextFile(`${outDir}/report.html`);
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<polyline /g) ?? []).length, 2, "one line per run");
  assert.equal(
    (html.match(/class="mark"/g) ?? []).length,
    report.runs[0].adaptations.length,
    "a marker per adaptation",
  );
  assert.ok(html.includes(`<b>${report.improvement.toFixed(3)}</b>`));
}
