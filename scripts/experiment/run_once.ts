/**
 * One pass of an experiment over a stream, on a deployment of its own, and its part of the
 * report.
 *
 * @module
 */

import type { RetuneConfig } from "../../config/schema.ts";
import { RetuneSystem, type Summary } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { type AdaptationMark, meanBatchMcc, type RunReport } from "./report.ts";
import { withOwnDeployment } from "./own_deployment.ts";

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
        storage: { ...own.storage, dir: storage },
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
    liveKept: summary.adaptations
      .filter((a) => a.status === "completed" && a.modelVersion === null)
      .map((a) => ({ action: a.action, reason: a.reason })),
    modelVersions: summary.model_versions.map((m) => m.version),
    models: summary.model_versions.map((m) => ({
      version: m.version,
      method: m.method,
      params: { ...m.params },
      datasetVersion: m.datasetVersion,
      heldOutMcc: m.mcc,
      recalledFrom: m.recalledFrom,
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
