import assert from "node:assert/strict";
import { InProcessTransport } from "../../transport/in_process.ts";
import type { BatchHandler } from "../../transport/transport.ts";
import { collect, record, text } from "./records.ts";
import { eventually } from "../fixtures/eventually.ts";

/** Lets every pending callback and timer of zero delay run a few times over. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("records with the same key keep their order and their partition", async () => {
  const transport = new InProcessTransport({ partitions: 4 });
  const keys = ["a", "b", "c", "d", "e"];
  for (let seq = 0; seq < 60; seq += 10) {
    const batch = [];
    for (let step = seq; step < seq + 10; step++) {
      for (const key of keys) batch.push(record(key, String(step)));
    }
    await transport.publish("orders", batch);
  }
  const seen = new Map<string, { seqs: number[]; partitions: Set<number> }>();
  const subscription = await transport.subscribe({
    group: "g",
    topics: ["orders"],
    maxBatch: 7,
    handler: (records) => {
      for (const consumed of records) {
        const entry = seen.get(consumed.key!) ?? { seqs: [], partitions: new Set() };
        entry.seqs.push(Number(text(consumed)));
        entry.partitions.add(consumed.partition);
        seen.set(consumed.key!, entry);
      }
      return Promise.resolve();
    },
  });
  await eventually(
    () => [...seen.values()].reduce((sum, entry) => sum + entry.seqs.length, 0) === 300,
    { what: "all 300 records are seen" },
  );
  await subscription.stop();
  await transport.close();
  for (const key of keys) {
    assert.deepEqual(seen.get(key)!.seqs, Array.from({ length: 60 }, (_, i) => i), key);
    assert.equal(seen.get(key)!.partitions.size, 1, key);
  }
  assert.equal((await transport.endOffsets("orders")).reduce((sum, end) => sum + end, 0), 300);
});

Deno.test("records without a key go round the partitions", async () => {
  const transport = new InProcessTransport({ partitions: 4 });
  await transport.publish("t", Array.from({ length: 8 }, (_, i) => record(null, String(i))));
  assert.deepEqual(await transport.endOffsets("t"), [2, 2, 2, 2]);
  assert.equal(await transport.partitions("t"), 4);
  await transport.close();
});

Deno.test("every group sees every record; members of one group share them", async () => {
  const transport = new InProcessTransport({ partitions: 3, topics: { solo: 1 } });
  assert.equal(await transport.partitions("solo"), 1);
  const received = { other: [] as string[], first: [] as string[], second: [] as string[] };
  const slowly = (into: string[]): BatchHandler => async (records) => {
    into.push(...records.map(text));
    // Yield so that both members of the group get turns.
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const subscriptions = [
    await transport.subscribe({ group: "other", topics: ["t"], handler: slowly(received.other) }),
    await transport.subscribe({
      group: "g",
      topics: ["t"],
      maxBatch: 5,
      handler: slowly(received.first),
    }),
    await transport.subscribe({
      group: "g",
      topics: ["t"],
      maxBatch: 5,
      handler: slowly(received.second),
    }),
  ];
  const all = Array.from({ length: 90 }, (_, i) => `k${i % 9}:${i}`);
  await transport.publish("t", all.map((value) => record(value.split(":")[0], value)));
  await eventually(
    () => received.other.length === 90 && received.first.length + received.second.length === 90,
    { what: "both groups received all 90 records" },
  );
  await Promise.all(subscriptions.map((subscription) => subscription.stop()));
  await transport.close();
  assert.deepEqual(received.other.toSorted(), all.toSorted());
  assert.deepEqual([...received.first, ...received.second].toSorted(), all.toSorted());
  assert.ok(received.first.length > 0 && received.second.length > 0, "both members got work");
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

Deno.test("a failing handler fails the subscription and its batch is redelivered", async () => {
  const transport = new InProcessTransport({ partitions: 1 });
  await transport.publish("t", Array.from({ length: 6 }, (_, i) => record("k", String(i))));
  const first: string[] = [];
  const failing = await transport.subscribe({
    group: "g",
    topics: ["t"],
    maxBatch: 3,
    handler: (records) => {
      if (first.length === 3) return Promise.reject(new Error("handler broke"));
      first.push(...records.map(text));
      return Promise.resolve();
    },
  });
  await assert.rejects(failing.done, /handler broke/);
  const second: string[] = [];
  const retry = await transport.subscribe({
    group: "g",
    topics: ["t"],
    handler: collect(second, text),
  });
  await eventually(() => second.length === 3, { what: "the second member has 3 records" });
  await retry.stop();
  await transport.close();
  assert.deepEqual(first, ["0", "1", "2"]);
  assert.deepEqual(second, ["3", "4", "5"]);
});

Deno.test("stop waits for the in-flight batch and commits it", async () => {
  const transport = new InProcessTransport({ partitions: 1 });
  await transport.publish("t", Array.from({ length: 4 }, (_, i) => record("k", String(i))));
  const gate = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const handled: string[] = [];
  const subscription = await transport.subscribe({
    group: "g",
    topics: ["t"],
    maxBatch: 2,
    handler: async (records, context) => {
      entered.resolve();
      await gate.promise;
      assert.equal(context.stopping.aborted, true);
      handled.push(...records.map(text));
    },
  });
  await entered.promise;
  let stopped = false;
  const stopping = subscription.stop().then(() => stopped = true);
  await settle();
  assert.equal(stopped, false, "stop waits for the handler");
  gate.resolve();
  await stopping;
  await subscription.done;
  assert.deepEqual(handled, ["0", "1"]);

  const after: string[] = [];
  const next = await transport.subscribe({
    group: "g",
    topics: ["t"],
    handler: collect(after, text),
  });
  await eventually(() => after.length === 2, { what: "the 2 later records are handled" });
  await next.stop();
  await transport.close();
  assert.deepEqual(after, ["2", "3"]);
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

Deno.test("bad sizes and options are rejected up front", async () => {
  assert.throws(
    () => new InProcessTransport({ capacity: 0 }),
    { name: "RangeError", message: "capacity must be a positive integer: current value is 0" },
  );
  assert.throws(
    () => new InProcessTransport({ topics: { t: 1.5 } }),
    /topics\.t must be a positive integer: current value is 1\.5/,
  );
  const transport = new InProcessTransport();
  await assert.rejects(
    transport.subscribe({ group: "g", topics: ["t"], maxBatch: 0, handler: async () => {} }),
    /maxBatch must be a positive integer: current value is 0/,
  );
  await transport.close();
});

Deno.test("committed offsets follow what a group handled; -1 for a group that never joined", async () => {
  const transport = new InProcessTransport({ partitions: 2 });
  assert.deepEqual(await transport.committedOffsets("g", "t"), [-1, -1]);
  await transport.publish("t", [record(null, "a"), record(null, "b"), record(null, "c")]);
  const handled: string[] = [];
  const subscription = await transport.subscribe({
    group: "g",
    topics: ["t"],
    handler: collect(handled, text),
  });
  await eventually(() => handled.length === 3, { what: "the records are handled" });
  await subscription.stop();
  assert.deepEqual(await transport.committedOffsets("g", "t"), await transport.endOffsets("t"));
  assert.deepEqual(await transport.committedOffsets("other", "t"), [-1, -1]);
  await transport.close();
});
