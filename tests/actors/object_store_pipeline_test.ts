/**
 * Past one machine: the collector, the factory and the engine each run as an OS process with a
 * storage folder of its own (three "machines" sharing no file), over Kafka, etcd and an S3 object
 * store only. The collector's buckets, the factory's datasets and models all travel through the
 * object store, and the registry's deletion rules hold there as on a shared folder.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { shutdownDeadlineMs } from "../../main.ts";
import { loadConfig } from "../../config/load.ts";
import type { ServiceRole } from "../../config/roles.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { decodeEnvelope, encodeEnvelope, newEnvelope } from "../../protocol/codec.ts";
import { DatasetLedger } from "../../registry/dataset_ledger.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";
import { teardown } from "../../scripts/teardown.ts";
import { S3BucketStore } from "../../storage/s3_bucket_store.ts";
import type { BucketDeletion } from "../../storage/deletion_log.ts";
import { bucketDeletionLog } from "../../actors/environment.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import { eventually, within } from "../fixtures/eventually.ts";
import { etcdEndpoints, kafkaBrokers, s3Endpoint, s3Location } from "../fixtures/services.ts";
import { ForecastLog, forecastsByKey } from "./fixtures/forecast_log.ts";
import { RoleProcess } from "./fixtures/role_process.ts";
import { STREAM_ROWS, testPipeline } from "./fixtures/test_pipeline.ts";
import { TopicReader } from "./fixtures/topic_reader.ts";

// Outside the tests: starting throwaway services, when none are named, needs more permissions.
const services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };
const endpoint = await s3Endpoint();

/** Longest a step may take on a loaded 2-core machine before the test gives up on it. */
const STEP_MS = 60_000;

const permissions: Deno.PermissionOptions = {
  read: true,
  write: [tmpdir()],
  net: ["127.0.0.1"],
  // kafkajs, gRPC (etcd3), the AWS SDK and the yaml package read settings from the environment.
  env: true,
  sys: true,
  run: [Deno.execPath()],
};

/** The three machines and the roles each runs (observer and optimiser touch no store). */
const MACHINES: Readonly<Record<string, readonly ServiceRole[]>> = {
  collecting: ["collector"],
  training: ["factory", "optimiser"],
  serving: ["engine", "replayer"],
};

Deno.test({
  name: "collector, factory and engine on three machines share buckets, datasets and models " +
    "only through the object store",
  permissions,
  async fn() {
    const pipeline = await testPipeline(services);
    const location = s3Location(endpoint, "three-machines");
    const machines = await machineConfigs(pipeline.dir, pipeline.configFile, location);
    const config = machines.collecting.config;
    const processes: RoleProcess[] = [];
    const start = async (role: ServiceRole, args: readonly string[] = []) => {
      const machine = Object.keys(MACHINES).find((name) => MACHINES[name].includes(role))!;
      const child = RoleProcess.start(role, machines[machine].file, args);
      processes.push(child);
      await within(child.running, { what: `${role} running`, deadlineMs: STEP_MS }).catch(
        (error: Error) => assert.fail(`${error.message}\n${outputsOf(processes)}`),
      );
      return child;
    };
    const transport = new KafkaTransport({
      brokers: config.kafka.brokers,
      clientId: "object-store-pipeline-test",
      logger: { warn() {}, error() {} },
    });
    const log = await ForecastLog.subscribe(transport, config.topics.output.name);
    const versions = await TopicReader.subscribe(transport, config.topics.datasetVersions.name);
    const assembled = await TopicReader.subscribe(transport, config.topics.datasetsAssembled.name);
    try {
      // The factory trains the initial model, which the engine loads from the object store.
      await start("factory");
      const engine = await start("engine");
      await start("collector");
      await start("optimiser");
      const replayer = await start("replayer", [`--input=${pipeline.stream}`, "--exit-at-end"]);
      await log.waitFor(STREAM_ROWS, STEP_MS).catch((error: Error) => {
        assert.fail(`${error.message}\n${outputsOf(processes)}`);
      });
      assert.equal(
        (await within(replayer.status, { what: "replay", deadlineMs: STEP_MS })).code,
        0,
      );
      const byKey = forecastsByKey(log.forecasts);
      for (const [key, list] of byKey) {
        assert.deepEqual(list.map((f) => f.counter), list.map((_, i) => i + 1), `key ${key}`);
      }

      // Datasets the factory assembled from buckets the collector wrote on another machine.
      await eventually(() => datasetsIn(assembled).length >= 2, {
        what: "two datasets assembled",
        deadlineMs: STEP_MS,
      });
      assert.ok(datasetsIn(versions).length >= 2, "dataset versions announced");
      for (const uri of datasetsIn(assembled)) {
        assert.ok(uri.startsWith(`s3://${location.bucket}/${location.prefix}artifacts/`), uri);
      }
      // A model trained on them, which the engine on the third machine loads.
      await transport.publish(config.topics.instructions.name, [{
        key: null,
        value: encodeEnvelope(
          newEnvelope(
            "Instruction",
            "test",
            { action: "train", reason: "a test", reportId: 1 },
            null,
          ),
        ),
      }]);
      await eventually(() => /model v[1-9]\d* \(\w+\) loaded/.test(engine.output), {
        what: "the engine loading a retrained model",
        deadlineMs: STEP_MS,
      }).catch((error: Error) => assert.fail(`${error.message}\n${outputsOf(processes)}`));

      // The collector deletes what no live dataset version references any more.
      await eventually(async () => (await deletionsIn(machines.collecting.config)).length > 0, {
        what: "the collector deleting a bucket it no longer needs",
        deadlineMs: STEP_MS,
      }).catch((error: Error) => assert.fail(`${error.message}\n${outputsOf(processes)}`));

      // No machine keeps a bucket, dataset or model of its own.
      for (const { config } of Object.values(machines)) {
        assert.deepEqual(await storedFiles(config.storage.dir), [], config.storage.dir);
      }

      const statuses = await Promise.all(
        processes.filter((p) => p !== replayer).map((p) =>
          p.terminate(shutdownDeadlineMs(config, [p.role]) + 5_000)
        ),
      );
      for (const status of statuses) assert.equal(status?.code, 0, outputsOf(processes));
      // Deletion safety: only the collector deleted buckets, every one it logged is gone from
      // the store, and every bucket a live dataset version references is still there.
      const buckets = new S3BucketStore(location, `${pipeline.dir}/checker/buckets`);
      const kept = await buckets.list();
      const deleted = await deletionsIn(machines.collecting.config);
      const collector = processes.find((p) => p.role === "collector")!;
      for (const { bucket, pid } of deleted) {
        assert.equal(pid, collector.pid, `bucket ${bucket} deleted by another process`);
        assert.ok(!kept.includes(bucket), `bucket ${bucket} logged as deleted but still stored`);
      }
      for (const name of ["training", "serving"]) {
        assert.deepEqual(await deletionsIn(machines[name].config), [], `deletions on ${name}`);
      }
      for (const bucket of await bucketsInUse(config)) {
        assert.ok(kept.includes(bucket), `bucket ${bucket} deleted while in use`);
      }

      await teardown(config, { topics: false, force: false });
      assert.deepEqual(await buckets.list(), [], "buckets left after teardown");
    } finally {
      await Promise.all(processes.map((p) => p.kill()));
      await Promise.all([log.stop(), versions.stop(), assembled.stop()]);
      await transport.close();
      await pipeline.dispose();
    }
  },
});

/** One machine's configuration: the pipeline's, with its own storage folder and the object store. */
async function machineConfigs(
  dir: string,
  configFile: string,
  location: ReturnType<typeof s3Location>,
): Promise<Record<string, { file: string; config: RetuneConfig }>> {
  const shared = await loadConfig(configFile);
  const machines: Record<string, { file: string; config: RetuneConfig }> = {};
  for (const name of Object.keys(MACHINES)) {
    const file = `${dir}/${name}.yaml`;
    const settings = {
      ...shared,
      storage: { kind: "s3", dir: `${dir}/${name}`, s3: location },
      // Two buckets kept, so the collector deletes older ones during the run.
      collector: { ...shared.collector, keep: 2, policy: { kind: "last_k", k: 2 } },
    };
    await Deno.writeTextFile(file, stringify(settings));
    machines[name] = { file, config: await loadConfig(file) };
  }
  return machines;
}

/** The dataset URIs or versions a reader saw, from `datasets-assembled` or `dataset-versions`. */
function datasetsIn(reader: TopicReader): string[] {
  return reader.records.flatMap((record) => {
    const envelope = decodeEnvelope(record.value);
    switch (envelope.type) {
      case "DatasetAssembled":
        return [envelope.payload.uri];
      case "DatasetVersion":
        return [`v${envelope.payload.version}`];
      default:
        return [];
    }
  });
}

/** Files under `dir` other than the bucket deletion log and Wayeb's work. */
async function storedFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    try {
      for await (const entry of Deno.readDir(folder)) {
        const path = `${folder}/${entry.name}`;
        if (entry.isDirectory) await walk(path);
        else if (!entry.name.endsWith(".deletions.jsonl")) found.push(path);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  };
  await walk(dir);
  return found;
}

/** The bucket deletions a machine's processes logged. */
async function deletionsIn(config: RetuneConfig): Promise<BucketDeletion[]> {
  try {
    const text = await Deno.readTextFile(bucketDeletionLog(config));
    return text.trimEnd().split("\n").map((line) => JSON.parse(line) as BucketDeletion);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** The buckets the deployment's dataset versions still reference. */
async function bucketsInUse(config: RetuneConfig): Promise<Set<number>> {
  const { endpoints, namespace } = config.etcd!;
  const registry = new NamespacedRegistry(new EtcdRegistry({ endpoints }), namespace);
  try {
    return await new DatasetLedger(registry).bucketsInUse();
  } finally {
    await registry.close();
  }
}

function outputsOf(processes: readonly RoleProcess[]): string {
  return processes.map((p) => `--- ${p.role}\n${p.output}`).join("\n");
}
