import assert from "node:assert/strict";
import { KafkaTransport } from "../../transport/kafka.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { transportContract } from "./contract.ts";
import { oversizedRecordCase } from "./refusal_case.ts";
import { createTopic, kafkaHarness, kafkaPermissions } from "./kafka_harness.ts";
import {
  assignmentCase,
  commitCase,
  type ContractSetup,
  largeOutputCase,
} from "./partition_contract.ts";

transportContract(await kafkaHarness("kafkajs", (options) => new KafkaTransport(options)));

Deno.test({
  name: "kafkajs: a member the group cannot keep ends its subscription, logging through the logger",
  permissions: kafkaPermissions,
  async fn() {
    const brokers = await kafkaBrokers();
    const topic = await createTopic(brokers, 1);
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

Deno.test("kafkajs: bad Kafka options are rejected up front", { permissions: "none" }, () => {
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

const contractBrokers = await kafkaBrokers();
const partitionContract: ContractSetup = {
  transport: () =>
    new KafkaTransport({
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
      `kafkajs: partition contract (${mode}): one holder at a time, announced and revoked in order`,
    permissions: kafkaPermissions,
    fn: () => assignmentCase(partitionContract, transactional),
  });
  Deno.test({
    name: `kafkajs: partition contract (${mode}): a committed batch is not handed out again`,
    permissions: kafkaPermissions,
    fn: () => commitCase(partitionContract, transactional),
  });
  Deno.test({
    name: `kafkajs: partition contract (${mode}): outputs over the broker's largest message commit`,
    permissions: kafkaPermissions,
    fn: () => largeOutputCase(partitionContract, transactional),
  });
}

Deno.test({
  name:
    "kafkajs: a record over the broker's largest message fails as its batch's fault, not an outage",
  permissions: kafkaPermissions,
  fn: () => oversizedRecordCase(partitionContract),
});
