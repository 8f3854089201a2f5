import assert from "node:assert/strict";
import diagnostics from "node:diagnostics_channel";
import type { Consumer, Producer } from "@platformatic/kafka";
import { PlatformaticKafkaTransport } from "../../transport/platformatic_kafka.ts";
import type { KafkaTransportOptions } from "../../transport/kafka.ts";
import { kafkaBrokers, uniqueName } from "../fixtures/services.ts";
import { within } from "../fixtures/eventually.ts";
import { transportContract } from "./contract.ts";
import { oversizedRecordCase } from "./refusal_case.ts";
import { createTopic, kafkaHarness, kafkaPermissions } from "./kafka_harness.ts";
import { record, text } from "./records.ts";
import {
  assignmentCase,
  commitCase,
  type ContractSetup,
  largeOutputCase,
} from "./partition_contract.ts";

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
  Deno.test({
    name:
      `platformatic: partition contract (${mode}): outputs over the broker's largest message commit`,
    permissions: kafkaPermissions,
    fn: () => largeOutputCase(partitionContract, transactional),
  });
}

Deno.test({
  name:
    "platformatic: a record over the broker's largest message fails as its batch's fault, not an outage",
  permissions: kafkaPermissions,
  fn: () => oversizedRecordCase(partitionContract),
});

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
  assert.throws(
    () => new PlatformaticKafkaTransport({ brokers: ["127.0.0.1:9092"], callDeadlineMs: -1 }),
    /callDeadlineMs must be a positive integer: current value is -1/,
  );
  assert.throws(
    () =>
      new PlatformaticKafkaTransport({
        brokers: ["127.0.0.1:9092"],
        sessionTimeoutMs: 6_000,
        rebalanceTimeoutMs: 5_000,
      }),
    /rebalanceTimeoutMs must be at least sessionTimeoutMs \(6000\): current value is 5000/,
  );
});

/**
 * The client's consumers as they are made (it announces each on its `instances` channel), so a
 * test can play what the client reports about its member.
 */
function watchConsumers(): { consumers: Consumer[]; stop(): void } {
  const consumers: Consumer[] = [];
  const onInstance = (message: unknown) => {
    const { type, instance } = message as { type: string; instance: unknown };
    if (type === "consumer") consumers.push(instance as Consumer);
  };
  diagnostics.subscribe("plt:kafka:instances", onInstance);
  return { consumers, stop: () => diagnostics.unsubscribe("plt:kafka:instances", onInstance) };
}

// What the client does when a rejoin fails (after a broker outage, say): it emits `error` and
// sends no more heartbeats; and once heartbeats failed for its rebalance timeout, `stalled`.
const LOSSES: [string, (consumer: Consumer) => void, RegExp][] = [
  [
    "its rejoin failed",
    (consumer) => consumer.emit("error", new Error("joinGroup failed 4 times.")),
    /the member was lost: its rejoin failed: joinGroup failed 4 times\./,
  ],
  [
    "its heartbeats stalled",
    (consumer) =>
      consumer.emit("consumer:heartbeat:stalled", {
        lastError: new Error("Request timed out"),
        lastHeartbeat: null,
        stalledFor: 102_000,
      }),
    /the member was lost: its heartbeats failed for 102000 ms \(last: Request timed out\)/,
  ],
];

for (const [what, report, reason] of LOSSES) {
  Deno.test({
    name: `platformatic: a member the client gave up (${what}) fails its subscription, saying why`,
    permissions: kafkaPermissions,
    async fn() {
      const brokers = await kafkaBrokers();
      const topic = await createTopic(brokers, 1);
      const { kafka, warned } = warningTransport({ brokers });
      const watch = watchConsumers();
      const group = uniqueName("group");
      try {
        const assigned = Promise.withResolvers<void>();
        const subscription = await kafka.subscribe({
          group,
          topics: [topic],
          handler: () => Promise.resolve(),
          onAssigned: () => Promise.resolve(assigned.resolve()),
        });
        await within(assigned.promise, { what: "the partition is assigned", deadlineMs: 30_000 });
        const member = watch.consumers.find((consumer) => consumer.groupId === group);
        assert.ok(member !== undefined, "the member's consumer was announced");
        report(member);
        // Without this the member would wait for an assignment no rejoin brings, forever.
        await assert.rejects(
          within(subscription.done, { what: "the subscription ends", deadlineMs: 15_000 }),
          reason,
        );
        assert.ok(warned.some((message) => reason.test(message)), warned.join("\n"));
      } finally {
        watch.stop();
        await kafka.close();
      }
    },
  });
}

/** A transactional member writing one output per input record, noting what it handled. */
/** Resolves once `handled` holds a record. */
async function somethingIn(handled: readonly string[]): Promise<void> {
  while (handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A transport with `options` whose warnings are kept in `warned`. */
function warningTransport(options: KafkaTransportOptions) {
  const warned: string[] = [];
  const kafka = new PlatformaticKafkaTransport({
    ...options,
    logger: { warn: (message) => warned.push(message), error() {} },
  });
  return { kafka, warned };
}

function forwarding(
  kafka: PlatformaticKafkaTransport,
  group: string,
  input: string,
  output: string,
  handled: string[],
) {
  return kafka.subscribe({
    group,
    topics: [input],
    start: "earliest",
    transactional: true,
    handler: async (records, context) => {
      await context.commit([{ topic: output, records: records.map(() => record(null, "f")) }]);
      handled.push(...records.map(text));
    },
  });
}

Deno.test({
  name: "platformatic: a transaction outlives a stall of 16 s (a broker paused mid-batch)",
  permissions: kafkaPermissions,
  async fn() {
    const brokers = await kafkaBrokers();
    const [input, output] = [await createTopic(brokers, 1), await createTopic(brokers, 1)];
    const kafka = new PlatformaticKafkaTransport({ brokers, logger: { warn() {}, error() {} } });
    // The client stands still between the batch's first request and its commit, past the
    // client's default transaction timeout (5 s) and the broker's sweep of expired ones (10 s).
    let stalled = false;
    const stall = {
      start(context: unknown) {
        if (stalled || (context as { operation?: string }).operation !== "commit") return;
        stalled = true;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 16_000);
      },
    };
    const transactions = diagnostics.tracingChannel("plt:kafka:producer:transactions");
    transactions.subscribe(stall);
    try {
      const handled: string[] = [];
      const subscription = await forwarding(kafka, uniqueName("group"), input, output, handled);
      const failed = subscription.done.then(() => "ended", (error) => `failed: ${error}`);
      await kafka.publish(input, [record("k", "one")]);
      const outcome = await within(
        Promise.race([
          failed,
          somethingIn(handled).then(() => "committed"),
        ]),
        { what: "the stalled batch commits or its subscription ends", deadlineMs: 60_000 },
      );
      assert.ok(stalled, "the client stalled before its commit");
      assert.equal(outcome, "committed");
      await subscription.stop();
    } finally {
      transactions.unsubscribe(stall);
      await kafka.close();
    }
  },
});

Deno.test({
  name:
    "platformatic: a client call never answered fails its subscription at its deadline; the next member redoes the batch",
  permissions: kafkaPermissions,
  async fn() {
    const brokers = await kafkaBrokers();
    const [input, output] = [await createTopic(brokers, 1), await createTopic(brokers, 1)];
    // Loose enough for the calls that are answered, on a loaded machine.
    const { kafka, warned } = warningTransport({ brokers, callDeadlineMs: 6_000 });
    // As seen after a broker pause: the first transaction's TxnOffsetCommit is never answered.
    let lost = false;
    const onInstance = (message: unknown) => {
      const { type, instance } = message as { type: string; instance: Producer };
      if (type !== "producer") return;
      const begin = instance.beginTransaction.bind(instance);
      instance.beginTransaction = (async () => {
        const transaction = await begin();
        if (!lost) {
          transaction.addOffset = () => {
            lost = true;
            return new Promise<void>(() => {});
          };
        }
        return transaction;
      }) as Producer["beginTransaction"];
    };
    diagnostics.subscribe("plt:kafka:instances", onInstance);
    const group = uniqueName("group");
    const member = (handled: string[]) => forwarding(kafka, group, input, output, handled);
    try {
      const first: string[] = [];
      const stalled = await member(first);
      await kafka.publish(input, [record("k", "one")]);
      await assert.rejects(
        within(stalled.done, { what: "the stalled member's end", deadlineMs: 30_000 }),
        {
          name: "KafkaCallStalledError",
          message: /adding .+\/0's offset did not end within 6000 ms/,
        },
      );
      assert.ok(lost, "the offset's answer was lost");
      assert.deepEqual(first, []);
      assert.ok(warned.some((line) => /did not end within 6000 ms/.test(line)), warned.join("\n"));
      // What the supervisor does next: a new member, which fences the stalled one's producer.
      const second: string[] = [];
      const next = await member(second);
      await within(somethingIn(second), {
        what: "the next member handles the batch",
        deadlineMs: 60_000,
      });
      assert.deepEqual(second, ["one"]);
      await next.stop();
    } finally {
      diagnostics.unsubscribe("plt:kafka:instances", onInstance);
      await kafka.close();
    }
  },
});

Deno.test({
  name:
    "platformatic: a first join never answered fails its subscription at the join deadline; the next member joins",
  permissions: kafkaPermissions,
  async fn() {
    const brokers = await kafkaBrokers();
    const [input, output] = [await createTopic(brokers, 1), await createTopic(brokers, 1)];
    // The join deadline is the rebalance timeout and the call deadline: 7 s here.
    const { kafka, warned } = warningTransport({
      brokers,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 6_000,
      callDeadlineMs: 1_000,
    });
    const next = new PlatformaticKafkaTransport({ brokers, logger: { warn() {}, error() {} } });
    // The first consumer's join is never answered.
    let lost = false;
    const onInstance = (message: unknown) => {
      const { type, instance } = message as { type: string; instance: Consumer };
      if (type !== "consumer" || lost) return;
      lost = true;
      instance.consume = (() => new Promise(() => {})) as Consumer["consume"];
    };
    diagnostics.subscribe("plt:kafka:instances", onInstance);
    const group = uniqueName("group");
    try {
      await assert.rejects(
        within(forwarding(kafka, group, input, output, []), {
          what: "the stalled join",
          deadlineMs: 30_000,
        }),
        { name: "KafkaCallStalledError", message: /joining the group did not end within 7000 ms/ },
      );
      assert.ok(lost, "the join's answer was lost");
      assert.ok(
        warned.some((line) => /joining the group did not end/.test(line)),
        warned.join("\n"),
      );
      // What the supervisor does next: a new member (with the default deadlines), which joins
      // and handles the record.
      await next.publish(input, [record("k", "one")]);
      const handled: string[] = [];
      const member = await forwarding(next, group, input, output, handled);
      await within(somethingIn(handled), {
        what: "the next member handles the record",
        deadlineMs: 60_000,
      });
      assert.deepEqual(handled, ["one"]);
      await member.stop();
    } finally {
      diagnostics.unsubscribe("plt:kafka:instances", onInstance);
      await kafka.close();
      await next.close();
    }
  },
});
