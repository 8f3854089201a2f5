import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { startKafka } from "../../../scripts/services/kafka.ts";
import { uniqueName } from "../../fixtures/services.ts";

// A broker costs a JVM start (seconds): this file starts one, once.
Deno.test("startKafka: a broker that stores records, then stops and leaves nothing behind", {
  permissions: {
    run: ["java", "mvn"],
    read: true,
    write: true,
    net: ["127.0.0.1"],
    env: true,
  },
}, async () => {
  const broker = await startKafka();
  assert.match(broker.endpoints, /^127\.0\.0\.1:\d+$/);
  const kafka = new Kafka({ brokers: [broker.endpoints], logLevel: logLevel.NOTHING });
  const [producer, admin] = [kafka.producer(), kafka.admin()];
  try {
    const topic = uniqueName("services-test");
    await producer.connect();
    // An unknown topic is created on first use, with one partition.
    await producer.send({ topic, messages: [{ value: "first" }, { value: "second" }] });
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.deepEqual(offsets.map(({ partition, high }) => ({ partition, high })), [
      { partition: 0, high: "2" },
    ]);
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await broker.stop();
  }
  await assert.rejects(Deno.stat(broker.dir), Deno.errors.NotFound);
  const port = Number(broker.endpoints.split(":")[1]);
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});
