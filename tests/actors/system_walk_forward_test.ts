/**
 * Walk-forward validation in the embedded system: with `factory.evaluation.kind: walk_forward`,
 * every model version the factory ships carries one held-out score per fold, in the catalogue,
 * in its announcement on the model-versions topic (through Avro) and in the run's summary, and
 * its score is their mean.
 *
 * The test reads the sample and pattern, writes its temp folder (the training workers inherit
 * those permissions); the replayer's kafkajs partitioner reads environment variables as it loads.
 */

import assert from "node:assert/strict";
import { defaultConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import type { ModelVersion } from "../../core/versions.ts";
import { encodeEnvelope, newEnvelope } from "../../protocol/codec.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { setupLogging } from "../../logging/setup.ts";
import { eventually } from "../fixtures/eventually.ts";

const SAMPLE = new URL("../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
const FOLDS = 3;

setupLogging({ level: "warning", format: "text" });

/** Embedded defaults at a test's scale, candidates scored by walk-forward validation. */
function walkForwardConfig(dir: string): RetuneConfig {
  const base = defaultConfig();
  return {
    ...base,
    logging: { level: "warning", format: "text" },
    storage: { ...base.storage, dir },
    model: { ...base.model, initialTraining: { ...base.model.initialTraining, events: 1_500 } },
    engine: { ...base.engine, report: { everyEvents: 500 } },
    collector: {
      ...base.collector,
      bucket: { byEvents: 1_000 },
      keep: 2,
      policy: { kind: "last_k", k: 2 },
    },
    factory: { ...base.factory, evaluation: { kind: "walk_forward", folds: FOLDS } },
  };
}

/** Asserts that `model` keeps one score per fold and that its score is their mean. */
function assertScoredPerFold(model: ModelVersion, where: string): void {
  const what = `v${model.version} (${model.creationMethod}) ${where}`;
  assert.equal(model.splitScores?.length, FOLDS, `${what}: one score per fold`);
  const mean = model.splitScores!.reduce((sum, split) => sum + split.mcc, 0) / FOLDS;
  assert.ok(Math.abs(model.metrics.mcc - mean) < 1e-12, `${what}: MCC is the folds' mean`);
  const tp = model.splitScores!.reduce((sum, split) => sum + split.tp, 0);
  assert.equal(model.metrics.tp, tp, `${what}: counts add up over the folds`);
}

Deno.test("walk-forward validation keeps each fold's scores with every model version", {
  permissions: { read: true, write: true, env: true },
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "retune-walk-forward-" });
  try {
    const input = `${dir}/input.csv`;
    const rows = (await Deno.readTextFile(SAMPLE)).split("\n").slice(0, 6_000);
    await Deno.writeTextFile(input, rows.join("\n") + "\n");
    const system = await RetuneSystem.build({
      config: walkForwardConfig(`${dir}/storage`),
      roles: SERVICE_ROLES,
      input,
      // The test asks for the retrain itself.
      without: ["observer"],
    });
    try {
      await system.start();
      await system.waitForEndOfInput();
      await eventually(() => system.view("factory").latestDataset !== null, {
        what: "a dataset is assembled",
      });
      const instruction = newEnvelope("Instruction", "test", {
        action: "train",
        reason: "walk-forward test",
        reportId: 0,
      });
      await system.transport.publish(system.env.topics.instructions, [
        { key: null, value: encodeEnvelope(instruction) },
      ]);
      await eventually(
        () => system.modelVersions.some((model) => model.creationMethod === "retrain"),
        { what: "the retrain's model version is announced" },
      );

      const announced = system.modelVersions;
      assert.deepEqual(announced.map((m) => m.creationMethod), ["initial", "retrain"]);
      for (const model of announced) assertScoredPerFold(model, "as announced");
      for (const model of await system.env.catalog.list()) {
        assertScoredPerFold(model, "in the catalogue");
        const sent = announced.find((m) => m.version === model.version)!;
        assert.deepEqual(model.splitScores, sent.splitScores);
      }
      const summary = system.summary();
      assert.deepEqual(
        summary.model_versions.map((m) => m.splitMcc),
        announced.map((m) => m.splitScores!.map((split) => split.mcc)),
      );
    } finally {
      await system.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
