import assert from "node:assert/strict";
import { subscribeMailbox } from "../../../actors/runtime/mailbox.ts";
import { RetriableError } from "../../../actors/runtime/failure.ts";
import { ObjectStoreUnavailableError } from "../../../storage/s3_objects.ts";
import { ResponseError } from "@platformatic/kafka";
import { Supervisor } from "../../../actors/runtime/supervisor.ts";
import type { Logger } from "../../../logging/logger.ts";
import { InProcessTransport } from "../../../transport/in_process.ts";
import type { ConsumedRecord } from "../../../transport/transport.ts";
import { eventually } from "../../fixtures/eventually.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function decodeNumber(bytes: Uint8Array): number {
  const value = Number(decoder.decode(bytes));
  if (!Number.isInteger(value)) throw new Error(`not an integer: ${decoder.decode(bytes)}`);
  return value;
}

Deno.test("undecodable records go to the dead-letter topic and the mailbox keeps going", async () => {
  const transport = new InProcessTransport({ partitions: 1 });
  const actor = {
    subscribe: transport.subscribe.bind(transport),
    publish: transport.publish.bind(transport),
    logger: quiet,
  };
  const handled: number[] = [];
  const subscription = await subscribeMailbox(actor, {
    topic: "inbox",
    group: "actor",
    maxBatch: 2,
    decode: decodeNumber,
    deadLetterTopic: "inbox.dead",
    toDeadLetter: (record: ConsumedRecord, reason: string) =>
      encoder.encode(`${record.topic}@${record.offset}: ${reason}`),
    handler: (deliveries) => {
      handled.push(...deliveries.map((delivery) => delivery.message));
    },
  });
  const dead: string[] = [];
  const deadReader = await transport.subscribe({
    group: "audit",
    topics: ["inbox.dead"],
    handler: (records) => {
      dead.push(...records.map((r) => decoder.decode(r.value)));
      return Promise.resolve();
    },
  });
  await transport.publish(
    "inbox",
    ["1", "2", "oops", "3", "4"].map((text) => ({
      key: "k",
      value: encoder.encode(text),
    })),
  );
  await eventually(() => handled.length === 4 && dead.length === 1, {
    what: "four records are handled and one dead-lettered",
  });
  await subscription.stop();
  await deadReader.stop();
  await transport.close();
  assert.deepEqual(handled, [1, 2, 3, 4]);
  assert.deepEqual(dead, ["inbox@2: not an integer: oops"]);
});

Deno.test("a mailbox cannot dead-letter into itself", async () => {
  const transport = new InProcessTransport();
  await assert.rejects(
    subscribeMailbox({
      subscribe: transport.subscribe.bind(transport),
      publish: transport.publish.bind(transport),
      logger: quiet,
    }, {
      topic: "inbox",
      group: "g",
      decode: decodeNumber,
      deadLetterTopic: "inbox",
      toDeadLetter: () => new Uint8Array(),
      handler: async () => {},
    }),
    /deadLetterTopic must differ from the mailbox topic: current value is 'inbox'/,
  );
  await transport.close();
});

Deno.test("without a dead-letter topic an undecodable record is logged and skipped, not published", async () => {
  const transport = new InProcessTransport({ partitions: 1 });
  const warnings: string[] = [];
  const published: string[] = [];
  const actor = {
    subscribe: transport.subscribe.bind(transport),
    publish: (topic: string, records: Parameters<InProcessTransport["publish"]>[1]) => {
      published.push(topic);
      return transport.publish(topic, records);
    },
    logger: { ...quiet, warn: (message: string) => void warnings.push(message) },
  };
  const handled: number[] = [];
  const subscription = await subscribeMailbox(actor, {
    topic: "inbox",
    group: "reader",
    decode: decodeNumber,
    toDeadLetter: () => {
      throw new Error("toDeadLetter must not be called without a dead-letter topic");
    },
    handler: (deliveries) => {
      handled.push(...deliveries.map((delivery) => delivery.message));
    },
  });
  await transport.publish(
    "inbox",
    ["1", "oops", "2"].map((text) => ({ key: "k", value: encoder.encode(text) })),
  );
  await eventually(() => handled.length === 2, { what: "both records are handled" });
  await subscription.stop();
  await transport.close();
  assert.deepEqual(handled, [1, 2]);
  assert.deepEqual(published, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /skipped/);
});

/**
 * Runs one supervised actor whose mailbox handler calls `handle` per message; returns what was
 * handled, the dead letters and how often the actor started.
 */
async function supervisedInbox(
  messages: string[],
  handle: (message: number) => void,
  maxBatch: number,
) {
  const transport = new InProcessTransport({ partitions: 1 });
  await transport.publish(
    "inbox",
    messages.map((text) => ({ key: "k", value: encoder.encode(text) })),
  );
  const handled: number[] = [];
  const dead: string[] = [];
  let starts = 0;
  const deadReader = await transport.subscribe({
    group: "audit",
    topics: ["inbox.dead"],
    handler: (records) => {
      dead.push(...records.map((r) => decoder.decode(r.value)));
      return Promise.resolve();
    },
  });
  const supervisor = new Supervisor({
    name: "sup",
    transport,
    backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 },
    logger: quiet,
    children: [{
      name: "reader",
      create: () => ({
        async start(context) {
          starts++;
          await subscribeMailbox(context, {
            topic: "inbox",
            group: "reader",
            maxBatch,
            decode: decodeNumber,
            deadLetterTopic: "inbox.dead",
            toDeadLetter: (record, reason) =>
              encoder.encode(`${record.topic}/${record.partition}@${record.offset}: ${reason}`),
            handler: (deliveries) => {
              for (const { message } of deliveries) {
                handle(message);
                handled.push(message);
              }
            },
          });
        },
      }),
    }],
  });
  await supervisor.start();
  return {
    handled,
    dead,
    starts: () => starts,
    async stop() {
      await supervisor.stop();
      await deadReader.stop();
      await transport.close();
    },
  };
}

Deno.test("a record whose handling crashes is dead-lettered with its origin after crashing the role once", async () => {
  const run = await supervisedInbox(["11", "12", "13", "14", "15"], (message) => {
    if (message === 13) throw new TypeError("cannot handle 13");
  }, 3);
  await eventually(() => run.dead.length === 1 && run.handled.includes(15), {
    what: "13 is dead-lettered and 15 handled",
  });
  await run.stop();
  assert.deepEqual(run.dead, ["inbox/0@2: handling failed: cannot handle 13"]);
  // The batch 11..13 crashed the first incarnation once; its records are redelivered one by one.
  assert.equal(run.starts(), 2);
  assert.deepEqual([...new Set(run.handled)].toSorted(), [11, 12, 14, 15]);
});

// As @platformatic/kafka reports a Produce the broker answered with MESSAGE_TOO_LARGE.
const tooLarge = () => new ResponseError(0, 11, { "/topics/0/partitions/0": [10, null] }, {});

/** Failures of record 2 that are its own fault, and the dead letter's reason for each. */
const RECORD_FAULTS: [string, () => Error, RegExp][] = [
  ["a handler's crash", () => new RangeError("bad 2"), /^inbox\/0@1: handling failed: bad 2$/],
  [
    "a broker refusing its output for its size",
    () => new Error("Producing messages failed.", { cause: tooLarge() }),
    /^inbox\/0@1: handling failed: Producing messages failed\./,
  ],
];

for (const [what, fault, reason] of RECORD_FAULTS) {
  Deno.test(`a record handled alone crashes the role once, then is dead-lettered (${what})`, async () => {
    const run = await supervisedInbox(["1", "2", "3"], (message) => {
      if (message === 2) throw fault();
    }, 1);
    await eventually(() => run.dead.length === 1 && run.handled.includes(3), {
      what: "2 is dead-lettered and 3 handled",
    });
    await run.stop();
    assert.equal(run.starts(), 2);
    assert.deepEqual(run.handled, [1, 3]);
    assert.match(run.dead[0], reason);
  });
}

Deno.test("a retriable failure restarts the role and redelivers the record, dead-lettering nothing", async () => {
  let outage = true;
  const run = await supervisedInbox(["1", "2", "3"], (message) => {
    if (message === 2 && outage) {
      outage = false;
      throw new RetriableError("broker unreachable", { service: "kafka" });
    }
  }, 1);
  await eventually(() => run.handled.includes(3), { what: "3 is handled" });
  await run.stop();
  assert.equal(run.starts(), 2);
  assert.deepEqual(run.handled, [1, 2, 3]);
  assert.deepEqual(run.dead, []);
});

Deno.test("an object store outage while suspects are handled alone poisons none of them", async () => {
  let outage = false;
  let starts = () => 0;
  const run = await supervisedInbox(["11", "12", "13", "14"], (message) => {
    if (message === 13) throw new TypeError("cannot handle 13");
    // The second incarnation handles the suspects 11..13 alone; the store is down for 12.
    if (message === 12 && starts() === 2 && !outage) {
      outage = true;
      throw new ObjectStoreUnavailableError("S3 put of 'buckets/3' failed: ECONNREFUSED");
    }
  }, 3);
  starts = run.starts;
  await eventually(() => run.dead.length === 1 && run.handled.includes(14), {
    what: "13 is dead-lettered and 14 handled",
  });
  await run.stop();
  assert.ok(outage, "the outage hit a suspect handled alone");
  assert.equal(run.starts(), 3);
  assert.deepEqual(run.dead, ["inbox/0@2: handling failed: cannot handle 13"]);
  assert.deepEqual([...new Set(run.handled)].toSorted(), [11, 12, 14]);
});
