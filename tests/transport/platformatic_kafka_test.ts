import assert from "node:assert/strict";
import { PlatformaticKafkaTransport } from "../../transport/platformatic_kafka.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { transportContract } from "./contract.ts";
import { createTopic, kafkaHarness, kafkaPermissions } from "./kafka_harness.ts";
import { assignmentCase, commitCase, type ContractSetup } from "./partition_contract.ts";

transportContract(
  await kafkaHarness("platformatic", (options) => new PlatformaticKafkaTransport(options)),
);

const contractBrokers = await kafkaBrokers();
const partitionContract: ContractSetup = {
  transport: () =>
    new PlatformaticKafkaTransport({
      brokers: contractBrokers,
      clientId: "transport-test",
      logger: { warn() {}, error() {} },
    }),
  topic: (partitions) => createTopic(contractBrokers, partitions),
  rebalanceMs: 30_000,
};

for (const transactional of [false, true]) {
  const mode = transactional ? "transactional" : "plain";
  Deno.test({
    name:
      `platformatic: partition contract (${mode}): one holder at a time, announced and revoked in order`,
    permissions: kafkaPermissions,
    fn: () => assignmentCase(partitionContract, transactional),
  });
  Deno.test({
    name: `platformatic: partition contract (${mode}): a committed batch is not handed out again`,
    permissions: kafkaPermissions,
    fn: () => commitCase(partitionContract, transactional),
  });
}

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
