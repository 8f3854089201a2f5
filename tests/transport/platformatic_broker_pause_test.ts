import assert from "node:assert/strict";
import { PlatformaticKafkaTransport } from "../../transport/platformatic_kafka.ts";
import { startKafka } from "../../scripts/services/kafka.ts";
import { uniqueName } from "../fixtures/services.ts";
import { eventually, within } from "../fixtures/eventually.ts";
import { createTopic } from "./kafka_harness.ts";
import { record, text } from "./records.ts";

/** As long as the chaos suite pauses the broker. */
const PAUSE_MS = 20_000;

// The broker is paused: it must be this file's own, not the one other tests share. The member is
// the engine's kind: transactional, publishing besides.
Deno.test({
  name: `platformatic: a transactional member reads on after the broker was paused ${
    PAUSE_MS / 1000
  } s mid-stream`,
  permissions: {
    // Signalling the broker needs run access beyond starting it.
    run: true,
    read: true,
    write: true,
    net: ["127.0.0.1"],
    env: true,
  },
  async fn() {
    const broker = await startKafka();
    const brokers = [broker.endpoints];
    const kafka = new PlatformaticKafkaTransport({
      brokers,
      clientId: "pause-test",
      logger: { warn() {}, error() {} },
    });
    try {
      const [input, output] = [await createTopic(brokers, 2), await createTopic(brokers, 1)];
      const handled: string[] = [];
      const subscription = await kafka.subscribe({
        group: uniqueName("pause"),
        topics: [input],
        start: "earliest",
        transactional: true,
        // As the engine does: a side publish of its own, then the batch's outputs.
        handler: async (records, context) => {
          await kafka.publish(output, [record(null, "position")]);
          await context.commit([{
            topic: output,
            records: records.map(() => record(null, "f")),
          }]);
          handled.push(...records.map(text));
        },
      });
      let sent = 0;
      const send = async (count: number) => {
        const records = Array.from({ length: count }, () => record(`k${sent % 7}`, `${sent++}`));
        await kafka.publish(input, records);
      };
      await send(50);
      await eventually(() => handled.length >= 50, { what: "the first records are handled" });
      // Records keep coming while the broker is stopped, as the replayer's do.
      const feeding = (async () => {
        for (let i = 0; i < 10; i++) {
          await send(20);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      Deno.kill(broker.pid, "SIGSTOP");
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      Deno.kill(broker.pid, "SIGCONT");
      await within(feeding, { what: "publishing through the pause", deadlineMs: 60_000 });
      await send(50);
      await eventually(
        () => new Set(handled).size === sent,
        { what: `all ${sent} records handled after the pause`, deadlineMs: 60_000, everyMs: 200 },
      );
      await within(subscription.stop(), { what: "the member stops", deadlineMs: 15_000 });
      assert.equal(new Set(handled).size, sent);
    } finally {
      Deno.kill(broker.pid, "SIGCONT");
      await kafka.close();
      await broker.stop();
    }
  },
});
