/**
 * The transport contract: what every `Transport` implementation promises, as tests each
 * implementation's test file registers with its own harness (in-process, kafkajs,
 * platformatic/kafka). What only one implementation does (capacity, logging) stays in its file.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { BatchHandler, Transport } from "../../transport/transport.ts";
import { collect, record, text } from "./records.ts";
import { eventually } from "../fixtures/eventually.ts";

/** How the contract gets a transport to test. */
export interface TransportHarness {
  /** Names the implementation in test names. */
  name: string;
  /** A fresh transport and a fresh topic of `partitions` partitions it can use. */
  open(partitions: number): Promise<{ transport: Transport; topic: string }>;
  /** A consumer group name no other test uses. */
  group(): string;
  /** Permissions the tests need (a real broker needs the network). */
  permissions: Deno.PermissionOptions;
  /** Longest a test waits for records to arrive, ms. */
  deadlineMs: number;
}

/** Registers the contract's tests for one implementation. */
export function transportContract(harness: TransportHarness): void {
  const { permissions, deadlineMs } = harness;
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `${harness.name}: ${name}`, permissions, fn });

  test("keyed records keep their order and their partition", async () => {
    const { transport, topic } = await harness.open(3);
    const keys = ["a", "b", "c", "d", "e"];
    for (let seq = 0; seq < 60; seq += 20) {
      const records = [];
      for (let step = seq; step < seq + 20; step++) {
        for (const key of keys) records.push(record(key, String(step)));
      }
      await transport.publish(topic, records);
    }
    assert.equal(await transport.partitions(topic), 3);
    assert.equal((await transport.endOffsets(topic)).reduce((sum, end) => sum + end, 0), 300);
    const seen = new Map<string, { seqs: number[]; partitions: Set<number> }>();
    const subscription = await transport.subscribe({
      group: harness.group(),
      topics: [topic],
      maxBatch: 16,
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
      () => [...seen.values()].reduce((sum, entry) => sum + entry.seqs.length, 0) >= 300,
      { what: "all 300 records are seen", deadlineMs },
    );
    await subscription.stop();
    await subscription.done;
    await transport.close();
    for (const key of keys) {
      assert.deepEqual(seen.get(key)!.seqs, Array.from({ length: 60 }, (_, i) => i), key);
      assert.equal(seen.get(key)!.partitions.size, 1, key);
    }
  });

  test("every group sees every record; members of one group share them", async () => {
    const { transport, topic } = await harness.open(3);
    const received = { other: [] as string[], first: [] as string[], second: [] as string[] };
    const slowly = (into: string[]): BatchHandler => async (records) => {
      into.push(...records.map(text));
      // Yield so that both members of the group get turns.
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    const group = harness.group();
    const subscriptions = [
      await transport.subscribe({
        group: harness.group(),
        topics: [topic],
        handler: slowly(received.other),
      }),
      await transport.subscribe({ group, topics: [topic], handler: slowly(received.first) }),
      await transport.subscribe({ group, topics: [topic], handler: slowly(received.second) }),
    ];
    const all = Array.from({ length: 90 }, (_, i) => `k${i % 9}:${i}`);
    // Published in slices, so each member of the group gets records once it has partitions.
    for (let slice = 0; slice < all.length; slice += 10) {
      const values = all.slice(slice, slice + 10);
      await transport.publish(topic, values.map((value) => record(value.split(":")[0], value)));
    }
    await eventually(
      () =>
        received.other.length >= 90 &&
        new Set([...received.first, ...received.second]).size === 90,
      { what: "both groups received all 90 records", deadlineMs },
    );
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await transport.close();
    assert.deepEqual(new Set(received.other), new Set(all));
    assert.deepEqual(new Set([...received.first, ...received.second]), new Set(all));
  });

  test("a failing handler ends the subscription without committing; the group gets it again", async () => {
    const { transport, topic } = await harness.open(1);
    const group = harness.group();
    await transport.publish(topic, Array.from({ length: 10 }, (_, i) => record("k", String(i))));
    const first: string[] = [];
    const failing = await transport.subscribe({
      group,
      topics: [topic],
      maxBatch: 4,
      handler: (records) => {
        if (first.length === 4) return Promise.reject(new Error("handler broke"));
        first.push(...records.map(text));
        return Promise.resolve();
      },
    });
    await assert.rejects(failing.done, /handler broke/);
    const second: string[] = [];
    const retry = await transport.subscribe({
      group,
      topics: [topic],
      handler: collect(second, text),
    });
    await eventually(() => second.length >= 6, {
      what: "the second subscription has 6 records",
      deadlineMs,
    });
    await retry.stop();
    await transport.close();
    assert.deepEqual(first, ["0", "1", "2", "3"]);
    assert.deepEqual(second, ["4", "5", "6", "7", "8", "9"]);
  });

  test("stop waits for the in-flight batch and commits it; the group resumes after it", async () => {
    const { transport, topic } = await harness.open(1);
    const group = harness.group();
    await transport.publish(topic, Array.from({ length: 4 }, (_, i) => record("k", String(i))));
    const gate = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    const handled: string[] = [];
    const subscription = await transport.subscribe({
      group,
      topics: [topic],
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
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(stopped, false, "stop waits for the handler");
    gate.resolve();
    await stopping;
    await subscription.done;
    assert.deepEqual(handled, ["0", "1"]);

    await transport.publish(topic, [record("k", "4")]);
    const after: string[] = [];
    const next = await transport.subscribe({
      group,
      topics: [topic],
      handler: collect(after, text),
    });
    await eventually(() => after.length >= 3, {
      what: "the 3 later records are handled",
      deadlineMs,
    });
    await next.stop();
    await transport.close();
    assert.deepEqual(after, ["2", "3", "4"]);
  });

  test("committed offsets follow what a group handled; -1 for a group that never joined", async () => {
    const { transport, topic } = await harness.open(2);
    const group = harness.group();
    assert.deepEqual(await transport.committedOffsets(group, topic), [-1, -1]);
    await transport.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => record(`k${i}`, String(i))),
    );
    const handled: string[] = [];
    const subscription = await transport.subscribe({
      group,
      topics: [topic],
      handler: collect(handled, text),
    });
    await eventually(() => handled.length >= 10, {
      what: "all 10 records are handled",
      deadlineMs,
    });
    await subscription.stop();
    assert.deepEqual(
      await transport.committedOffsets(group, topic),
      await transport.endOffsets(topic),
    );
    assert.deepEqual(await transport.committedOffsets(harness.group(), topic), [-1, -1]);
    await transport.close();
  });

  test("a publish larger than the broker's largest message arrives whole and in order", async () => {
    const { transport, topic } = await harness.open(1);
    // 2,600 records of 1 KiB on one key: 2.6 MB for one partition, over Kafka's 1 MiB default.
    const padding = "x".repeat(1_024);
    const sent = Array.from({ length: 2_600 }, (_, i) => `${i} ${padding}`);
    await transport.publish(topic, sent.map((value) => record("k", value)));
    const handled: string[] = [];
    const subscription = await transport.subscribe({
      group: harness.group(),
      topics: [topic],
      start: "earliest",
      handler: collect(handled, text),
    });
    await eventually(() => handled.length >= sent.length, {
      what: "all 2,600 records are handled",
      deadlineMs,
    });
    await subscription.stop();
    await transport.close();
    assert.equal(handled.length, sent.length);
    assert.ok(handled.every((value, i) => value === sent[i]), "in order, each once");
  });

  test("a subscription with a bad maxBatch is rejected up front", async () => {
    const { transport, topic } = await harness.open(1);
    await assert.rejects(
      transport.subscribe({
        group: harness.group(),
        topics: [topic],
        maxBatch: 0,
        handler: () => Promise.resolve(),
      }),
      { name: "RangeError", message: "maxBatch must be a positive integer: current value is 0" },
    );
    await transport.close();
  });
}
