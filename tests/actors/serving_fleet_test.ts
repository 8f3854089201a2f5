/**
 * A serving replica of a two-model fleet, over real HTTP, in the embedded system and over Kafka
 * and etcd: it follows each model's live designation in that model's own catalogue, forecasts
 * each model with its own live version, reloads one model's new version, rolls one model back
 * without touching the other, asks for one model's retrain, and refuses a request that names no
 * model of the fleet, naming the field and the models.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RetuneSystem } from "../../actors/system.ts";
import type { ModelRoute } from "../../actors/engine.ts";
import { loadConfig, parseConfig } from "../../config/load.ts";
import { sourceSpecOf } from "../../config/build_source.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import type { CreationMethod } from "../../core/versions.ts";
import type { StreamEvent } from "../../core/events.ts";
import { HttpServer } from "../../http/server.ts";
import { defaultLogger } from "../../logging/logger.ts";
import { setupLogging } from "../../logging/setup.ts";
import { readEvents } from "../../models/sources/read.ts";
import { decodeEnvelope } from "../../protocol/codec.ts";
import { ServingReplicas } from "../../registry/serving_replicas.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { ServingClient } from "../../serving/client.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";
import { TopicReader } from "./fixtures/topic_reader.ts";
import { overKafka } from "../fixtures/over_kafka.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../../scripts/topics.ts";

setupLogging({ level: "warning", format: "text" });

const permissions: Deno.PermissionOptions = {
  read: true,
  write: true,
  env: true,
  net: ["127.0.0.1"],
  sys: true,
};

/** Two models, one key each. */
const MODELS = `
models:
  - { name: alpha, select: { keys: [k0] } }
  - { name: beta, select: { keys: [k1] } }
`;

/** The drift deployment as a fleet of two, in `dir`. */
async function fleetConfig(dir: string): Promise<RetuneConfig> {
  const loaded = await loadConfig(DRIFT_CONFIG, { env: {} });
  const models = parseConfig(
    `model: { pattern: ${loaded.model.pattern}, source: { domain: demo_abc } }\n` + MODELS,
    `${dir}/fleet.yaml`,
    { env: {} },
  ).models;
  return {
    ...loaded,
    storage: { ...loaded.storage, dir: `${dir}/storage` },
    serving: { ...loaded.serving, resyncMs: 100 },
    models,
  };
}

/** Ships a version of `model` as its factory does: artifact in its store, record in its catalogue. */
async function ship(
  model: ModelRoute,
  events: StreamEvent[],
  order: number,
  method: CreationMethod,
): Promise<number> {
  const { env } = model;
  const params = { ...env.config.model.initialParams, order };
  const artifact = await env.model.train(events, params);
  const version = await env.catalog.nextVersion();
  const artifactUri = await env.artifacts.put(
    "models",
    `v${version}.json`,
    new TextEncoder().encode(JSON.stringify(artifact)),
  );
  const scores = { tp: 0, tn: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0, specificity: 0 };
  await env.catalog.record({
    version,
    artifactUri,
    creationMethod: method,
    params,
    metrics: { ...scores, mcc: 0 },
    datasetVersion: 0,
    productionMs: 1,
    createdAt: Date.now(),
  });
  return version;
}

async function call(url: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, url), {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test({
  name: "a fleet's replica serves each model's live version; a rollback of one leaves the " +
    "other alone; a request without a fleet model is refused naming the models",
  permissions,
  fn: () => fleetServing((config) => config),
});

Deno.test({
  name: "over Kafka and etcd, a fleet's replica serves each model's live version",
  permissions,
  fn: () => fleetServing((config) => overKafka(config, "test-serving-fleet")),
});

/** The fleet replica's run and its checks, on the deployment `shape` makes of the embedded one. */
async function fleetServing(
  shape: (config: RetuneConfig) => RetuneConfig | Promise<RetuneConfig>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-serving-fleet-" });
  const input = `${dir}/drift.csv`;
  await generate({
    out: input,
    format: "csv",
    options: {
      events: 8_000,
      keys: 2,
      seed: 1,
      driftAt: [0.5],
      regimes: [REGIMES.runs, REGIMES.alternating],
    },
  });
  const config = await shape(await fleetConfig(dir));
  const admin = config.transport === "kafka" ? kafkaClient(config).admin() : null;
  if (admin !== null) {
    await admin.connect();
    await createTopics(admin, topicSpecs(config));
  }
  const { events } = await readEvents(input, sourceSpecOf(config.model.source));
  const training = events.slice(0, 4_000);
  const probe = events.slice(4_000, 4_400);
  const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
  const system = await RetuneSystem.build({ config, roles: ["serving"], httpUrl: server.url });
  server.attach(system);
  const url = server.url;
  const [alpha, beta] = system.models;
  const client = new ServingClient({
    catalog: system.env.catalog,
    models: { alpha: alpha.env.catalog, beta: beta.env.catalog },
    replicas: new ServingReplicas(system.env.registry),
  });
  const health = async () => (await call(url, "/health")).body;
  try {
    await system.start();
    // Ready only once every model's live version is loaded; /health names the one missing.
    assert.equal(await ship(alpha, training, 1, "initial"), 0);
    await eventually(async () => {
      const waiting = await call(url, "/health");
      assert.equal(waiting.status, 503);
      assert.equal(waiting.body.models.alpha.version, 0);
      assert.equal(
        waiting.body.detail,
        "not loaded: beta (no model version in the catalogue yet)",
      );
    }, { what: "alpha loaded, beta named as not loaded" });
    const early = await call(url, "/forecast", { events: probe, model: "beta" });
    assert.equal(early.status, 503);
    assert.match(early.body.error, /^not ready: model beta: no model version/);
    assert.equal((await call(url, "/forecast", { events: probe, model: "alpha" })).status, 200);

    assert.equal(await ship(beta, training, 2, "initial"), 0);
    assert.equal(await ship(beta, training, 3, "retrain"), 1);
    await eventually(async () => {
      const { ready, models } = await health();
      assert.ok(ready);
      assert.deepEqual([models.alpha.version, models.beta.version], [0, 1]);
    }, { what: "alpha serves v0 and beta v1" });

    // Each model forecasts with its own live version, through the API and the client.
    const byAlpha = await call(url, "/forecast", { events: probe, model: "alpha" });
    const byBeta = await call(url, "/forecast", { events: probe, model: "beta" });
    assert.deepEqual([byAlpha.status, byAlpha.body.model, byAlpha.body.version], [
      200,
      "alpha",
      0,
    ]);
    assert.deepEqual([byBeta.body.model, byBeta.body.version], ["beta", 1]);
    assert.ok(byAlpha.body.forecasts.length > 0 && byBeta.body.forecasts.length > 0);
    assert.ok(
      byAlpha.body.forecasts.every((f: { modelVersion: number }) => f.modelVersion === 0),
    );
    assert.ok(byBeta.body.forecasts.every((f: { modelVersion: number }) => f.modelVersion === 1));
    // The client routes by the replicas' registrations in the registry, which follow the load.
    await eventually(async () => {
      assert.equal((await client.forecast(probe, "beta")).version, 1);
      assert.equal((await client.forecast(probe, "alpha")).version, 0);
    }, { what: "the client routes beta to v1 and alpha to v0" });
    const listed = (await call(url, "/replicas?model=beta")).body;
    assert.deepEqual([listed.live, listed.replicas[0].routable], [1, true]);
    assert.deepEqual(listed.replicas[0].models.beta, {
      version: 1,
      target: 1,
      ready: true,
      detail: "serving model v1",
    });

    // The dashboard routes to it: it is ready with every model's live version.
    const state = (await call(url, "/api/state")).body;
    assert.deepEqual(state.replicas.map((r: { routable: boolean }) => r.routable), [true]);

    const metrics = await (await fetch(new URL("/metrics", url))).text();
    assert.match(metrics, /^retune_serving_model_version\{model="beta"\} 1$/m);
    assert.match(metrics, /^retune_serving_ready\{role="serving"\} 1$/m);

    // Each model's catalogue is its own.
    assert.deepEqual(
      (await call(url, "/models?model=beta")).body.models.map((m: { version: number }) =>
        m.version
      ),
      [0, 1],
    );
    assert.equal((await call(url, "/models?model=alpha")).body.live, 0);
    assert.equal((await call(url, "/models/1?model=alpha")).status, 404);
    assert.equal((await call(url, "/models/1?model=beta")).body.live, true);

    // A rollback of beta: beta serves v0 again, alpha is left as it was.
    const loadsBefore = system.view("serving").loads;
    const rolled = await call(url, "/rollback", { model: "beta", version: 0, reason: "bad" });
    assert.equal(rolled.status, 200);
    await eventually(async () => assert.equal((await health()).models.beta.version, 0), {
      what: "beta rolls back to v0",
    });
    assert.equal(system.view("serving").loads, loadsBefore + 1, "only beta reloaded");
    assert.equal((await alpha.env.catalog.live())?.version, 0);
    assert.equal((await beta.env.catalog.live())?.version, 0);
    assert.equal(
      (await call(url, "/forecast", { events: probe, model: "beta" })).body.version,
      0,
    );
    assert.equal((await call(url, "/models/1?model=beta")).body.live, false);
    // The deployment's own catalogue is not the fleet's: nothing was designated there.
    assert.equal(await system.env.catalog.designation(), undefined);

    // A new version of alpha is loaded as it ships; beta stays rolled back.
    assert.equal(await ship(alpha, training, 2, "retrain"), 1);
    await eventually(async () => {
      const { ready, models } = await health();
      assert.ok(ready);
      assert.deepEqual([models.alpha.version, models.beta.version], [1, 0]);
    }, { what: "alpha reloads v1, beta stays on v0" });
    await eventually(async () => {
      assert.equal((await client.forecast(probe, "alpha")).version, 1);
      assert.equal((await client.forecast(probe, "beta")).version, 0);
    }, { what: "the client routes alpha to v1 and beta to v0" });
    await assert.rejects(
      client.forecast(probe),
      /model must be one of the fleet's \(alpha, beta\)/,
    );

    // A request must name a model of the fleet.
    const fleetModels = /^model must be one of the fleet's models \(alpha, beta\): /;
    for (
      const [path, body] of [
        ["/forecast", { events: probe }],
        ["/forecast", { events: probe, model: "delta" }],
        ["/rollback", { version: 0 }],
        ["/retrain", { reason: "why not" }],
        ["/optimise", undefined],
        ["/models", undefined],
        ["/models/0?model=delta", undefined],
      ] as const
    ) {
      const refused = path === "/optimise"
        ? await fetch(new URL(path, url), {
          method: "POST",
          headers: { "content-type": "application/json" },
        }).then(async (r) => ({ status: r.status, body: await r.json() }))
        : await call(url, path, body);
      assert.equal(refused.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.match(refused.body.error, fleetModels);
    }
    const unknown = await call(url, "/forecast", { events: probe, model: "delta" });
    assert.match(unknown.body.error, /current value is "delta"$/);

    // A retrain of one model is an instruction for that model.
    const reader = await TopicReader.subscribe(system.transport, config.topics.instructions.name);
    try {
      assert.equal((await call(url, "/retrain", { model: "alpha" })).status, 202);
      assert.equal((await call(url, "/optimise", { model: "beta" })).status, 202);
      await eventually(() => reader.records.length >= 2, { what: "two instructions" });
      const sent = reader.records.map((record) => decodeEnvelope(record.value));
      assert.deepEqual(
        sent.map((e) => [e.model, e.type === "Instruction" && e.payload.action]),
        [["alpha", "train"], ["beta", "optimise"]],
      );
    } finally {
      await reader.stop();
    }
  } finally {
    await system.stop();
    await server.close();
    await Deno.remove(dir, { recursive: true });
    if (admin !== null) {
      await deleteTopics(admin, topicSpecs(config)).catch(() => {});
      await admin.disconnect();
    }
  }
}
