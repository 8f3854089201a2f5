/**
 * The experiment's two runs over the real Kafka broker: the tuned `deploy/examples/drift.yaml`
 * with `transport: kafka`, each run on topics of its own that it creates and deletes.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import type { RetuneSystem } from "../../actors/system.ts";
import { loadConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { runOnce, runReport } from "../../scripts/experiment/run_once.ts";
import { kafkaClient } from "../../scripts/topics.ts";
import { DRIFT_CONFIG, DRIFT_EVENTS, writeDriftStream } from "../fixtures/drift_input.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";

// Outside the test: starting a throwaway broker, when none is named, needs more permissions.
const brokers = await kafkaBrokers();

/** Least mean batch MCC the adaptive run must gain (it gains about 0.36 over about 0.27). */
const MARGIN = 0.15;

Deno.test({
  name: "over Kafka, adaptation retrains, optimises and beats the initial model",
  permissions: {
    read: true,
    // The temp folder: stream, buckets, datasets, model artifacts.
    write: [tmpdir()],
    net: ["127.0.0.1"],
    // kafkajs and the yaml package read their settings from the environment.
    env: true,
    sys: true,
  },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-experiment-kafka-" });
    try {
      const input = `${dir}/drift.csv`;
      await writeDriftStream(input);
      const loaded = await loadConfig(DRIFT_CONFIG);
      const config: RetuneConfig = {
        ...loaded,
        transport: "kafka",
        kafka: { ...loaded.kafka, brokers, clientId: uniqueName("test-drift") },
        storage: { ...loaded.storage, dir: `${dir}/storage` },
      };
      const topics: string[] = [];
      const watch = (system: RetuneSystem) => topics.push(...Object.values(system.env.topics));
      const summaries = [
        await runOnce(config, input, true, watch),
        await runOnce(config, input, false, watch),
      ];
      const [adaptive, fixed] = summaries.map((summary) => runReport("", summary));

      assert.ok(
        adaptive.meanBatchMcc > fixed.meanBatchMcc + MARGIN,
        `adaptive mean batch MCC ${adaptive.meanBatchMcc.toFixed(3)} beats the initial model's ` +
          `${fixed.meanBatchMcc.toFixed(3)} by more than ${MARGIN}`,
      );
      assert.ok(adaptive.retrains >= 1, `a retrain: ${JSON.stringify(adaptive.adaptations)}`);
      assert.ok(adaptive.optimisations >= 1, `an optimisation: ${JSON.stringify(adaptive)}`);
      assert.ok(adaptive.modelVersions.length > 1);
      assert.deepEqual(fixed.modelVersions, [0]);
      for (const summary of summaries) {
        assert.equal(summary.events_in, DRIFT_EVENTS);
        assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      }

      const perRun = Object.keys(config.topics).length;
      assert.equal(new Set(topics).size, 2 * perRun, `each run had ${perRun} topics of its own`);
      const admin = kafkaClient(config).admin();
      await admin.connect();
      try {
        const left = new Set(await admin.listTopics());
        assert.deepEqual(topics.filter((topic) => left.has(topic)), [], "and deleted them");
      } finally {
        await admin.disconnect();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
