import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { KafkaTransport } from "../../transport/kafka.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { collect, record, text } from "./records.ts";
import { eventually } from "../fixtures/eventually.ts";

const brokers = await kafkaBrokers();
const permissions: Deno.PermissionOptions = { net: ["127.0.0.1"], env: true };

/** A fresh topic with `partitions` partitions, created with the admin client (no auto-creation). */
async function createTopic(partitions: number): Promise<string> {
  const topic = uniqueName("test-transport");
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** A transport with kafkajs's records kept out of the test output. */
function transport(): KafkaTransport {
  return new KafkaTransport({
    brokers,
    clientId: "transport-test",
    logger: { warn() {}, error() {} },
  });
}

Deno.test({
  name: "keyed records keep their order per key across partitions",
  permissions,
  async fn() {
    const topic = await createTopic(3);
    const kafka = transport();
    const keys = ["a", "b", "c", "d", "e"];
    for (let seq = 0; seq < 60; seq += 20) {
      const records = [];
      for (let step = seq; step < seq + 20; step++) {
        for (const key of keys) records.push(record(key, String(step)));
      }
      await kafka.publish(topic, records);
    }
    assert.equal(await kafka.partitions(topic), 3);
    assert.equal((await kafka.endOffsets(topic)).reduce((sum, end) => sum + end, 0), 300);

    const seen = new Map<string, number[]>();
    const subscription = await kafka.subscribe({
      group: uniqueName("group"),
      topics: [topic],
      maxBatch: 16,
      handler: (records) => {
        for (const consumed of records) {
          seen.set(consumed.key!, [...seen.get(consumed.key!) ?? [], Number(text(consumed))]);
        }
        return Promise.resolve();
      },
    });
    await eventually(() => [...seen.values()].reduce((sum, seqs) => sum + seqs.length, 0) >= 300, {
      what: "all 300 records are seen",
      deadlineMs: 30_000,
    });
    await subscription.stop();
    await subscription.done;
    await kafka.close();
    for (const key of keys) {
      assert.deepEqual(seen.get(key), Array.from({ length: 60 }, (_, i) => i), key);
    }
  },
});

Deno.test({
  name: "a member the group cannot keep ends its subscription, logging through the logger",
  permissions,
  async fn() {
    const topic = await createTopic(1);
    const logged: string[] = [];
    // Below the broker's group.min.session.timeout.ms: the join is refused for good.
    const kafka = new KafkaTransport({
      brokers,
      sessionTimeoutMs: 1_000,
      heartbeatIntervalMs: 100,
      logger: { warn: (message) => logged.push(message), error: (message) => logged.push(message) },
    });
    const subscription = await kafka.subscribe({
      group: uniqueName("group"),
      topics: [topic],
      handler: () => Promise.resolve(),
    });
    await assert.rejects(subscription.done, /session timeout/i);
    await kafka.close();
    assert.ok(logged.length > 0, "kafkajs reported the crash");
    assert.ok(logged.every((message) => message.startsWith("kafkajs: ")), logged.join("\n"));
  },
});

Deno.test({
  name: "a failing handler ends the subscription without committing; the group gets it again",
  permissions,
  async fn() {
    const topic = await createTopic(1);
    const group = uniqueName("group");
    const kafka = transport();
    await kafka.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => record("k", String(i))),
    );
    const first: string[] = [];
    const failing = await kafka.subscribe({
      group,
      topics: [topic],
      maxBatch: 4,
      handler: (records) => {
        if (first.length === 4) return Promise.reject(new Error("handler broke"));
        first.push(...records.map(text));
        return Promise.resolve();
      },
    });
    await assert.rejects(failing.done, /handler broke/);

    const second: string[] = [];
    const retry = await kafka.subscribe({
      group,
      topics: [topic],
      handler: collect(second, text),
    });
    await eventually(() => second.length >= 6, {
      what: "the second subscription has 6 records",
      deadlineMs: 30_000,
    });
    await retry.stop();
    await kafka.close();
    assert.deepEqual(first, ["0", "1", "2", "3"]);
    assert.deepEqual(second, ["4", "5", "6", "7", "8", "9"]);
  },
});

Deno.test({
  name: "a stopped member commits what it handled and the group resumes after it",
  permissions,
  async fn() {
    const topic = await createTopic(2);
    const group = uniqueName("group");
    const kafka = transport();
    const batch = (from: number) =>
      Array.from(
        { length: 5 },
        (_, i) => record(`k${i}`, String(from + i)),
      );
    await kafka.publish(topic, batch(0));
    const before: string[] = [];
    const first = await kafka.subscribe({
      group,
      topics: [topic],
      handler: collect(before, text),
    });
    await eventually(() => before.length >= 5, {
      what: "5 records arrive before the restart",
      deadlineMs: 30_000,
    });
    await first.stop();

    await kafka.publish(topic, batch(5));
    const after: string[] = [];
    const second = await kafka.subscribe({
      group,
      topics: [topic],
      handler: collect(after, text),
    });
    await eventually(() => after.length >= 5, {
      what: "5 records arrive after the restart",
      deadlineMs: 30_000,
    });
    await second.stop();
    await kafka.close();
    assert.deepEqual(before.toSorted(), ["0", "1", "2", "3", "4"]);
    assert.deepEqual(after.toSorted(), ["5", "6", "7", "8", "9"]);
  },
});

Deno.test("bad Kafka options are rejected up front", { permissions: "none" }, () => {
  assert.throws(
    () => new KafkaTransport({ brokers: [] }),
    {
      name: "RangeError",
      message: "brokers must be a non-empty list of host:port: current value is []",
    },
  );
  assert.throws(
    () => new KafkaTransport({ brokers: ["127.0.0.1:9092"], sessionTimeoutMs: -1 }),
    /sessionTimeoutMs must be a positive integer: current value is -1/,
  );
});

Deno.test({
  name: "committed offsets are the group's (under its prefix) from the cluster; -1 where none",
  permissions,
  async fn() {
    const topic = await createTopic(2);
    const group = uniqueName("group");
    const kafka = new KafkaTransport({
      brokers,
      clientId: "transport-test",
      groupPrefix: "prefixed.",
      logger: { warn() {}, error() {} },
    });
    assert.deepEqual(await kafka.committedOffsets(group, topic), [-1, -1]);
    await kafka.publish(topic, Array.from({ length: 10 }, (_, i) => record(`k${i}`, String(i))));
    const handled: string[] = [];
    const subscription = await kafka.subscribe({
      group,
      topics: [topic],
      handler: collect(handled, text),
    });
    await eventually(() => handled.length === 10, {
      what: "all 10 records are handled",
      deadlineMs: 30_000,
    });
    await subscription.stop();
    assert.deepEqual(await kafka.committedOffsets(group, topic), await kafka.endOffsets(topic));
    await kafka.close();
  },
});
