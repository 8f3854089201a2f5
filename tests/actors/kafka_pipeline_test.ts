/**
 * The whole pipeline over the real Kafka broker and etcd: first every role in this process (the
 * same forecasts as in-process), then every role in an OS process of its own, as deployed.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { shutdownDeadlineMs } from "../../main.ts";
import type { Forecast } from "../../core/events.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import { RetuneSystem, type Summary } from "../../actors/system.ts";
import { SERVICE_ROLES, type ServiceRole } from "../../config/roles.ts";
import { ForecastLog, forecastsByKey } from "./fixtures/forecast_log.ts";
import { RoleProcess } from "./fixtures/role_process.ts";
import { type Services, STREAM_ROWS, testPipeline } from "./fixtures/test_pipeline.ts";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";
import { within } from "../fixtures/eventually.ts";
import { DeploymentRunningError, teardown } from "../../scripts/teardown.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { DatasetLedger } from "../../registry/dataset_ledger.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";

// Outside the tests: starting throwaway services, when none are named, needs more permissions.
const services: Services = { brokers: await kafkaBrokers(), etcdEndpoints: await etcdEndpoints() };

/** Longest a step may take on a loaded 2-core machine before the test gives up on it. */
const STEP_MS = 30_000;

const permissions: Deno.PermissionOptions = {
  read: true,
  // The pipeline's temp folder: stream, configuration, buckets, datasets, model artifacts.
  write: [tmpdir()],
  net: ["127.0.0.1"],
  // kafkajs, gRPC (etcd3) and the yaml package read their settings from the environment.
  env: true,
  sys: true,
};

for (const client of ["kafkajs", "platformatic"] as const) {
  Deno.test({
    name: `the same stream gives the same forecasts in-process and over Kafka (${client}) and etcd`,
    permissions,
    async fn() {
      const embedded = await runWithoutObserver();
      const overKafka = await runWithoutObserver({ ...services, client });

      assert.equal(embedded.summary.events_processed, STREAM_ROWS);
      assert.equal(embedded.forecasts.length, embedded.summary.forecasts);
      assert.deepEqual(forecastsByKey(overKafka.forecasts), forecastsByKey(embedded.forecasts));
      const totals = ({ events_processed, forecasts, matches }: Summary) => ({
        events_processed,
        forecasts,
        matches,
      });
      assert.deepEqual(totals(overKafka.summary), totals(embedded.summary));
    },
  });
}

/**
 * Runs every role but the observer (so only the initial model forecasts, deterministically) over
 * the stream; returns every forecast of the output topic and the run's summary.
 */
async function runWithoutObserver(
  over?: Services,
): Promise<{ forecasts: Forecast[]; summary: Summary }> {
  const pipeline = await testPipeline(over);
  try {
    const system = await RetuneSystem.build({
      config: pipeline.config,
      roles: SERVICE_ROLES,
      input: pipeline.stream,
      without: ["observer"],
    });
    const log = await ForecastLog.subscribe(system.transport, system.env.topics.output);
    const giveUp = new AbortController();
    try {
      await system.start();
      await within(system.waitForEndOfInput(giveUp.signal), {
        what: `${pipeline.config.transport}: the end of the input`,
        deadlineMs: STEP_MS,
      });
      // The engine counts an event before the batch's forecasts are published.
      await log.waitFor(system.view("engine").forecasts, STEP_MS);
    } finally {
      giveUp.abort();
      await log.stop();
      await system.stop();
    }
    return { forecasts: log.forecasts, summary: system.summary() };
  } finally {
    await pipeline.dispose();
  }
}

Deno.test({
  name: "roles in separate processes over Kafka and etcd forecast every event and stop cleanly",
  permissions: { ...permissions, run: [Deno.execPath()] },
  async fn() {
    const pipeline = await testPipeline(services);
    const processes: RoleProcess[] = [];
    const start = async (role: ServiceRole, args: readonly string[] = []) => {
      const child = RoleProcess.start(role, pipeline.configFile, args);
      processes.push(child);
      await within(child.running, { what: `${role} running`, deadlineMs: STEP_MS });
    };
    const output = new KafkaTransport({
      brokers: pipeline.config.kafka.brokers,
      clientId: "kafka-pipeline-test",
      logger: { warn() {}, error() {} },
    });
    try {
      // The factory first: it trains the initial model before it counts as running.
      await start("factory");
      await Promise.all(
        (["engine", "collector", "observer", "optimiser"] as const).map((role) => start(role)),
      );
      const log = await ForecastLog.subscribe(output, pipeline.config.topics.output.name);
      await start("replayer", [`--input=${pipeline.stream}`, "--exit-at-end"]);
      await log.waitFor(STREAM_ROWS, STEP_MS).catch((error: Error) => {
        assert.fail(`${error.message}\n${outputsOf(processes)}`);
      });
      await log.stop();
      const replayer = processes.at(-1)!;
      const replayed = await within(replayer.status, {
        what: "the replayer exiting at the end",
        deadlineMs: STEP_MS,
      });
      assert.equal(replayed.code, 0, `replayer exit:\n${replayer.output}`);

      // The engine forecasts every event: each key's counters run 1, 2, ... without a gap.
      const byKey = forecastsByKey(log.forecasts);
      const counted = [...byKey.values()].reduce((sum, list) => sum + list.length, 0);
      assert.equal(counted, STREAM_ROWS, outputsOf(processes));
      for (const [key, list] of byKey) {
        assert.deepEqual(
          list.map((f) => f.counter),
          list.map((_, i) => i + 1),
          `forecast counters of key ${key}`,
        );
      }

      await assert.rejects(
        teardown(pipeline.config, { topics: false, force: false }),
        DeploymentRunningError,
        "teardown refuses while the roles run",
      );

      // main.ts exits 1 when its shutdown sequence overruns its deadline, so 0 means in time.
      const statuses = await Promise.all(
        processes.map((p) => p.terminate(shutdownDeadlineMs(pipeline.config, [p.role]) + 5_000)),
      );
      processes.forEach((child, i) => {
        assert.equal(statuses[i]?.code, 0, `${child.role} exit:\n${child.output}`);
      });
      // Stopping is not a teardown: every bucket a dataset version references stays.
      const bucketsDir = `${pipeline.config.storage.dir}/buckets`;
      const inUse = await bucketsInUse(pipeline.config);
      const kept = await bucketFiles(bucketsDir);
      for (const bucket of inUse) {
        assert.ok(kept.includes(`${bucket}.bucket`), `bucket ${bucket} deleted`);
      }
      await teardown(pipeline.config, { topics: false, force: false });
      assert.deepEqual(await bucketFiles(bucketsDir), [], "buckets left after teardown");
      assert.deepEqual(
        await bucketsInUse(pipeline.config),
        new Set(),
        "ledger left after teardown",
      );
    } finally {
      await Promise.all(processes.map((p) => p.kill()));
      await output.close();
      await pipeline.dispose();
    }
  },
});

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

/**
 * The bucket files in `dir`. The store creates its folder with the first bucket it writes, so a
 * run with no bucket on disk leaves no folder: none.
 */
async function bucketFiles(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Every process's output, for a failure message. */
function outputsOf(processes: readonly RoleProcess[]): string {
  return processes.map((p) => `--- ${p.role}\n${p.output}`).join("\n");
}
