import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { subscribeMailbox } from "../../../actors/runtime/mailbox.ts";
import { deadLetterBytes } from "../../../actors/messaging.ts";
import type { Logger } from "../../../logging/logger.ts";
import type { DeadLetter } from "../../../protocol/messages.ts";
import { decodePayload } from "../../../protocol/codec.ts";
import { KafkaTransport } from "../../../transport/kafka.ts";
import { eventually } from "../../fixtures/eventually.ts";
import { kafkaBrokers, uniqueName } from "../../fixtures/services.ts";

const brokers = await kafkaBrokers();
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

Deno.test({
  name: "a record at the broker's size limit is dead-lettered truncated and the mailbox goes on",
  permissions: { net: ["127.0.0.1"], env: true },
  async fn() {
    const [inbox, dead] = [uniqueName("test-inbox"), uniqueName("test-dead")];
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: inbox, numPartitions: 1 }, { topic: dead, numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const kafka = new KafkaTransport({ brokers, clientId: "mailbox-test", logger: quiet });
    const actor = {
      subscribe: kafka.subscribe.bind(kafka),
      publish: kafka.publish.bind(kafka),
      logger: quiet,
    };
    // Just under the broker's default 1 MiB limit: it fits, but a letter carrying all of it
    // would not (the broker refused such letters with MESSAGE_TOO_LARGE).
    const huge = new Uint8Array(1_048_400).map((_, i) => i % 7);
    const handled: string[] = [];
    const letters: DeadLetter[] = [];
    const mailbox = await subscribeMailbox(actor, {
      topic: inbox,
      group: uniqueName("test-mailbox"),
      decode: (bytes) => {
        if (bytes.length > 100) throw new Error(`record of ${bytes.length} bytes`);
        return new TextDecoder().decode(bytes);
      },
      deadLetterTopic: dead,
      toDeadLetter: deadLetterBytes,
      handler: (deliveries) => {
        handled.push(...deliveries.map((delivery) => delivery.message));
      },
    });
    const audit = await kafka.subscribe({
      group: uniqueName("test-audit"),
      topics: [dead],
      handler: (records) => {
        letters.push(...records.map((record) => decodePayload("DeadLetter", record.value)));
        return Promise.resolve();
      },
    });
    try {
      await kafka.publish(inbox, [{ key: "k", value: huge }]);
      await kafka.publish(inbox, [{ key: "k", value: new TextEncoder().encode("after") }]);
      await eventually(() => handled.length === 1 && letters.length === 1, {
        what: "the small record is handled and the big one dead-lettered",
        deadlineMs: 30_000,
      });
      assert.deepEqual(handled, ["after"]);
      const [letter] = letters;
      assert.deepEqual(
        [letter.sourceTopic, letter.partition, letter.offset, letter.reason],
        [inbox, 0, 0, "record of 1048400 bytes"],
      );
      assert.deepEqual([letter.truncated, letter.originalSize], [true, 1_048_400]);
      assert.deepEqual(letter.original, huge.slice(0, 64 * 1024));
      assert.equal(letter.originalSha256, createHash("sha256").update(huge).digest("hex"));
    } finally {
      await mailbox.stop();
      await audit.stop();
      await kafka.close();
    }
  },
});
