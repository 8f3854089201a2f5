/**
 * In a lockstep experiment the dataset a report's decision trains on reaches the report window's
 * end: the engine, waiting at the window's end before the next window's first event, names that
 * event in its position; the collector takes every event before it (from the middle of an input
 * record too) and, looking at it, closes the bucket it ends, as it would once it collected it.
 * The stream's weeks hold 400 events; its half-week buckets end on the week's grid. With records
 * of 150 events window ends fall inside records; with records of 1,000 the first window ends
 * inside the stream's first record, before the engine has finished any. A third stream's event
 * step does not divide the half-week, so no bucket starts on an event: its buckets must still
 * keep to the grid (counted from each bucket's first event, they drifted half a step a bucket and
 * the second week's dataset ended half a week before its window did).
 *
 * The test reads the configuration and pattern, writes its temp folder (the factory's training
 * workers inherit those permissions); the yaml package reads its settings from the environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { loadConfig } from "../../config/load.ts";
import { configSchema } from "../../config/schema.ts";
import type { DatasetVersion } from "../../core/versions.ts";
import { decodeEnvelope } from "../../protocol/codec.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { benchConfig } from "../../scripts/experiment/drift_bench.ts";
import { setupLogging } from "../../logging/setup.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";

const WEEK = 604_800_000;
/** Events of a week: 200 steps of the stream's two keys. */
const WEEK_EVENTS = 400;

setupLogging({ level: "error", format: "text" });

/** Stream time between two events of a key: 200 steps a week, or one that misses the grid. */
const ON_GRID = WEEK / (WEEK_EVENTS / 2);
const OFF_GRID = Math.floor(WEEK / 197);

for (const [batchEvents, stepMs] of [[150, ON_GRID], [1_000, ON_GRID], [150, OFF_GRID]]) {
  Deno.test({
    name: `in lockstep every retrain trains on the stream up to its report window's end ` +
      `(records of ${batchEvents} events, ${stepMs === ON_GRID ? "" : "no "}event on the ` +
      `bucket grid)`,
    permissions: { read: true, write: [tmpdir()], env: true },
    fn: () => retrainsReachWindowEnds(batchEvents, stepMs),
  });
}

async function retrainsReachWindowEnds(batchEvents: number, stepMs: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-lockstep-lag-" });
  try {
    const input = `${dir}/stream.csv`;
    await generate({
      out: input,
      format: "csv",
      options: {
        events: 8 * WEEK_EVENTS,
        keys: 2,
        seed: 7,
        driftAt: [0.5],
        regimes: [REGIMES.runs, REGIMES.alternating],
        stepMs,
      },
    });
    const base = await loadConfig(DRIFT_CONFIG, { env: {} });
    // Every scored report asks for a retrain (no batch MCC reaches 1).
    const { policy } = configSchema.shape.observer.parse({
      policy: { kind: "trend", minScore: 1, minScoreHoldOff: 0 },
    });
    const config = benchConfig(
      {
        ...base,
        storage: { ...base.storage, dir: `${dir}/storage` },
        // A wait that does not settle shows as a missing or short dataset, not as a hang.
        experiment: { ...base.experiment, settleTimeoutMs: 20_000 },
      },
      policy,
      "train",
    );
    const system = await RetuneSystem.build({
      config: { ...config, replayer: { ...config.replayer, batchEvents } },
      roles: SERVICE_ROLES,
      input,
    });
    const versions = new Map<number, DatasetVersion>();
    await system.transport.subscribe({
      group: "test.lockstep",
      topics: [system.env.topics.datasetVersions],
      handler: (records) => {
        for (const record of records) {
          const version = decodeEnvelope(record.value).payload as DatasetVersion;
          versions.set(version.version, version);
        }
        return Promise.resolve();
      },
    });
    try {
      await system.start();
      await system.waitForEndOfInput();
      await system.waitForIdle(60_000);
    } finally {
      await system.stop();
    }
    const summary = system.summary();
    const trains = summary.instructions.filter((i) => i.action === "train");
    const retrains = summary.model_versions.filter((m) => m.method === "retrain");
    assert.ok(trains.length >= 4, `retrains asked for: ${trains.length}`);
    // Lockstep: each retrain is done before the stream goes on, so they pair up in order.
    assert.equal(retrains.length, trains.length);
    trains.forEach((instruction, i) => {
      const report = summary.reports.find((r) => r.reportId === instruction.reportId)!;
      const dataset = versions.get(retrains[i].datasetVersion);
      assert.ok(dataset !== undefined, `dataset v${retrains[i].datasetVersion} announced`);
      // The window's last event is in the dataset: nothing of the window is left out.
      assert.equal(
        dataset.streamTimeEnd,
        report.streamTimeEnd,
        `report ${report.reportId}: dataset v${dataset.version} ends at the window's end`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
