/**
 * The factory's gate (`factory.gate`) in the embedded system, after a stream of one regime
 * (`runs`) has run, so the initial model (order 2, threshold 0.5) suits the newest dataset. The
 * test sends `train` commands itself with a threshold of 0.99, at which a model forecasts almost
 * never: such a candidate is worse than the initial model on the same held-out data. A model's
 * threshold is part of its record (its artifact is the same), so the test makes a weak live
 * version by recording the initial artifact again with that threshold. A command saying the live
 * model failed in service (its report's batch MCC) lets such a candidate through.
 *
 * The test reads the configuration and pattern, writes its temp folder, and the factory's
 * training workers inherit those permissions; the yaml package reads its settings from the
 * environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { loadConfig } from "../../config/load.ts";
import type { ModelVersion } from "../../core/versions.ts";
import type { FactoryCommand, LiveScore } from "../../protocol/messages.ts";
import { encodeEnvelope, newEnvelope } from "../../protocol/codec.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";

Deno.test({
  name:
    "a retrain worse than the live model is not shipped unless the live one failed in service; an earlier version better than both is recalled as a new version",
  permissions: { read: true, write: [tmpdir()], env: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-factory-gate-" });
    const input = `${dir}/runs.csv`;
    await generate({
      out: input,
      format: "csv",
      options: { events: 20_000, keys: 1, seed: 1, driftAt: [], regimes: [REGIMES.runs] },
    });
    const base = await loadConfig(DRIFT_CONFIG);
    const config = {
      ...base,
      storage: { ...base.storage, dir: `${dir}/storage` },
      replayer: { ...base.replayer, rate: { kind: "max" as const } },
      // The asked threshold ships as asked: tuned, the weak one would not stay weak.
      factory: {
        ...base.factory,
        gate: { enabled: true, margin: 0.02, recall: 2 },
        threshold: { kind: "asked" as const },
      },
      // Models are compared on events none of them was trained on: the initial model learns from
      // the first half of the first bucket (1,000 events), so any dataset has test events after.
      model: { ...base.model, initialTraining: { events: 500 } },
    };
    const system = await RetuneSystem.build({
      config,
      roles: SERVICE_ROLES,
      input,
      without: ["observer", "optimiser"],
    });
    const { catalog, artifacts } = system.env;
    const factory = () => system.view("factory");
    const weak = { ...config.model.initialParams, threshold: 0.99 };
    /**
     * Sends a `train` command with the weak parameters, as the optimiser would, saying how the
     * live model fared in service (`live`) if given.
     */
    const train = async (requestId: string, live: LiveScore = {}) => {
      const command: FactoryCommand = {
        kind: "train",
        requestId,
        params: weak,
        deadline: Date.now() + 60_000,
        ...live,
      };
      const envelope = newEnvelope("FactoryCommand", "test", command, null, "");
      await system.transport.publish(system.env.topics.factoryCommands, [
        { key: null, value: encodeEnvelope(envelope) },
      ]);
    };
    try {
      await system.start();
      await system.waitForEndOfInput();
      // The newest dataset, the one every command here trains on, whatever the machine's load.
      await eventually(() => {
        const collector = system.view("collector");
        return collector.eventsCollected === 20_000 &&
          factory().latestDataset === collector.datasetVersions - 1;
      }, { what: "the stream collected and its newest dataset assembled", deadlineMs: 60_000 });
      const initial = (await catalog.get(0))!;

      await train("weak-1");
      await eventually(() => factory().liveKept === 1, {
        what: "the live model kept",
        deadlineMs: 60_000,
      });
      assert.equal((await catalog.latest())!.version, 0, "nothing shipped");
      assert.equal((await catalog.live())!.version, 0);

      // A weak version goes live: the initial artifact again, recorded with the weak threshold.
      const weakVersion = await catalog.nextVersion();
      const weakModel: ModelVersion = {
        ...initial,
        version: weakVersion,
        artifactUri: await artifacts.put(
          "models",
          `test-v${weakVersion}.json`,
          await artifacts.get(initial.artifactUri),
        ),
        params: weak,
        requestId: null,
      };
      await catalog.record(weakModel);
      await train("weak-2");
      await eventually(() => factory().modelsShipped.some((m) => m.version > weakVersion), {
        what: "a version shipped over the weak one",
        deadlineMs: 60_000,
      });
      const recalled = await catalog.latest();
      assert.equal(recalled!.recalledFrom, 0);
      assert.deepEqual(recalled!.params, initial.params);
      assert.equal(recalled!.requestId, "weak-2");
      assert.equal((await catalog.live())!.version, recalled!.version);
      assert.equal(factory().liveKept, 1, "a recall is no kept live model");
      // A copy of the artifact: retiring the earlier version leaves the recalled one whole.
      assert.notEqual(recalled!.artifactUri, initial.artifactUri);
      assert.deepEqual(
        await artifacts.get(recalled!.artifactUri),
        await artifacts.get(initial.artifactUri),
      );

      // A weak retrain again, asked because the live (recalled) model scored a batch MCC of -0.5
      // in service: the live model is not kept, however well it does on held-out data.
      await train("weak-after-failure", { liveVersion: recalled!.version, liveMcc: -0.5 });
      await eventually(
        () => factory().modelsShipped.some((m) => m.requestId === "weak-after-failure"),
        { what: "a version shipped over the failing live model", deadlineMs: 60_000 },
      );
      assert.equal((await catalog.live())!.requestId, "weak-after-failure");
      assert.equal(factory().liveKept, 1);
    } finally {
      await system.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
