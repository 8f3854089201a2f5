/**
 * Roles that remember across a process restart: each role runs in an OS process of its own over
 * Kafka and etcd (`main.ts --role=<role>`), is killed with SIGKILL, and its successor, a new
 * process, carries on from the state the killed one kept in etcd.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import type { Admin } from "kafkajs";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../config/load.ts";
import type { ServiceRole } from "../../config/roles.ts";
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  newEnvelope,
} from "../../protocol/codec.ts";
import type { FactoryCommand } from "../../protocol/messages.ts";
import type { DatasetVersion } from "../../core/versions.ts";
import { kafkaClient } from "../../scripts/topics.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";
import { eventually, within } from "../fixtures/eventually.ts";
import { RoleProcess } from "./fixtures/role_process.ts";
import { STREAM_ROWS, type TestPipeline, testPipeline } from "./fixtures/test_pipeline.ts";
import { TopicReader } from "./fixtures/topic_reader.ts";
import type { BucketDeletion } from "../../storage/deletion_log.ts";
import { bucketDeletionLog } from "../../actors/environment.ts";
import type { RetuneConfig } from "../../config/schema.ts";

const services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };

/** Longest a step may take on a loaded 2-core machine before the test gives up on it. */
const STEP_MS = 60_000;

const permissions: Deno.PermissionOptions = {
  read: true,
  write: [tmpdir()],
  net: ["127.0.0.1"],
  // kafkajs, gRPC (etcd3) and the yaml package read their settings from the environment.
  env: true,
  sys: true,
  run: [Deno.execPath()],
};

/** Merges `settings` into the pipeline's configuration file (and its parsed configuration). */
async function configure(pipeline: TestPipeline, settings: Record<string, unknown>) {
  const current = parse(await Deno.readTextFile(pipeline.configFile)) as Record<string, unknown>;
  for (const [section, values] of Object.entries(settings)) {
    current[section] = { ...(current[section] as object | undefined), ...(values as object) };
  }
  await Deno.writeTextFile(pipeline.configFile, stringify(current));
  return await loadConfig(pipeline.configFile);
}

/** Runs `work` with a connected Kafka admin and a transport of the pipeline's cluster. */
async function withKafka<T>(
  pipeline: TestPipeline,
  work: (admin: Admin, transport: KafkaTransport) => Promise<T>,
): Promise<T> {
  const admin = kafkaClient(pipeline.config).admin();
  await admin.connect();
  const transport = new KafkaTransport({
    brokers: pipeline.config.kafka.brokers,
    clientId: "durable-roles-test",
    logger: { warn() {}, error() {} },
  });
  try {
    return await work(admin, transport);
  } finally {
    await transport.close();
    await admin.disconnect();
  }
}

/** Events in the input records read so far. */
function eventsIn(reader: TopicReader): number {
  return reader.records.reduce(
    (sum, record) => sum + decodePayload("StreamEventBatch", record.value).events.length,
    0,
  );
}

/** Starts `role` and waits until it runs. */
async function started(
  pipeline: TestPipeline,
  role: ServiceRole,
  args: readonly string[] = [],
): Promise<RoleProcess> {
  const child = RoleProcess.start(role, pipeline.configFile, args);
  await within(child.running, { what: `${role} running`, deadlineMs: STEP_MS }).catch(
    async (error: Error) => {
      await child.kill();
      assert.fail(`${error.message}\n${child.output}`);
    },
  );
  return child;
}

Deno.test({
  name: "a replayer killed with SIGKILL mid-file and started again sends every event once, " +
    "but for at most one slice",
  permissions,
  async fn() {
    const pipeline = await testPipeline(services);
    const batchEvents = 100;
    // Paced, so the kill lands mid-file.
    const config = await configure(pipeline, {
      replayer: { rate: { kind: "events_per_second", value: 1_000 }, batchEvents },
    });
    const input = config.topics.input.name;
    const processes: RoleProcess[] = [];
    try {
      await withKafka(pipeline, async (admin, transport) => {
        const reader = await TopicReader.subscribe(transport, input);
        try {
          const args = [`--input=${pipeline.stream}`, "--exit-at-end"];
          const first = await started(pipeline, "replayer", args);
          processes.push(first);
          await eventually(() => eventsIn(reader) >= STREAM_ROWS / 4, {
            what: "a quarter of the stream replayed",
            deadlineMs: STEP_MS,
          });
          await first.kill();

          const second = await started(pipeline, "replayer", args);
          processes.push(second);
          const ended = await within(second.status, {
            what: "the second replayer exiting at the end",
            deadlineMs: STEP_MS,
          });
          assert.equal(ended.code, 0, second.output);
          const resumed = second.output.match(/resuming the replay of \S+ after (\d+) events/);
          assert.ok(resumed !== null, `the second replayer did not resume:\n${second.output}`);
          assert.ok(Number(resumed[1]) >= STREAM_ROWS / 4 - batchEvents, resumed[0]);
          assert.match(second.output, new RegExp(`replayed ${STREAM_ROWS} events`));

          await reader.readToEnd(admin, input, STEP_MS);
          const sent = eventsIn(reader);
          assert.ok(sent >= STREAM_ROWS, `${sent} events published of ${STREAM_ROWS}`);
          assert.ok(
            sent - STREAM_ROWS <= batchEvents,
            `${sent - STREAM_ROWS} events published twice; at most one slice (${batchEvents})`,
          );
        } finally {
          await reader.stop();
        }
      });
    } finally {
      await Promise.all(processes.map((p) => p.kill()));
      await pipeline.dispose();
    }
  },
});

/** The buckets the process `pid` deleted, from the bucket store's deletion log. */
async function deletionsBy(config: RetuneConfig, pid: number): Promise<BucketDeletion[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(bucketDeletionLog(config));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line !== "")
    .map((line) => JSON.parse(line) as BucketDeletion)
    .filter((deletion) => deletion.pid === pid);
}

/** The dataset versions announced so far, in the order read. */
function announced(reader: TopicReader): DatasetVersion[] {
  return reader.records.flatMap((record) => {
    const envelope = decodeEnvelope(record.value);
    return envelope.type === "DatasetVersion" ? [envelope.payload] : [];
  });
}

Deno.test({
  name: "a collector leader killed with SIGKILL: the standby adopts its state and continues the " +
    "bucket and dataset-version sequences without reusing an id",
  permissions,
  async fn() {
    const pipeline = await testPipeline(services);
    const config = await configure(pipeline, {
      etcd: { leaseTtlSeconds: 2 },
      replayer: { rate: { kind: "events_per_second", value: 500 }, batchEvents: 100 },
      collector: { bucket: { byEvents: 250 } },
    });
    const processes: RoleProcess[] = [];
    try {
      await withKafka(pipeline, async (admin, transport) => {
        const versions = await TopicReader.subscribe(transport, config.topics.datasetVersions.name);
        try {
          processes.push(await started(pipeline, "factory"));
          processes.push(await started(pipeline, "engine"));
          const leader = await started(pipeline, "collector");
          processes.push(leader);
          // Standbys: each counts as running only once it leads.
          const standby = RoleProcess.start("collector", pipeline.configFile);
          processes.push(standby);
          const stoppedStandby = RoleProcess.start("collector", pipeline.configFile);
          processes.push(stoppedStandby);
          const replayer = await started(pipeline, "replayer", [
            `--input=${pipeline.stream}`,
            "--exit-at-end",
          ]);
          processes.push(replayer);
          await eventually(() => announced(versions).length >= 2, {
            what: "two dataset versions announced",
            deadlineMs: STEP_MS,
          });
          // A standby stopped while the leader works deletes nothing: the buckets are the
          // leader's, and only a teardown removes leftovers.
          const stop = await stoppedStandby.terminate(STEP_MS);
          assert.equal(stop?.code, 0, `the standby's stop:\n${stoppedStandby.output}`);
          const deletions = await deletionsBy(config, stoppedStandby.pid);
          assert.deepEqual(deletions, [], "buckets deleted by the stopped standby");
          assert.ok(!stoppedStandby.output.includes("leading collector"), "it never led");

          await leader.kill();
          const killedAfter = announced(versions).length;

          await within(standby.running, { what: "the standby leading", deadlineMs: STEP_MS });
          const adopted = standby.output.match(
            /adopting the last leader's state: next bucket (\d+)/,
          );
          assert.ok(adopted !== null, `the standby did not adopt:\n${standby.output}`);
          assert.ok(Number(adopted[1]) >= killedAfter, adopted[0]);
          await within(replayer.status, { what: "the replay ending", deadlineMs: STEP_MS });
          await eventually(() => announced(versions).length > killedAfter + 2, {
            what: "the new leader announcing dataset versions",
            deadlineMs: STEP_MS,
          });

          await versions.readToEnd(admin, config.topics.datasetVersions.name, STEP_MS);
          const all = announced(versions);
          const numbers = all.map((v) => v.version);
          assert.deepEqual(numbers, numbers.map((_, i) => i), "dataset versions 0, 1, 2, ...");
          const closed = all.map((v) => v.lastBucket);
          for (let i = 1; i < closed.length; i++) {
            assert.ok(closed[i] > closed[i - 1], `bucket ids closed in order: ${closed}`);
          }
        } finally {
          await versions.stop();
        }
      });
    } finally {
      await Promise.all(processes.map((p) => p.kill()));
      await pipeline.dispose();
    }
  },
});

/** The factory commands sent so far, in the order read. */
function commands(reader: TopicReader): FactoryCommand[] {
  return reader.records.flatMap((record) => {
    const envelope = decodeEnvelope(record.value);
    return envelope.type === "FactoryCommand" ? [envelope.payload] : [];
  });
}

/** The first factory command of `kind` that `matches`, once it was sent. */
async function sentCommand<K extends FactoryCommand["kind"]>(
  reader: TopicReader,
  kind: K,
  matches: (command: Extract<FactoryCommand, { kind: K }>) => boolean,
): Promise<Extract<FactoryCommand, { kind: K }>> {
  const find = () =>
    commands(reader).find((c): c is Extract<FactoryCommand, { kind: K }> =>
      c.kind === kind && matches(c as Extract<FactoryCommand, { kind: K }>)
    );
  await eventually(() => find() !== undefined, { what: `a ${kind} sent`, deadlineMs: STEP_MS });
  return find()!;
}

Deno.test({
  name: "an optimiser killed with SIGKILL mid-run: the next one ends the run cleanly, telling " +
    "the factory to abort it",
  permissions,
  async fn() {
    const pipeline = await testPipeline(services);
    // No factory answers: the run waits for `opt_init` when the optimiser is killed.
    const config = await configure(pipeline, {
      etcd: { leaseTtlSeconds: 2 },
      optimiser: { initDeadlineMs: 600_000 },
    });
    const processes: RoleProcess[] = [];
    try {
      await withKafka(pipeline, async (_admin, transport) => {
        const sent = await TopicReader.subscribe(transport, config.topics.factoryCommands.name);
        try {
          const instruction = newEnvelope("Instruction", "test", {
            action: "optimise",
            reason: "a test asks for it",
            reportId: 1,
          }, null);
          await transport.publish(config.topics.instructions.name, [
            { key: null, value: encodeEnvelope(instruction) },
          ]);
          const first = await started(pipeline, "optimiser");
          processes.push(first);
          const init = await sentCommand(sent, "opt_init", () => true);
          await first.kill();

          const second = await started(pipeline, "optimiser");
          processes.push(second);
          const abort = await sentCommand(sent, "opt_abort", (c) => c.runId === init.runId);
          assert.match(abort.reason, /the optimiser running it stopped after 0 of 0 steps/);
          assert.match(second.output, new RegExp(`optimisation ${init.runId} abandoned`));
        } finally {
          await sent.stop();
        }
      });
    } finally {
      await Promise.all(processes.map((p) => p.kill()));
      await pipeline.dispose();
    }
  },
});
