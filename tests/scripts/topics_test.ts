import assert from "node:assert/strict";
import { defaultConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import {
  awaitLeaders,
  createTopics,
  deleteTopics,
  kafkaClient,
  listTopics,
  type TopicSpec,
  topicSpecs,
} from "../../scripts/topics.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { ConfigResourceTypes } from "kafkajs";

const brokers = await kafkaBrokers();

/** The default configuration on the test broker, every topic name under a fresh prefix. */
function uniqueConfig(): RetuneConfig {
  const prefix = `${uniqueName("test-topics")}.`;
  const config = defaultConfig();
  const topics = Object.fromEntries(
    Object.entries(config.topics).map((
      [purpose, topic],
    ) => [purpose, { ...topic, name: prefix + topic.name }]),
  ) as RetuneConfig["topics"];
  return { ...config, kafka: { ...config.kafka, brokers }, topics };
}

/** A few of the topics, to keep broker work small. */
function someSpecs(config: RetuneConfig): TopicSpec[] {
  return topicSpecs(config).filter((s) =>
    ["input", "metrics", "modelVersions"].includes(s.purpose)
  );
}

const broker = { net: ["127.0.0.1"], env: true, read: true, sys: true };

Deno.test("topicSpecs lists every purpose with its configured layout", () => {
  const specs = topicSpecs(defaultConfig());
  assert.equal(specs.length, 15);
  assert.deepEqual(specs.find((s) => s.purpose === "input"), {
    purpose: "input",
    name: "retune.input",
    partitions: 4,
    replication: 1,
  });
});

Deno.test({
  name: "create is idempotent and says what it created and what already existed",
  permissions: broker,
  async fn() {
    const config = uniqueConfig();
    const specs = someSpecs(config);
    const admin = kafkaClient(config).admin();
    await admin.connect();
    try {
      const first = await createTopics(admin, specs);
      assert.deepEqual(first.map((o) => o.status), ["created", "created", "created"]);
      const second = await createTopics(admin, specs);
      assert.deepEqual(second.map((o) => o.status), ["exists", "exists", "exists"]);
      const listed = await listTopics(admin, specs);
      assert.deepEqual(listed.map((l) => l.actual), [
        { partitions: 4, replication: 1 },
        { partitions: 1, replication: 1 },
        { partitions: 1, replication: 1 },
      ]);
      const changed = specs.map((s) => s.purpose === "metrics" ? { ...s, partitions: 2 } : s);
      const third = await createTopics(admin, changed);
      assert.deepEqual(third[1], {
        spec: changed[1],
        status: "differs",
        actual: { partitions: 1, replication: 1 },
      });
    } finally {
      await deleteTopics(admin, specs);
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "waiting for leaders of a topic that never comes ends at its deadline, naming the topic",
  permissions: broker,
  async fn() {
    const config = uniqueConfig();
    const [spec] = someSpecs(config);
    const admin = kafkaClient(config).admin();
    await admin.connect();
    try {
      await assert.rejects(
        () => awaitLeaders(admin, [spec], 1_000),
        (error: Error) => {
          assert.match(error.message, /without partition leaders after 1000 ms/);
          assert.match(error.message, new RegExp(spec.name.replaceAll(".", "\\.")));
          return true;
        },
      );
      await createTopics(admin, [spec]);
      await awaitLeaders(admin, [spec], 1_000);
    } finally {
      await deleteTopics(admin, [spec]);
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "delete removes only the configured topics and leaves a foreign topic alone",
  permissions: broker,
  async fn() {
    const config = uniqueConfig();
    const specs = someSpecs(config);
    const foreign = `${specs[0].name}.foreign`;
    const admin = kafkaClient(config).admin();
    await admin.connect();
    try {
      await createTopics(admin, specs);
      await admin.createTopics({ topics: [{ topic: foreign }], waitForLeaders: true });
      const outcomes = await deleteTopics(admin, [...specs, {
        ...specs[0],
        name: `${foreign}.never`,
      }]);
      assert.deepEqual(outcomes.map((o) => o.status), ["deleted", "deleted", "deleted", "absent"]);
      const remaining = new Set(await admin.listTopics());
      assert.ok(remaining.has(foreign), "the foreign topic is still there");
      const listed = await listTopics(admin, specs);
      assert.deepEqual(listed.map((l) => l.actual), [null, null, null]);
    } finally {
      await admin.deleteTopics({ topics: [foreign] });
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "the engine's changelog is created compacted",
  permissions: broker,
  async fn() {
    const config = uniqueConfig();
    const specs = topicSpecs(config).filter((s) => s.purpose === "engineChangelog");
    const admin = kafkaClient(config).admin();
    await admin.connect();
    try {
      await createTopics(admin, specs);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: specs[0].name }],
      });
      const policy = resources[0].configEntries.find((e) => e.configName === "cleanup.policy");
      assert.equal(policy?.configValue, "compact");
    } finally {
      await deleteTopics(admin, specs);
      await admin.disconnect();
    }
  },
});
