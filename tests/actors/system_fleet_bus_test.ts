/**
 * A fleet of 30 models over Kafka and etcd in one process: each per-model role reads every
 * topic through one consumer (the fleet bus), not one per model, as the broker's groups show;
 * each model still forecasts and buckets exactly its own events, and a retrain of one model
 * touches no other.
 *
 * The test reads the configuration and pattern, writes its temp folder, and the factory's training
 * workers inherit those permissions; the yaml package and the Kafka and etcd clients read their
 * settings from the environment.
 */

import assert from "node:assert/strict";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { loadConfig, parseConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { generate } from "../../scripts/generate_drift.ts";
import { REGIMES } from "../../scripts/drift_stream.ts";
import { setupLogging } from "../../logging/setup.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";
import { eventually } from "../fixtures/eventually.ts";
import { overKafka } from "../fixtures/over_kafka.ts";
import { footprint, settledFootprints } from "../fixtures/fleet_footprint.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../../scripts/topics.ts";
import type { Admin } from "kafkajs";

setupLogging({ level: "warning", format: "text" });

const permissions: Deno.PermissionOptions = {
  read: true,
  write: true,
  env: true,
  net: ["127.0.0.1"],
  sys: true,
};

const MODELS = 30;
/** Events per model (one key each). */
const PER_MODEL = 1_000;
const NAMES = Array.from({ length: MODELS }, (_, i) => `m${i}`);

/** The drift deployment as a fleet of `names` over Kafka, adapting only when asked. */
async function fleetConfig(dir: string, names = NAMES): Promise<RetuneConfig> {
  const loaded = await loadConfig(DRIFT_CONFIG, { env: {} });
  const models = names.map((name, i) => `  - { name: ${name}, select: { keys: [k${i}] } }`);
  const fleet = parseConfig(
    `model: { pattern: ${loaded.model.pattern}, source: { domain: demo_abc } }\n` +
      `models:\n${models.join("\n")}\n`,
    `${dir}/fleet.yaml`,
    { env: {} },
  ).models;
  return await overKafka({
    ...loaded,
    model: { ...loaded.model, initialTraining: { events: 300 } },
    engine: { ...loaded.engine, report: { everyEvents: 250 } },
    collector: { ...loaded.collector, bucket: { byEvents: 250 } },
    // Only an asked retrain changes a model: no observer policy fires.
    observer: {
      ...loaded.observer,
      policy: {
        kind: "page_hinkley",
        delta: 0,
        lambda: 1e9,
        alpha: 1,
        guard: 0,
        minScore: -1,
        minScoreHoldOff: 0,
      },
      validationGap: { ...loaded.observer.validationGap, margin: null },
    },
    storage: { ...loaded.storage, dir: `${dir}/storage` },
    models: fleet,
  }, "test-fleet-bus");
}

/** A stream of `PER_MODEL` events for each of `models` keys, in `dir`. */
async function streamFor(dir: string, models: number): Promise<string> {
  const input = `${dir}/drift.csv`;
  await generate({
    out: input,
    format: "csv",
    options: {
      events: models * PER_MODEL,
      keys: models,
      seed: 3,
      driftAt: [],
      regimes: [REGIMES.runs],
    },
  });
  return input;
}

/** Each consumer group of the deployment (its client id's) with its number of members. */
async function groupMembers(admin: Admin, config: RetuneConfig): Promise<Record<string, number>> {
  const prefix = `${config.kafka.clientId}.`;
  const ids = (await admin.listGroups()).groups.map((g) => g.groupId)
    .filter((id) => id.startsWith(prefix) && !id.startsWith(`${prefix}summary.`));
  const { groups } = await admin.describeGroups(ids);
  return Object.fromEntries(
    groups.map((g) => [g.groupId.slice(prefix.length), g.members.length]),
  );
}

Deno.test({
  name: "over Kafka, 30 models share one consumer per topic of each role; a retrain touches one",
  permissions,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "retune-fleet-bus-" });
    const input = await streamFor(dir, MODELS);
    const config = await fleetConfig(dir);
    const admin = kafkaClient(config).admin();
    await admin.connect();
    await createTopics(admin, topicSpecs(config));
    const system = await RetuneSystem.build({ config, roles: SERVICE_ROLES, input });
    try {
      await system.start();
      await system.waitForEndOfInput();
      for (const name of NAMES) {
        await eventually(
          () => system.viewOf("collector", name).eventsBucketed >= PER_MODEL,
          { what: `${name}'s collector took its events`, deadlineMs: 60_000 },
        );
      }
      const summary = system.summary();
      for (const name of NAMES) {
        assert.equal(summary.by_model![name].events_processed, PER_MODEL, `${name}'s events`);
        assert.equal(system.viewOf("collector", name).eventsBucketed, PER_MODEL, name);
      }

      // The broker's view: the deployment's groups (named after its client id), each with one
      // member: one consumer per topic of each role, whatever the number of models.
      const members = await groupMembers(admin, config);
      assert.deepEqual(
        Object.keys(members).filter((id) => NAMES.some((name) => id.endsWith(`.${name}`))),
        [],
        "no group of one model",
      );
      for (const group of ["collector", "observer", "optimiser", "factory.commands"]) {
        assert.equal(members[group], 1, `group ${group}: one consumer for ${MODELS} models`);
      }
      for (const [group, count] of Object.entries(members)) {
        assert.ok(count <= 1, `group ${group} has ${count} consumers`);
      }
      const ids = Object.keys(members);
      assert.ok(ids.length < 20, `${ids.length} groups for ${MODELS} models: ${ids.join(", ")}`);

      // A retrain of m7 alone.
      const before = await settledFootprints(system, dir, NAMES);
      const versions = () => system.viewOf("factory", "m7").modelsShipped.length;
      const shipped = versions();
      await system.instruct("train", "asked by the test", "m7");
      await eventually(() => versions() > shipped, { what: "m7 retrained", deadlineMs: 60_000 });
      await system.waitForIdle(60_000);
      const after = await Promise.all(NAMES.map((name) => footprint(system, dir, name)));
      NAMES.forEach((name, i) => {
        if (name === "m7") assert.notDeepEqual(after[i], before[i], "m7 retrained");
        else assert.deepEqual(after[i], before[i], `${name} untouched`);
      });
    } finally {
      await system.stop();
      await deleteTopics(admin, topicSpecs(config)).catch(() => {});
      await admin.disconnect();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "over Kafka, a standby process leads a fleet's roles for every model once the leader stops",
  permissions,
  fn: async () => {
    const names = NAMES.slice(0, 4);
    const dir = await Deno.makeTempDir({ prefix: "retune-fleet-standby-" });
    const input = await streamFor(dir, names.length);
    const config = await fleetConfig(dir, names);
    const admin = kafkaClient(config).admin();
    await admin.connect();
    await createTopics(admin, topicSpecs(config));
    const leader = await RetuneSystem.build({ config, roles: SERVICE_ROLES, input });
    const standby = await RetuneSystem.build({
      config,
      roles: ["collector", "optimiser", "factory"],
    });
    const elected = ["collector", "optimiser", "factory"] as const;
    let leaderStopped = false;
    try {
      await leader.start();
      await leader.waitForEndOfInput();
      for (const name of names) {
        await eventually(
          () => leader.viewOf("collector", name).eventsBucketed >= PER_MODEL,
          { what: `${name}'s collector took its events`, deadlineMs: 60_000 },
        );
      }
      // A standby's start waits while its first role campaigns: it ends once it leads.
      const standbyStarted = standby.start();
      await eventually(
        () => standby.health().some((child) => child.status === "running"),
        { what: "the standby's first role started", deadlineMs: 30_000 },
      );
      for (const role of elected) {
        assert.ok(leader.leads(role), `the first process leads ${role}`);
        assert.ok(!standby.leads(role), `the standby does not lead ${role}`);
      }
      assert.equal((await groupMembers(admin, config)).collector, 1, "the leader's consumer only");

      const handed = names.map((name) => leader.viewOf("collector", name).nextBucket);
      leaderStopped = true;
      await leader.stop();
      await standbyStarted;
      for (const role of elected) {
        await eventually(() => standby.leads(role), {
          what: `the standby leads ${role}`,
          deadlineMs: 60_000,
        });
      }
      // Every model's collector goes on from its predecessor's state, in the standby's one group.
      for (const [i, name] of names.entries()) {
        await eventually(
          () => standby.viewOf("collector", name).nextBucket === handed[i],
          { what: `${name}'s collector adopted its state`, deadlineMs: 60_000 },
        );
        assert.equal(standby.viewOf("collector", name).eventsCollected, PER_MODEL, name);
      }
      await eventually(async () => (await groupMembers(admin, config)).collector === 1, {
        what: "the standby's one consumer joined the collector's group",
        deadlineMs: 60_000,
      });
      const versions = () => standby.viewOf("factory", "m2").modelsShipped.length;
      const shipped = versions();
      await standby.instruct("train", "asked by the test", "m2");
      await eventually(() => versions() > shipped, { what: "m2 retrained", deadlineMs: 60_000 });
    } finally {
      if (!leaderStopped) await leader.stop();
      await standby.stop();
      await deleteTopics(admin, topicSpecs(config)).catch(() => {});
      await admin.disconnect();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
