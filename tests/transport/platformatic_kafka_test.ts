import assert from "node:assert/strict";
import { PlatformaticKafkaTransport } from "../../transport/platformatic_kafka.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { transportContract } from "./contract.ts";
import { createTopic, kafkaHarness, kafkaPermissions } from "./kafka_harness.ts";

transportContract(
  await kafkaHarness("platformatic", (options) => new PlatformaticKafkaTransport(options)),
);

Deno.test({
  name: "platformatic: a member the group cannot keep fails its subscription, logging why",
  permissions: kafkaPermissions,
  async fn() {
    const brokers = await kafkaBrokers();
    const topic = await createTopic(brokers, 1);
    const logged: string[] = [];
    // Below the broker's group.min.session.timeout.ms: the join is refused for good.
    const kafka = new PlatformaticKafkaTransport({
      brokers,
      sessionTimeoutMs: 1_000,
      heartbeatIntervalMs: 100,
      logger: { warn: (message) => logged.push(message), error: (message) => logged.push(message) },
    });
    const failed = kafka.subscribe({
      group: uniqueName("group"),
      topics: [topic],
      handler: () => Promise.resolve(),
    }).then((subscription) => subscription.done);
    await assert.rejects(failed);
    await kafka.close();
    assert.ok(logged.length > 0, "the client reported the failure");
    assert.ok(
      logged.every((message) => message.startsWith("platformatic/kafka: ")),
      logged.join("\n"),
    );
  },
});

Deno.test("platformatic: bad Kafka options are rejected up front", { permissions: "none" }, () => {
  assert.throws(
    () => new PlatformaticKafkaTransport({ brokers: ["nowhere"] }),
    {
      name: "RangeError",
      message: 'brokers must be a non-empty list of host:port: current value is ["nowhere"]',
    },
  );
  assert.throws(
    () => new PlatformaticKafkaTransport({ brokers: ["127.0.0.1:9092"], fetchMaxWaitMs: 0 }),
    /fetchMaxWaitMs must be a positive integer: current value is 0/,
  );
});
