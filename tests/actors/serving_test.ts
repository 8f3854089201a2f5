/**
 * Serving replicas over real HTTP, etcd and Kafka: two replicas load the designated version,
 * both reload on a new version and on a rollback, a replica that cannot load its artifacts says
 * so and the client never routes to it, and a retrain asked for over HTTP is an instruction on
 * the protocol's topic.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Etcd3 } from "etcd3";
import { RetuneSystem } from "../../actors/system.ts";
import { storageSpecOf } from "../../actors/environment.ts";
import { HttpServer } from "../../http/server.ts";
import { defaultLogger } from "../../logging/logger.ts";
import { modelSpecOf } from "../../config/build_model.ts";
import { sourceSpecOf } from "../../config/build_source.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { createModel } from "../../models/create_model.ts";
import { readEvents } from "../../models/sources/read.ts";
import { openStores } from "../../storage/storage_spec.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";
import { ModelCatalog } from "../../registry/model_catalog.ts";
import { ServingReplicas } from "../../registry/serving_replicas.ts";
import { decodeEnvelope } from "../../protocol/codec.ts";
import type { CreationMethod } from "../../core/versions.ts";
import type { StreamEvent } from "../../core/events.ts";
import { NoReplicaError, ServingClient } from "../../serving/client.ts";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";
import { eventually } from "../fixtures/eventually.ts";
import { MAIN, ROOT, taskCommand } from "../fixtures/tasks.ts";
import { testPipeline } from "./fixtures/test_pipeline.ts";
import { TopicReader } from "./fixtures/topic_reader.ts";

const permissions: Deno.PermissionOptions = {
  net: true,
  read: true,
  write: true,
  env: true,
  sys: true,
  run: [Deno.execPath()],
};

/** One replica: a serving role process's parts, its HTTP server and system. */
interface Replica {
  server: HttpServer;
  system: RetuneSystem;
  url: string;
}

async function startReplica(config: RetuneConfig): Promise<Replica> {
  const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
  const system = await RetuneSystem.build({ config, roles: ["serving"], httpUrl: server.url });
  server.attach(system);
  await system.start();
  return { server, system, url: server.url };
}

async function stopReplica(replica: Replica): Promise<void> {
  await replica.system.stop();
  await replica.server.close();
}

async function call(url: string, path: string, body?: unknown, type = "application/json") {
  const response = await fetch(new URL(path, url), {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Ships a model as the factory does: its artifact in the store, its version in the catalogue. */
async function ship(
  config: RetuneConfig,
  catalog: ModelCatalog,
  events: StreamEvent[],
  order: number,
  method: CreationMethod,
  bytes?: Uint8Array,
): Promise<number> {
  const spec = await modelSpecOf(config.model, config.storage.dir);
  const params = { ...config.model.initialParams, order };
  const artifact = await createModel(spec).train(events, params);
  const stores = await openStores(storageSpecOf(config));
  const version = await catalog.nextVersion();
  const artifactUri = await stores.artifacts.put(
    "models",
    `v${version}.json`,
    bytes ?? new TextEncoder().encode(JSON.stringify(artifact)),
  );
  const scores = { tp: 0, tn: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0, specificity: 0 };
  await catalog.record({
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

const healthOf = async (replica: Replica) => (await call(replica.url, "/health")).body;

/** Waits until every replica of `replicas` serves `version` and the client routes to each. */
async function serveAll(
  client: ServingClient,
  replicas: Replica[],
  version: number,
  what: string,
): Promise<void> {
  await eventually(async () => {
    for (const replica of replicas) assert.equal((await healthOf(replica)).version, version);
    const routed = (await client.choice()).routable.map((r) => r.address).sort();
    assert.deepEqual(routed, replicas.map((replica) => replica.url).sort());
  }, { what });
}

Deno.test({
  name: "two replicas serve the designated version, reload on a new one and on a rollback; " +
    "one that cannot load is not ready and never routed to; /retrain asks on the protocol",
  permissions,
  async fn() {
    const services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };
    const pipeline = await testPipeline(services, {
      settings: { serving: { loadInitialBackoffMs: 50, loadMaxBackoffMs: 200 } },
    });
    const { config } = pipeline;
    const registry = new NamespacedRegistry(
      new EtcdRegistry({ endpoints: config.etcd!.endpoints }),
      config.etcd!.namespace,
    );
    const catalog = new ModelCatalog(registry);
    const client = new ServingClient({ catalog, replicas: new ServingReplicas(registry) });
    const { events } = await readEvents(pipeline.stream, sourceSpecOf(config.model.source));
    const training = events.slice(0, 1_500);
    const probe = events.slice(1_500, 1_700);
    const replicas: Replica[] = [];
    try {
      assert.equal(await ship(config, catalog, training, 1, "initial"), 0);
      replicas.push(await startReplica(config), await startReplica(config));
      const [a, b] = replicas;
      await serveAll(client, replicas, 0, "both replicas serve v0 and are routed to");

      const answer = await client.forecast(probe);
      assert.equal(answer.version, 0);
      assert.ok(answer.forecasts.length > 0, "forecasts for the probe events");
      assert.ok(answer.forecasts.every((forecast) => forecast.modelVersion === 0));
      // The same request answers the same on either replica: runs start fresh per request.
      const again = await call(b.url, "/forecast", { events: probe });
      assert.deepEqual(again.body, answer);

      // Bad requests name the field.
      const badTime = await call(a.url, "/forecast", {
        events: [probe[0], { ...probe[1], timestamp: "noon" }],
      });
      assert.equal(badTime.status, 400);
      assert.match(badTime.body.error, /^events\[1\]\.timestamp must be a number/);
      const notJson = await call(a.url, "/forecast", { events: [] }, "text/plain");
      assert.equal(notJson.status, 415);
      const badVersion = await call(a.url, "/rollback", { version: "one" });
      assert.equal(badVersion.status, 400);
      assert.match(badVersion.body.error, /^version must be an integer >= 0/);
      assert.equal((await call(a.url, "/models/x7")).status, 400);
      assert.equal((await call(a.url, "/models/99")).status, 404);

      // A version switch: both reload.
      assert.equal(await ship(config, catalog, training, 2, "retrain"), 1);
      await serveAll(client, replicas, 1, "both replicas reload v1");
      assert.equal((await client.forecast(probe)).version, 1);
      const models = (await call(b.url, "/models")).body;
      assert.equal(models.live, 1);
      assert.deepEqual(
        models.models.map((m: { version: number; lineage: unknown }) => [m.version, m.lineage]),
        [[0, { parent: null, reason: "initial" }], [1, { parent: 0, reason: "retrain" }]],
      );

      // A rollback is one call, on any replica; both load v0 again.
      const rolled = await call(a.url, "/rollback", { version: 0, reason: "v1 misbehaves" });
      assert.equal(rolled.status, 200);
      assert.deepEqual(rolled.body, { ...rolled.body, version: 0, reason: "v1 misbehaves" });
      await serveAll(client, replicas, 0, "both replicas roll back to v0");
      assert.equal((await call(b.url, "/models/1")).body.live, false);
      assert.equal((await call(b.url, "/models/0")).body.live, true);

      // A replica on another machine, without the artifacts, cannot load: it says so.
      const elsewhere = await Deno.makeTempDir({ prefix: "retune-serving-elsewhere-" });
      const lost = await startReplica({
        ...config,
        storage: { ...config.storage, dir: elsewhere },
        serving: { ...config.serving, loadDeadlineMs: 1_000, resyncMs: 50 },
      });
      replicas.push(lost);
      const givenUp = async () => {
        const health = await call(lost.url, "/health");
        assert.equal(health.status, 503);
        assert.match(health.body.detail, /could not load model v0 within 1000 ms/);
      };
      await eventually(givenUp, { what: "the replica without artifacts gives up and says why" });
      // It does not try again on its own, however often it reads the designation...
      const failed = lost.system.view("serving").loadFailures;
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(lost.system.view("serving").loadFailures, failed, "no retry after giving up");
      // ...until the version is designated again.
      await call(a.url, "/rollback", { version: 0, reason: "try again" });
      await eventually(() => lost.system.view("serving").loadFailures > failed, {
        what: "a new designation makes it try again",
      });
      await eventually(givenUp, { what: "it gives up again" });
      const listed = (await call(a.url, "/replicas")).body.replicas;
      assert.equal(listed.length, 3);
      const registered = listed.find((r: { address: string }) => r.address === lost.url);
      assert.deepEqual(
        [registered.ready, registered.routable, registered.version],
        [false, false, null],
      );
      const refused = await call(lost.url, "/forecast", { events: probe });
      assert.equal(refused.status, 503);
      assert.match(refused.body.error, /^not ready: could not load model v0/);
      assert.ok(!(await client.choice()).routable.some((r) => r.address === lost.url));
      const served = () => a.system.view("serving").requests + b.system.view("serving").requests;
      const before = served();
      for (let i = 0; i < 4; i++) assert.equal((await client.forecast(probe)).version, 0);
      assert.equal(lost.system.view("serving").requests, 0, "the client never called it");
      assert.equal(served(), before + 4);
      const scrape = async (url: string) => await (await fetch(new URL("/metrics", url))).text();
      assert.match(await scrape(a.url), /^retune_serving_ready\{role="serving"\} 1$/m);
      assert.match(await scrape(lost.url), /^retune_serving_ready\{role="serving"\} 0$/m);
      assert.match(
        await scrape(lost.url),
        /^retune_serving_load_failures_total\{role="serving"\} [1-9]/m,
      );

      // A corrupt artifact: no replica can serve it, and the client says so.
      const corrupt = new TextEncoder().encode("{ not json");
      assert.equal(await ship(config, catalog, training, 1, "retrain", corrupt), 2);
      await eventually(async () => {
        const health = await call(a.url, "/health");
        assert.equal(health.status, 503);
        assert.match(health.body.detail, /loading model v2: attempt \d+ failed: .*not JSON/);
      }, { what: "a corrupt artifact is reported while loading" });
      await assert.rejects(client.forecast(probe), NoReplicaError);
      // The replicas keep trying, backing off, until the deadline: a repaired artifact is taken.
      const stores = await openStores(storageSpecOf(config));
      const v1 = await catalog.get(1);
      await stores.artifacts.put("models", "v2.json", await stores.artifacts.get(v1!.artifactUri));
      await serveAll(client, [a, b], 2, "both replicas load v2 once its artifact is repaired");
      await call(b.url, "/rollback", { version: 1 });
      await eventually(async () => assert.equal((await client.forecast(probe)).version, 1), {
        what: "serving again after rolling back",
      });

      // Asking for a retrain sends an instruction, as the observer does.
      const reader = await TopicReader.subscribe(
        replicas[0].system.transport,
        config.topics.instructions.name,
      );
      try {
        const asked = await call(a.url, "/retrain", { reason: "drift seen by a client" });
        assert.equal(asked.status, 202);
        assert.equal((await call(a.url, "/optimise", {})).status, 202);
        await eventually(() => reader.records.length >= 2, { what: "two instructions" });
        const sent = reader.records.map((record) => decodeEnvelope(record.value));
        assert.deepEqual(
          sent.map((e) => [e.type, e.sender, e.type === "Instruction" && e.payload.action]),
          [["Instruction", "serving", "train"], ["Instruction", "serving", "optimise"]],
        );
      } finally {
        await reader.stop();
      }

      // A replica whose lease etcd ends (an outage past its TTL) restarts and registers again.
      const admin = new Etcd3({ hosts: config.etcd!.endpoints });
      try {
        const key = `${config.etcd!.namespace}/retune/serving/replicas/${a.system.env.instance}`;
        const [kv] = (await admin.get(key).exec()).kvs;
        await admin.leaseClient.leaseRevoke({ ID: kv.lease });
      } finally {
        admin.close();
      }
      await eventually(() => a.system.health()[0].restarts >= 1, { what: "replica a restarts" });
      await serveAll(client, [a, b], 1, "replica a registered again after its lease ended");

      // A replica that stops leaves the list at once.
      await stopReplica(replicas.pop()!);
      await eventually(async () => assert.equal((await client.choice()).replicas.length, 2), {
        what: "the stopped replica is gone",
      });
    } finally {
      for (const replica of replicas) await stopReplica(replica);
      await registry.close();
      await pipeline.dispose();
    }
  },
});

Deno.test({
  name: "deno task start --role=serving serves the live version under its scoped permissions",
  permissions,
  async fn() {
    const services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };
    const pipeline = await testPipeline(services);
    const { config } = pipeline;
    const registry = new NamespacedRegistry(
      new EtcdRegistry({ endpoints: config.etcd!.endpoints }),
      config.etcd!.namespace,
    );
    const catalog = new ModelCatalog(registry);
    const { events } = await readEvents(pipeline.stream, sourceSpecOf(config.model.source));
    const child = (await taskCommand("start", {
      cwd: ROOT,
      script: MAIN,
      args: ["--role=serving", `--config=${pipeline.configFile}`, "--http-port=0"],
    })).spawn();
    let output = "";
    const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (output += text) }),
    );
    try {
      await eventually(() => /running serving; .* on http:\/\/127\.0\.0\.1:\d+\//.test(output), {
        what: `the serving process runs:\n${output}`,
        deadlineMs: 30_000,
      });
      const url = output.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/)![1];
      const waiting = await call(url, "/health");
      assert.deepEqual([waiting.status, waiting.body.detail], [
        503,
        "no model version in the catalogue yet",
      ]);
      await ship(config, catalog, events.slice(0, 1_500), 1, "initial");
      await eventually(async () => assert.equal((await healthOf({ url } as Replica)).version, 0), {
        what: `the process loads v0:\n${output}`,
      });
      const answer = await call(url, "/forecast", { events: events.slice(1_500, 1_600) });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.version, 0);
      assert.equal((await call(url, "/openapi.json")).body.openapi, "3.0.3");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await reading.catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await registry.close();
      await pipeline.dispose();
    }
    assert.doesNotMatch(output, /NotCapable/);
  },
});
