/**
 * A fleet's metrics series with `engine.reportBy: partition`: each model's observer merges its own
 * lane's partition windows, learning from the engine's progress records how far the partitions
 * without its keys closed, and merges without an input partition no key falls in once it stayed
 * silent past `observer.mergeIdleMs`. Each model's merged windows hold exactly its keys' events of
 * each grid window.
 */

import assert from "node:assert/strict";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { loadConfig, parseConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { KeyPartitioner } from "../../transport/key_partitioner.ts";
import { setupLogging } from "../../logging/setup.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";

setupLogging({ level: "warning", format: "text" });

const EVENTS = 27_000;
const PERIOD_MS = 300_000;
const PARTITIONS = 4;

/** alpha: two keys on two partitions; beta: one key on a third; no key on the fourth. */
const MODELS = `
models:
  - { name: alpha, select: { keys: [k0, k3] } }
  - { name: beta, select: { keys: [k8] } }
`;

Deno.test({
  name: "each fleet model's merged series holds exactly its keys' events of each grid window",
  permissions: { read: true, write: true, env: true, sys: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-merged-fleet-" });
    try {
      const input = `${dir}/drift.csv`;
      await generate({
        out: input,
        format: "csv",
        options: {
          events: EVENTS,
          keys: 9,
          seed: 1,
          driftAt: [0.3],
          regimes: [REGIMES.runs, REGIMES.alternating],
        },
      });
      const partitioner = new KeyPartitioner(PARTITIONS);
      const used = new Set(["k0", "k3", "k8"].map((key) => partitioner.partition(key)));
      assert.equal(used.size, 3, "the models' keys lie on three partitions");
      const empty = [...Array(PARTITIONS).keys()].filter((p) =>
        !new Set([...Array(9).keys()].map((i) => partitioner.partition(`k${i}`))).has(p)
      );
      assert.equal(empty.length, 1, "one partition carries no key");

      const loaded = await loadConfig(DRIFT_CONFIG, { env: {} });
      const config: RetuneConfig = {
        ...loaded,
        model: { ...loaded.model, initialTraining: { events: 3_000 } },
        engine: { ...loaded.engine, reportBy: "partition", report: { everyStreamMs: PERIOD_MS } },
        observer: { ...loaded.observer, mergeIdleMs: 3_000 },
        storage: { ...loaded.storage, dir: `${dir}/storage` },
        topics: { ...loaded.topics, input: { ...loaded.topics.input, partitions: PARTITIONS } },
        models: parseConfig(
          `model: { pattern: ${loaded.model.pattern}, source: { domain: demo_abc } }\n` + MODELS,
          `${dir}/fleet.yaml`,
          { env: {} },
        ).models,
      };

      // Each model's events per grid window, from the stream itself.
      const rows = (await Deno.readTextFile(input)).trim().split("\n").map((line) => {
        const [, timestamp, key] = line.split(",");
        return { timestamp: Number(timestamp), key };
      });
      const lastOpen = Math.floor(Math.max(...rows.map((r) => r.timestamp)) / PERIOD_MS) *
        PERIOD_MS;
      const expected = (keys: string[]) => {
        const windows = new Map<number, number>();
        for (const { timestamp, key } of rows) {
          const start = Math.floor(timestamp / PERIOD_MS) * PERIOD_MS;
          if (keys.includes(key) && start < lastOpen) {
            windows.set(start, (windows.get(start) ?? 0) + 1);
          }
        }
        return [...windows].sort(([a], [b]) => a - b).map(([start, events], reportId) => ({
          reportId,
          start,
          events,
        }));
      };
      const keysOf = { alpha: ["k0", "k3"], beta: ["k8"] };

      const system = await RetuneSystem.build({
        config,
        roles: SERVICE_ROLES,
        input,
        without: ["optimiser", "collector", "serving"],
      });
      try {
        await system.start();
        for (const [model, keys] of Object.entries(keysOf)) {
          const want = expected(keys);
          await eventually(() => system.reportsOf(model).length >= want.length, {
            what: `${want.length} merged reports of ${model}`,
            deadlineMs: 60_000,
          });
          const series = system.reportsOf(model).map((r) => ({
            reportId: r.reportId,
            start: r.streamTimeStart,
            events: r.eventsInBatch,
          }));
          assert.deepEqual(series, want, `${model}'s windows`);
          const last = system.reportsOf(model).at(-1)!;
          assert.equal(last.eventsProcessed, want.reduce((n, w) => n + w.events, 0));
          const { tp, fp, tn, fn } = last.cumulative;
          assert.ok(tp + fp + tn + fn > 0, `${model}'s forecasts are scored`);
        }
        // What the observers decided on merged windows went out as instructions.
        const decided = () =>
          Object.keys(keysOf).flatMap((model) =>
            system.viewOf("observer", model).instructions.map(({ action, reason, reportId }) =>
              `observer:${model} ${reportId} ${action}: ${reason}`
            )
          ).sort();
        const sent = () =>
          system.decisions.map(({ sender, action, reason, reportId }) =>
            `${sender} ${reportId} ${action}: ${reason}`
          ).sort();
        assert.ok(decided().length > 0, "the drift sets off decisions");
        await eventually(() => sent().length >= decided().length, {
          what: "every decision sent",
        });
        assert.deepEqual(sent(), decided());
      } finally {
        await system.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
