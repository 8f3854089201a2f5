/**
 * Optimisation candidates spread over two factories (`factory.distribute`), in process and over
 * Kafka and etcd: every role but the factory runs under the system's supervisor; two factories, a
 * leader and a standby, run under supervisors of their own. The standby never leads, yet tests
 * some of the leader's candidates from the work topic, and the optimisation ends with a model.
 *
 * The test reads the configuration, pattern and stream, writes its temp folder, and the factory's
 * training workers inherit those permissions; the yaml package and the Kafka and etcd clients
 * read their settings from the environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { Factory } from "../../actors/factory.ts";
import { Supervisor } from "../../actors/runtime/supervisor.ts";
import { loadConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../../scripts/topics.ts";
import { DRIFT_CONFIG, writeDriftStream } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";
import { overKafka } from "../fixtures/over_kafka.ts";

const permissions: Deno.PermissionOptions = {
  read: true,
  write: [tmpdir()],
  net: ["127.0.0.1"],
  env: true,
  sys: true,
};

Deno.test({
  name:
    "with factory.distribute, a standby factory tests candidates the leader puts on the work topic",
  permissions,
  fn: () => withDeployment((config) => config, standbyTestsCandidates),
});

Deno.test({
  name: "over Kafka and etcd, a standby factory tests candidates from the work topic",
  permissions,
  fn: () =>
    withDeployment((config) => overKafka(config, "test-distribute"), standbyTestsCandidates),
});

/** The drift deployment with candidates distributed, shaped by `shape`, around `body`. */
async function withDeployment(
  shape: (config: RetuneConfig) => RetuneConfig | Promise<RetuneConfig>,
  body: (config: RetuneConfig, input: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retune-factory-distribute-" });
  const input = `${dir}/drift.csv`;
  await writeDriftStream(input);
  const loaded = await loadConfig(DRIFT_CONFIG);
  const config = await shape({
    ...loaded,
    storage: { ...loaded.storage, dir: `${dir}/storage` },
    factory: { ...loaded.factory, distribute: true },
    // Two factories of one worker each: two candidates at once keep both busy.
    optimiser: { ...loaded.optimiser, stepsInFlight: 2 },
  });
  const admin = config.transport === "kafka" ? kafkaClient(config).admin() : null;
  try {
    if (admin !== null) {
      await admin.connect();
      await createTopics(admin, topicSpecs(config));
    }
    await body(config, input);
  } finally {
    if (admin !== null) {
      await deleteTopics(admin, topicSpecs(config)).catch(() => {});
      await admin.disconnect();
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/** A leader and a standby factory; the standby tests candidates it takes from the work topic. */
async function standbyTestsCandidates(config: RetuneConfig, input: string): Promise<void> {
  const system = await RetuneSystem.build({
    config,
    roles: SERVICE_ROLES,
    input,
    without: ["factory"],
  });
  const factories: Factory[] = [];
  const supervisorOf = (instance: string) =>
    new Supervisor({
      name: `factory ${instance}`,
      transport: system.transport,
      children: [{
        name: "factory",
        create: () => {
          const factory = new Factory({ ...system.env, instance });
          factories.push(factory);
          return factory;
        },
      }],
      maxRestarts: 0,
    });
  const leader = supervisorOf("factory-a");
  const standby = supervisorOf("factory-b");
  try {
    // The first factory leads and trains the initial model as it starts.
    await leader.start();
    // The standby's start lasts as long as it waits to lead: for the whole test.
    const standbyStarted = standby.start();
    await system.start();
    const [first, second] = factories;
    await eventually(
      () =>
        system.view("optimiser").jobs.some((job) =>
          job.action === "optimise" && job.status === "completed"
        ),
      { what: "an optimisation ends with a model", deadlineMs: 90_000 },
    );
    assert.equal(second.view().modelsShipped.length, 0, "the standby never led");
    assert.equal(second.view().candidatesEvaluated, 0, "the standby served no command");
    assert.ok(
      second.view().candidateJobsRun > 0,
      `the standby tested candidates: ${JSON.stringify(second.view())}`,
    );
    assert.ok(first.view().candidateJobsRun > 0, "the leader tested candidates too");
    assert.ok(
      first.view().candidateJobsRun + second.view().candidateJobsRun >=
        first.view().candidatesEvaluated,
      "every candidate the leader reported was tested by one of them",
    );
    await standby.stop();
    await standbyStarted;
  } finally {
    await standby.stop();
    await leader.stop();
    await system.stop();
  }
}
