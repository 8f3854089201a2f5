/**
 * A fleet of three models on one drifting stream in the embedded system: each model forecasts its
 * own key (`select`), collects its own buckets, is watched by its own observer and adapts on its
 * own after the drift; a retrain asked for one model (as the dashboard and the API ask) changes
 * that model's registry keys, stores and versions and nothing of the other two.
 *
 * The same runs in process and over Kafka and etcd (each model's consumer groups, elections,
 * registry keys and role state apart from the others').
 *
 * The test reads the configuration and pattern, writes its temp folder, and the factory's training
 * workers inherit those permissions; the yaml package and the Kafka and etcd clients read their
 * settings from the environment.
 */

import assert from "node:assert/strict";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { loadConfig } from "../../config/load.ts";
import { parseConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { setupLogging } from "../../logging/setup.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";
import { HttpServer } from "../../http/server.ts";
import { defaultLogger } from "../../logging/logger.ts";
import { overKafka } from "../fixtures/over_kafka.ts";
import { footprint, settledFootprints } from "../fixtures/fleet_footprint.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../../scripts/topics.ts";
import { decodePayload } from "../../protocol/codec.ts";

setupLogging({ level: "warning", format: "text" });

const permissions: Deno.PermissionOptions = {
  read: true,
  write: true,
  env: true,
  net: ["127.0.0.1"],
  sys: true,
};

/** Events of the stream: 20,000 per key, drifting at 30% of each key's own sequence. */
const EVENTS = 60_000;

/** Three models, one key each; the second with a policy of its own. */
const MODELS = `
models:
  - { name: alpha, select: { keys: [k0] } }
  - name: beta
    select: { prefix: k1 }
    observer: { policy: { kind: difference, trainDrop: 0.025, optimiseDrop: 0.1 } }
  - { name: gamma, select: { match: "^k2$" } }
`;

/** The drift deployment as a fleet of three, in `dir`. */
async function fleetConfig(dir: string): Promise<RetuneConfig> {
  const loaded = await loadConfig(DRIFT_CONFIG, { env: {} });
  const fleet = parseConfig(
    `model: { pattern: ${loaded.model.pattern}, source: { domain: demo_abc } }\n` + MODELS,
    `${dir}/fleet.yaml`,
    { env: {} },
  ).models;
  return {
    ...loaded,
    model: { ...loaded.model, initialTraining: { events: 3_000 } },
    engine: { ...loaded.engine, report: { everyEvents: 1_500 } },
    storage: { ...loaded.storage, dir: `${dir}/storage` },
    models: fleet,
  };
}

Deno.test({
  name: "three models on one stream each adapt on their own; a retrain of one touches no other",
  permissions,
  fn: () => fleetRun((config) => config),
});

Deno.test({
  name:
    "over Kafka and etcd, three models each adapt on their own; a retrain of one touches no other",
  permissions,
  fn: () => fleetRun((config) => overKafka(config, "test-fleet")),
});

/** The fleet run and its checks, on the deployment `shape` makes of the embedded one. */
async function fleetRun(
  shape: (config: RetuneConfig) => RetuneConfig | Promise<RetuneConfig>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-fleet-" });
  const input = `${dir}/drift.csv`;
  await generate({
    out: input,
    format: "csv",
    options: {
      events: EVENTS,
      keys: 3,
      seed: 1,
      driftAt: [0.3],
      regimes: [REGIMES.runs, REGIMES.alternating],
    },
  });
  const config = await shape(await fleetConfig(dir));
  const admin = config.transport === "kafka" ? kafkaClient(config).admin() : null;
  if (admin !== null) {
    await admin.connect();
    await createTopics(admin, topicSpecs(config));
  }
  const system = await RetuneSystem.build({ config, roles: SERVICE_ROLES, input });
  const keysByModel = await watchForecastKeys(system);
  const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
  server.attach(system);
  try {
    await system.start();
    await system.waitForEndOfInput();
    await system.waitForIdle(60_000);
    const names = system.models.map((m) => m.name);
    assert.deepEqual(names, ["alpha", "beta", "gamma"]);
    const summary = system.summary();
    const byModel = summary.by_model!;
    for (const name of names) {
      const model = byModel[name];
      assert.equal(model.events_processed, EVENTS / 3, `${name} forecasts its own key only`);
      assert.ok(model.reports >= 10, `${name} reports on its own: ${model.reports}`);
      assert.ok(model.instructions >= 1, `${name}'s observer asked for an adaptation`);
      assert.ok(model.model_versions.length >= 2, `${name} adapted: ${model.model_versions}`);
      // The collectors follow the engine's position: over Kafka they may trail it a little.
      await eventually(
        () => system.viewOf("collector", name).eventsBucketed >= EVENTS / 3,
        { what: `${name}'s collector took its events`, deadlineMs: 30_000 },
      );
      const collector = system.viewOf("collector", name);
      assert.equal(collector.eventsBucketed, EVENTS / 3, `${name} buckets its own key only`);
    }
    assert.equal(summary.events_processed, EVENTS);
    // The summary's role fields are the fleet's, not its first model's.
    assert.equal(
      summary.dataset_versions,
      names.reduce((total, name) => total + byModel[name].dataset_versions, 0),
    );
    assert.deepEqual(
      [...new Set(summary.model_versions.map((m) => m.model))].sort(),
      names,
      "every model's versions, each naming its model",
    );
    await eventually(() => keysByModel.size === 3, { what: "every model's forecasts are out" });
    assert.deepEqual(
      Object.fromEntries([...keysByModel].map(([model, keys]) => [model, [...keys]])),
      { alpha: ["k0"], beta: ["k1"], gamma: ["k2"] },
      "each output record names the model that made its forecasts",
    );

    // A retrain of beta alone.
    const before = await settledFootprints(system, dir, names);
    const versions = () => system.viewOf("factory", "beta").modelsShipped.length;
    const shipped = versions();
    // As the dashboard's retrain button asks.
    const asked = await fetch(new URL("/api/instructions", server.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "train", model: "beta" }),
    });
    assert.equal(asked.status, 202, await asked.text());
    await eventually(() => versions() > shipped, { what: "beta retrained", deadlineMs: 60_000 });
    await system.waitForIdle(60_000);
    const after = await Promise.all(names.map((name) => footprint(system, dir, name)));
    assert.deepEqual(after[0], before[0], "alpha untouched");
    assert.deepEqual(after[2], before[2], "gamma untouched");
    assert.notDeepEqual(after[1], before[1], "beta retrained");
    const state = await (await fetch(new URL("/api/state", server.url))).json();
    assert.deepEqual(
      state.fleet.models.map((m: { name: string }) => m.name).sort(),
      ["alpha", "beta", "gamma"],
    );
    assert.deepEqual(state.fleet.queue, { running: 0, queued: 0 });
    const metrics = await (await fetch(new URL("/metrics", server.url))).text();
    for (const role of ["collector", "factory", "optimiser"]) {
      assert.match(metrics, new RegExp(`^retune_leader\\{role="${role}"\\} 1$`, "m"));
    }
    for (const name of names) {
      assert.match(
        metrics,
        new RegExp(`^retune_model_events_total\\{model="${name}"\\} ${EVENTS / 3}$`, "m"),
      );
    }
    await assert.rejects(
      () => system.instruct("train", "no such model", "delta"),
      /model must be one of the fleet's \(alpha, beta, gamma\): current value is "delta"/,
    );
  } finally {
    await server.close();
    await system.stop();
    if (admin !== null) {
      await deleteTopics(admin, topicSpecs(config)).catch(() => {});
      await admin.disconnect();
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/** The keys of the forecasts on the output topic, by the model each output record names. */
async function watchForecastKeys(system: RetuneSystem): Promise<Map<string, Set<string>>> {
  const keysByModel = new Map<string, Set<string>>();
  await system.transport.subscribe({
    group: "test.output",
    topics: [system.env.topics.output],
    handler: (records) => {
      for (const { value } of records) {
        const batch = decodePayload("ForecastBatch", value);
        const keys = keysByModel.get(batch.model) ?? new Set();
        for (const forecast of batch.forecasts) keys.add(forecast.key);
        keysByModel.set(batch.model, keys);
      }
      return Promise.resolve();
    },
  });
  return keysByModel;
}
