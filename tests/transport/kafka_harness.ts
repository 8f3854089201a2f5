/**
 * The contract harness of a Kafka transport: fresh topics created with the admin client (no
 * auto-creation) on the test broker, client records kept out of the test output.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import type { KafkaTransportOptions } from "../../transport/kafka.ts";
import type { Transport } from "../../transport/transport.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import type { TransportHarness } from "./contract.ts";

/** Permissions a Kafka transport test needs. */
export const kafkaPermissions: Deno.PermissionOptions = { net: ["127.0.0.1"], env: true };

/** A fresh topic with `partitions` partitions on `brokers`. */
export async function createTopic(brokers: string[], partitions: number): Promise<string> {
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

/** The harness for the Kafka transport `create` builds. */
export async function kafkaHarness(
  name: string,
  create: (options: KafkaTransportOptions) => Transport,
): Promise<TransportHarness> {
  const brokers = await kafkaBrokers();
  return {
    name,
    async open(partitions) {
      const topic = await createTopic(brokers, partitions);
      const transport = create({
        brokers,
        clientId: "transport-test",
        // Under a prefix, as a deployment's groups are: committedOffsets must apply it too.
        groupPrefix: "prefixed.",
        logger: { warn() {}, error() {} },
      });
      return { transport, topic };
    },
    group: () => uniqueName("group"),
    permissions: kafkaPermissions,
    deadlineMs: 30_000,
  };
}
