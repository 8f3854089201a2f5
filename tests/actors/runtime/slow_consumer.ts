/**
 * A deliberately slow mailbox consumer, run as a subprocess by `kafka_consumer_restart_test.ts`:
 * a supervised actor that appends every handled `key seq` line to a file, with graceful shutdown
 * on SIGTERM as `main.ts` wires it.
 *
 * Usage: slow_consumer.ts <topic> <group> <output file> <ms per batch>; brokers from KAFKA_BROKERS.
 */

import { subscribeMailbox } from "../../../actors/runtime/mailbox.ts";
import { installShutdown } from "../../../actors/runtime/shutdown.ts";
import { Supervisor } from "../../../actors/runtime/supervisor.ts";
import { KafkaTransport } from "../../../transport/kafka.ts";

const [topic, group, output, delay] = Deno.args;
const brokers = Deno.env.get("KAFKA_BROKERS")!.split(",");
const decoder = new TextDecoder();

const transport = new KafkaTransport({
  brokers,
  clientId: "slow-consumer",
  // The broker's minimum, so a killed member's partitions move on quickly.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
});

const supervisor = new Supervisor({
  name: "slow-consumer",
  transport,
  children: [{
    name: "recorder",
    create: () => ({
      async start(context) {
        await subscribeMailbox(context, {
          topic,
          group,
          maxBatch: 25,
          decode: (bytes) => decoder.decode(bytes),
          deadLetterTopic: `${topic}.dead`,
          toDeadLetter: (record) => record.value,
          handler: async (deliveries) => {
            await new Promise((resolve) => setTimeout(resolve, Number(delay)));
            const lines = deliveries.map((delivery) => `${delivery.message}\n`).join("");
            await Deno.writeTextFile(output, lines, { append: true });
          },
        });
      },
    }),
  }],
});

await supervisor.start();
installShutdown([
  { name: "stop actors", run: () => supervisor.stop() },
  { name: "close transport", run: () => transport.close() },
], { deadlineMs: 20_000 });
supervisor.done.catch((error) => {
  console.error(error);
  Deno.exit(2);
});
