/**
 * `deno task experiment --config=<file> --input=<file> --out=<dir>`: runs the same stream twice,
 * with run-time adaptation and with the initial model only, and writes `<dir>/report.json` and
 * `<dir>/report.html` (batch MCC over stream time for both runs, with retrain/optimise markers).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import type { RetuneConfig } from "../config/schema.ts";
import { setupLogging } from "../logging/setup.ts";
import { RetuneSystem, type Summary } from "../actors/system.ts";
import { SERVICE_ROLES } from "../config/roles.ts";
import {
  type AdaptationMark,
  type ExperimentReport,
  meanBatchMcc,
  renderReportHtml,
  type RunReport,
} from "./experiment/report.ts";
import { withOwnDeployment } from "./experiment/own_deployment.ts";

/** How long the adaptive run waits at the end of the stream for a running job to finish. */
const IDLE_WAIT_MS = 120_000;

/** Called once a run's system has started, e.g. to sample its counters while it runs. */
export type RunWatcher = (system: RetuneSystem, adaptive: boolean) => void;

/**
 * Runs one pass over the stream, on topics (and an etcd namespace) of its own. `adaptive: false`
 * leaves the observer out and replays as fast as possible: with the initial model only, no score
 * depends on the pace (reports and buckets are counted in events or stream time). So does a
 * lockstep run (`experiment.mode`), whose engine waits for every job at each report.
 */
export function runOnce(
  config: RetuneConfig,
  input: string,
  adaptive: boolean,
  watch?: RunWatcher,
): Promise<Summary> {
  const tag = `${adaptive ? "adaptive" : "fixed"}-${crypto.randomUUID().slice(0, 8)}`;
  return withOwnDeployment(config, tag, async (own) => {
    const storage = await Deno.makeTempDir({ dir: own.storage.dir, prefix: "experiment-" })
      .catch(async () => {
        await Deno.mkdir(own.storage.dir, { recursive: true });
        return await Deno.makeTempDir({ dir: own.storage.dir, prefix: "experiment-" });
      });
    const system = await RetuneSystem.build({
      config: {
        ...own,
        storage: { dir: storage },
        // In lockstep the engine waits for every job, so pacing the replay changes nothing.
        replayer: adaptive && own.experiment.mode === "live"
          ? own.replayer
          : { ...own.replayer, rate: { kind: "max" } },
      },
      roles: SERVICE_ROLES,
      input,
      without: adaptive ? [] : ["observer"],
    });
    try {
      await system.start();
      watch?.(system, adaptive);
      await system.waitForEndOfInput();
      if (adaptive) await system.waitForIdle(IDLE_WAIT_MS);
    } finally {
      await system.stop();
      await Deno.remove(storage, { recursive: true }).catch(() => {});
    }
    return system.summary();
  });
}

/** One run's part of the report. */
export function runReport(name: string, summary: Summary): RunReport {
  const reports = summary.reports.map((r) => ({
    reportId: r.reportId,
    streamTime: r.streamTimeEnd,
    batchMcc: r.batch.mcc,
    modelVersion: r.modelVersion,
  }));
  const swapTime = new Map(summary.swaps.map((s) => [s.modelVersion, s.streamTime]));
  const adaptations: AdaptationMark[] = summary.adaptations
    .filter((a) => a.status === "completed" && a.modelVersion !== null)
    .map((a) => ({
      action: a.action,
      streamTime: swapTime.get(a.modelVersion!) ?? reports.at(-1)?.streamTime ?? 0,
      wallMs: a.wallMs,
      modelVersion: a.modelVersion!,
      reason: a.reason,
    }));
  return {
    name,
    reports,
    meanBatchMcc: meanBatchMcc(reports),
    adaptations,
    retrains: adaptations.filter((a) => a.action === "train").length,
    optimisations: adaptations.filter((a) => a.action === "optimise").length,
    abandonedOptimisations: summary.adaptations.filter((a) => a.status === "abandoned").length,
    modelVersions: summary.model_versions.map((m) => m.version),
    models: summary.model_versions.map((m) => ({
      version: m.version,
      method: m.method,
      params: { ...m.params },
      datasetVersion: m.datasetVersion,
      heldOutMcc: m.mcc,
    })),
    decisions: summary.instructions.map((i) => ({
      action: i.action,
      reason: i.reason,
      reportId: i.reportId,
      streamTime: i.streamTime,
    })),
    eventsProcessed: summary.events_processed,
    wallSeconds: summary.wall_seconds,
  };
}

/** Optional settings of `runExperiment`. */
export interface ExperimentOptions {
  /** Where the runs keep their data, instead of the configuration's `storage.dir`. */
  storageDir?: string;
  /** Watches each run while it runs. */
  watch?: RunWatcher;
}

/** Runs both passes and writes the report files; returns the report. */
export async function runExperiment(
  configPath: string,
  input: string,
  outDir: string,
  options: ExperimentOptions = {},
): Promise<ExperimentReport> {
  const loaded = await loadConfig(configPath);
  const config = options.storageDir === undefined
    ? loaded
    : { ...loaded, storage: { dir: options.storageDir } };
  const adaptive = runReport(
    "with run-time adaptation",
    await runOnce(config, input, true, options.watch),
  );
  const fixed = runReport("initial model only", await runOnce(config, input, false, options.watch));
  const report: ExperimentReport = {
    config: configPath,
    input,
    createdAt: new Date().toISOString(),
    runs: [adaptive, fixed],
    improvement: adaptive.meanBatchMcc - fixed.meanBatchMcc,
  };
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/report.json`, JSON.stringify(report, null, 2) + "\n");
  await Deno.writeTextFile(`${outDir}/report.html`, renderReportHtml(report));
  return report;
}

const HELP = `Usage: deno task experiment --config=<file> --input=<file> --out=<dir>

Replays a stream twice in one process, with run-time adaptation and with the initial model only,
and writes report.json and report.html (batch MCC over stream time, each model version's
parameters, each observer decision and its reason) into <dir>.

Options:
  --config=<file>  YAML configuration (e.g. deploy/examples/drift.yaml)
  --input=<file>   the stream to replay (e.g. made by scripts/generate_drift.ts)
  --out=<dir>      where the report goes (created if missing)
  -h, --help       show this text`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string" },
      input: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  if (values.config === undefined || values.input === undefined || values.out === undefined) {
    console.error("usage: deno task experiment --config=<file> --input=<file> --out=<dir>");
    Deno.exit(2);
  }
  const config = await loadConfig(values.config);
  setupLogging({ ...config.logging, level: "warning" });
  const report = await runExperiment(values.config, values.input, values.out);
  for (const run of report.runs) {
    console.log(
      `${run.name}: mean batch MCC ${run.meanBatchMcc.toFixed(3)} over ${run.reports.length} ` +
        `reports, ${run.retrains} retrains, ${run.optimisations} optimisations, ` +
        `${run.wallSeconds.toFixed(1)} s`,
    );
  }
  console.log(`improvement ${report.improvement.toFixed(3)}; report in ${values.out}/report.html`);
}
