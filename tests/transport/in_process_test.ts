import assert from "node:assert/strict";
import { InProcessTransport } from "../../transport/in_process.ts";
import { collect, record, text } from "./records.ts";
import { eventually } from "../fixtures/eventually.ts";
import { transportContract } from "./contract.ts";

let groups = 0;
transportContract({
  name: "in-process",
  open: (partitions) =>
    Promise.resolve({ transport: new InProcessTransport({ partitions }), topic: "t" }),
  group: () => `g${++groups}`,
  permissions: "none",
  deadlineMs: 5_000,
});
import {
  assignmentCase,
  commitCase,
  type ContractSetup,
  largeOutputCase,
} from "./partition_contract.ts";

/** Lets every pending callback and timer of zero delay run a few times over. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("records without a key go round the partitions", async () => {
  const transport = new InProcessTransport({ partitions: 4 });
  await transport.publish("t", Array.from({ length: 8 }, (_, i) => record(null, String(i))));
  assert.deepEqual(await transport.endOffsets("t"), [2, 2, 2, 2]);
  assert.equal(await transport.partitions("t"), 4);
  await transport.close();
});

Deno.test("publish waits while the slowest group lags capacity records behind", async () => {
  const transport = new InProcessTransport({ partitions: 1, capacity: 10 });
  const gate = Promise.withResolvers<void>();
  const handled: string[] = [];
  const subscription = await transport.subscribe({
    group: "slow",
    topics: ["t"],
    maxBatch: 4,
    handler: async (records) => {
      await gate.promise;
      handled.push(...records.map(text));
    },
  });
  let published = false;
  const publishing = transport
    .publish("t", Array.from({ length: 25 }, (_, i) => record("k", String(i))))
    .then(() => published = true);
  await settle();
  assert.equal(published, false, "publish must wait for the consumer");
  assert.deepEqual(await transport.endOffsets("t"), [10], "the log holds exactly capacity records");
  gate.resolve();
  await publishing;
  await eventually(() => handled.length === 25, { what: "25 records are handled" });
  await subscription.stop();
  await transport.close();
  assert.deepEqual(handled, Array.from({ length: 25 }, (_, i) => String(i)));
});

Deno.test("a topic nobody subscribes to keeps only its newest capacity records", async () => {
  const transport = new InProcessTransport({ partitions: 1, capacity: 10 });
  await transport.publish("t", Array.from({ length: 25 }, (_, i) => record("k", String(i))));
  const handled: number[] = [];
  const subscription = await transport.subscribe({
    group: "late",
    topics: ["t"],
    handler: collect(handled, (r) => r.offset),
  });
  await eventually(() => handled.length === 10, { what: "10 records are handled" });
  await subscription.stop();
  await transport.close();
  assert.deepEqual(handled, Array.from({ length: 10 }, (_, i) => 15 + i));
});

Deno.test("a new group can start at the end of the log", async () => {
  const transport = new InProcessTransport({ partitions: 1 });
  await transport.publish("t", [record("k", "old")]);
  const handled: string[] = [];
  const subscription = await transport.subscribe({
    group: "fresh",
    topics: ["t"],
    start: "latest",
    handler: collect(handled, text),
  });
  await transport.publish("t", [record("k", "new")]);
  await eventually(() => handled.length === 1, { what: "the record is handled" });
  await subscription.stop();
  await transport.close();
  assert.deepEqual(handled, ["new"]);
});

Deno.test("close rejects publishers waiting for room", async () => {
  const transport = new InProcessTransport({ partitions: 1, capacity: 2 });
  await transport.subscribe({
    group: "stuck",
    topics: ["t"],
    // Holds its batch until the subscription stops.
    handler: (_, context) =>
      new Promise((resolve) => context.stopping.addEventListener("abort", () => resolve())),
  });
  const publishing = transport.publish("t", Array.from({ length: 5 }, () => record("k", "x")));
  await settle();
  await transport.close();
  await assert.rejects(publishing, /in-process transport is closed/);
});

Deno.test("bad sizes are rejected up front", () => {
  assert.throws(
    () => new InProcessTransport({ capacity: 0 }),
    { name: "RangeError", message: "capacity must be a positive integer: current value is 0" },
  );
  assert.throws(
    () => new InProcessTransport({ topics: { t: 1.5 } }),
    /topics\.t must be a positive integer: current value is 1\.5/,
  );
});

const contract: ContractSetup = {
  transport: () => new InProcessTransport({ partitions: 2 }),
  topic: (partitions) => Promise.resolve(`topic-${partitions}-${crypto.randomUUID()}`),
  rebalanceMs: 2_000,
};

for (const transactional of [false, true]) {
  const mode = transactional ? "transactional" : "plain";
  Deno.test(`partition contract (${mode}): one holder at a time, announced and revoked in order`, () =>
    assignmentCase(contract, transactional));
  Deno.test(`partition contract (${mode}): a committed batch is not handed out again`, () =>
    commitCase(contract, transactional));
  Deno.test(`partition contract (${mode}): outputs over the broker's largest message commit`, () =>
    largeOutputCase(contract, transactional));
}
