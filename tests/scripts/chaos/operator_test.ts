import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { defaultConfig } from "../../../config/load.ts";
import { decodeEnvelope } from "../../../protocol/codec.ts";
import type { Instruction } from "../../../protocol/messages.ts";
import { Operator } from "../../../scripts/chaos/operator.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../../../scripts/topics.ts";
import { kafkaBrokers, uniqueName } from "../../fixtures/services.ts";

const brokers = await kafkaBrokers();

Deno.test({
  name: "the chaos operator's ask is an optimise instruction the roles decode",
  permissions: { net: ["127.0.0.1"], env: true, read: true, sys: true },
  async fn() {
    const base = defaultConfig();
    const name = uniqueName("test-operator");
    const config = {
      ...base,
      kafka: { ...base.kafka, brokers },
      topics: { ...base.topics, instructions: { ...base.topics.instructions, name } },
    };
    const specs = topicSpecs(config).filter((spec) => spec.purpose === "instructions");
    const admin = kafkaClient(config).admin();
    await admin.connect();
    const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING })
      .consumer({ groupId: uniqueName("test-operator") });
    try {
      await createTopics(admin, specs);
      const operator = await Operator.connect(config);
      await operator.optimise();
      await operator.close();
      await consumer.connect();
      await consumer.subscribe({ topics: [name], fromBeginning: true });
      const read = Promise.withResolvers<Uint8Array>();
      await consumer.run({
        eachMessage: ({ message }) => (read.resolve(message.value!), Promise.resolve()),
      });
      const envelope = decodeEnvelope(await read.promise);
      assert.equal(envelope.type, "Instruction");
      const instruction = envelope.payload as Instruction;
      assert.equal(instruction.action, "optimise");
      assert.equal(instruction.reportId, -1);
    } finally {
      await consumer.disconnect();
      await deleteTopics(admin, specs);
      await admin.disconnect();
    }
  },
});
