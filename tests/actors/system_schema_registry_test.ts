/**
 * A deployment with `schemaRegistry` over real Kafka, etcd and a real schema registry (an Apicurio
 * Registry the fixtures start, once for this file): every role runs on framed records, and a
 * deployment whose schema the registry refuses does not start, saying why in one line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { RetuneSystem } from "../../actors/system.ts";
import { failureLine } from "../../actors/runtime/failure_line.ts";
import { defaultConfig } from "../../config/load.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { payloadAvroTypes } from "../../protocol/schemas.ts";
import { SchemaRegistryClient } from "../../protocol/schema_registry_client.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import type { ConsumedRecord } from "../../transport/transport.ts";
import { eventually, within } from "../fixtures/eventually.ts";
import { overKafka } from "../fixtures/over_kafka.ts";
import {
  etcdEndpoints,
  kafkaBrokers,
  schemaRegistryUrl,
  uniqueName,
} from "../fixtures/services.ts";
import { MAIN, ROOT, taskCommand } from "../fixtures/tasks.ts";
import { freePorts } from "../../scripts/services/free_port.ts";
import { ForecastLog } from "./fixtures/forecast_log.ts";
import { type Services, STREAM_ROWS, testPipeline } from "./fixtures/test_pipeline.ts";

const services: Services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };
const url = await schemaRegistryUrl();

const STEP_MS = 30_000;

const permissions: Deno.PermissionOptions = {
  read: true,
  write: [tmpdir()],
  net: ["127.0.0.1"],
  env: true,
  sys: true,
};

Deno.test({
  name: "with a schema registry, every role runs on framed records and every event is forecast",
  permissions,
  async fn() {
    const pipeline = await testPipeline(services, { settings: { schemaRegistry: { url } } });
    const raw = new KafkaTransport({
      brokers: services.brokers,
      clientId: uniqueName("raw"),
      logger: { warn() {}, error() {} },
    });
    try {
      const system = await RetuneSystem.build({
        config: pipeline.config,
        roles: SERVICE_ROLES,
        input: pipeline.stream,
        without: ["observer"],
      });
      const log = await ForecastLog.subscribe(system.transport, system.env.topics.output);
      const frames: ConsumedRecord[] = [];
      const rawOutput = await raw.subscribe({
        group: uniqueName("raw-output"),
        topics: [system.env.topics.output],
        handler: (records) => {
          frames.push(...records);
          return Promise.resolve();
        },
      });
      const giveUp = new AbortController();
      try {
        await system.start();
        await within(system.waitForEndOfInput(giveUp.signal), {
          what: "the end of the input",
          deadlineMs: STEP_MS,
        });
        await log.waitFor(STREAM_ROWS, STEP_MS);
        await eventually(() => frames.length > 0, { what: "raw output records" });
      } finally {
        giveUp.abort();
        await rawOutput.stop();
        await log.stop();
        await system.stop();
      }
      assert.equal(system.summary().events_processed, STREAM_ROWS);
      assert.equal(log.forecasts.length, STREAM_ROWS);
      const registry = new SchemaRegistryClient({ url, callTimeoutMs: 10_000 });
      const ids = new Set(frames.map(({ value }) => {
        assert.equal(value[0], 0, "magic byte");
        return new DataView(value.buffer, value.byteOffset).getUint32(1);
      }));
      assert.equal(ids.size, 1, "one schema id on the output topic");
      const [id] = ids;
      assert.deepEqual(
        JSON.parse((await registry.schema(id))!),
        payloadAvroTypes.ForecastBatch.schema({ exportAttrs: true }),
      );
      const subjects = await (await fetch(`${url}/subjects`)).json() as string[];
      for (const topic of Object.values(pipeline.config.topics)) {
        assert.ok(subjects.includes(`${topic.name}-value`), `subject of ${topic.name}`);
      }
    } finally {
      await raw.close();
      await pipeline.dispose();
    }
  },
});

Deno.test({
  name: "a deployment whose output subject holds an incompatible schema does not start: one line",
  permissions,
  async fn() {
    const base = await overKafka(defaultConfig(), "schemareg-refused");
    const config = {
      ...base,
      schemaRegistry: { url, compatibility: "BACKWARD" as const, callTimeoutMs: 10_000 },
    };
    const subject = `${config.topics.output.name}-value`;
    // Someone else's writer put `model` as an int: today's string `model` cannot read it.
    const schema = payloadAvroTypes.ForecastBatch.schema({ exportAttrs: true }) as {
      fields: { name: string }[];
    };
    const theirs = {
      ...schema,
      fields: schema.fields.map((f) => f.name === "model" ? { name: "model", type: "int" } : f),
    };
    const registry = new SchemaRegistryClient({ url, callTimeoutMs: 10_000 });
    await registry.register(subject, JSON.stringify(theirs));
    const error = await RetuneSystem.build({ config, roles: ["engine"] }).then(
      () => assert.fail("the system started"),
      (error: Error) => error,
    );
    const line = failureLine(error, { kafka: config.kafka.brokers, etcd: config.etcd?.endpoints });
    assert.ok(!line.includes("\n"), line);
    assert.match(
      line,
      new RegExp(
        `^the schema registry at ${url} refused schemas/ForecastBatch\\.avsc as subject ` +
          `'${subject}' \\(compatibility BACKWARD\\): Incompatible artifact: ${subject} \\[AVRO\\]`,
      ),
    );
  },
});

Deno.test({
  name: "deno task start --role=observer registers the schemas under its scoped permissions",
  permissions: { ...permissions, run: true },
  async fn() {
    const pipeline = await testPipeline(services, { settings: { schemaRegistry: { url } } });
    const [httpPort] = freePorts(1);
    const child = (await taskCommand("start", {
      cwd: ROOT,
      script: MAIN,
      // A fixed port: with port 0 the role could listen, and so connect, on any loopback port.
      args: ["--role=observer", `--config=${pipeline.configFile}`, `--http-port=${httpPort}`],
    })).spawn();
    let output = "";
    const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (output += text) }),
    );
    try {
      await eventually(() => /running observer/.test(output), {
        what: `the observer process runs:\n${output}`,
        deadlineMs: STEP_MS,
      });
      const subjects = await (await fetch(`${url}/subjects`)).json() as string[];
      assert.ok(subjects.includes(`${pipeline.config.topics.metrics.name}-value`), output);
    } finally {
      try {
        child.kill("SIGTERM");
      } catch {
        // It ended by itself: a refused start.
      }
      await child.status;
      await reading.catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await pipeline.dispose();
    }
    assert.doesNotMatch(output, /NotCapable/);
  },
});
