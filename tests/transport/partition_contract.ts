/**
 * The partition contract both transports pass (`in_process_test.ts`, `kafka_test.ts` run these
 * cases): a partition belongs to one member of a group at a time, `onRevoked` precedes its
 * `onAssigned` elsewhere, `onAssigned` names where the group resumes and precedes the
 * partition's first batch, and `BatchContext.commit` writes a batch's outputs with its offset.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { SubscribeOptions, Subscription, Transport } from "../../transport/transport.ts";
import { eventually } from "../fixtures/eventually.ts";
import { record, text } from "./records.ts";

/** A name no other test uses (valid as a Kafka group or topic). */
function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}`;
}

/** How a contract case gets a transport and fresh topics. */
export interface ContractSetup {
  transport(): Transport;
  /** A fresh topic with `partitions` partitions. */
  topic(partitions: number): Promise<string>;
  /** Longest a rebalance may take, ms (Kafka's group protocol takes seconds). */
  rebalanceMs: number;
}

/** One line of what a member saw, in order. */
type Seen = { member: string; event: "assigned" | "revoked" | "batch"; partition: number };

/**
 * Two members share a 2-partition topic, then one leaves: each partition is held by one member
 * at a time, announced before its batches, and revoked before the other member is handed it.
 */
export async function assignmentCase(setup: ContractSetup, transactional: boolean): Promise<void> {
  const [input, output] = [await setup.topic(2), await setup.topic(1)];
  const transport = setup.transport();
  const group = uniqueName("contract");
  const seen: Seen[] = [];
  const held = new Map<number, string>();
  const resumedAt = new Map<number, number | null>();
  const member = (name: string): SubscribeOptions => ({
    group,
    topics: [input],
    transactional,
    onAssigned: (partitions) => {
      for (const { partition, committed } of partitions) {
        assert.equal(held.get(partition), undefined, `partition ${partition} held twice`);
        held.set(partition, name);
        resumedAt.set(partition, committed);
        seen.push({ member: name, event: "assigned", partition });
      }
      return Promise.resolve();
    },
    onRevoked: (partitions) => {
      for (const { partition } of partitions) {
        assert.equal(held.get(partition), name, `${name} revoked partition ${partition}`);
        held.delete(partition);
        seen.push({ member: name, event: "revoked", partition });
      }
      return Promise.resolve();
    },
    handler: async (records, context) => {
      const { partition } = records[0];
      assert.equal(held.get(partition), name, `${name} handed partition ${partition}`);
      seen.push({ member: name, event: "batch", partition });

      await context.commit([{
        topic: output,
        records: records.map((consumed) => record(consumed.key, `${name}:${text(consumed)}`)),
      }]);
    },
  });
  const published = (from: number) =>
    Array.from({ length: 10 }, (_, i) => record(`k${i}`, String(from + i)));
  let first: Subscription | undefined;
  let second: Subscription | undefined;
  try {
    first = await transport.subscribe(member("first"));
    await transport.publish(input, published(0));
    await eventually(() => assert.equal(held.size, 2), {
      what: "first holds both partitions",
      deadlineMs: setup.rebalanceMs,
    });
    second = await transport.subscribe(member("second"));
    await eventually(
      () => assert.deepEqual(new Set(held.values()), new Set(["first", "second"])),
      { what: "the partitions shared by both members", deadlineMs: setup.rebalanceMs },
    );
    await transport.publish(input, published(10));
    await second.stop();
    await eventually(() => assert.deepEqual([...held.values()], ["first", "first"]), {
      what: "first holds both partitions again",
      deadlineMs: setup.rebalanceMs,
    });
    await transport.publish(input, published(20));
    const outputs = await readAtLeast(transport, output, 30, setup.rebalanceMs);
    assert.equal(new Set(outputs.map((line) => line.split(":")[1])).size, 30);
    // A partition announced after batches of it were committed resumes after them.
    const last = seen.findLast((line) => line.event === "assigned")!;
    assert.ok((resumedAt.get(last.partition) ?? 0) > 0, `${JSON.stringify(seen)}`);
    await first.stop();
    assert.equal(held.size, 0, "stopping revokes what the member held");
    // A batch of a partition comes only between its announcement and its revocation.
    const holder = new Map<number, string>();
    for (const line of seen) {
      if (line.event === "assigned") holder.set(line.partition, line.member);
      if (line.event === "revoked") holder.delete(line.partition);
      if (line.event === "batch") assert.equal(holder.get(line.partition), line.member);
    }
  } finally {
    await second?.stop();
    await first?.stop();
    await transport.close();
  }
}

/**
 * What a member committed is not handed out again: a second member of the group, started after
 * the first stopped, gets only the records published since.
 */
export async function commitCase(setup: ContractSetup, transactional: boolean): Promise<void> {
  const [input, output] = [await setup.topic(1), await setup.topic(1)];
  const transport = setup.transport();
  const group = uniqueName("contract");
  const handled: string[] = [];
  const options = (): SubscribeOptions => ({
    group,
    topics: [input],
    transactional,
    handler: async (records, context) => {
      handled.push(...records.map(text));
      await context.commit([{
        topic: output,
        records: records.map((r) => record(r.key, text(r))),
      }]);
    },
  });
  try {
    await transport.publish(input, [record("a", "1"), record("a", "2")]);
    const first = await transport.subscribe(options());
    await eventually(() => assert.equal(handled.length, 2), {
      what: "the first two records",
      deadlineMs: setup.rebalanceMs,
    });
    await first.stop();
    await transport.publish(input, [record("a", "3")]);
    const second = await transport.subscribe(options());
    await eventually(() => assert.equal(handled.length, 3), {
      what: "the third record",
      deadlineMs: setup.rebalanceMs,
    });
    await second.stop();
    assert.deepEqual(handled, ["1", "2", "3"]);
    assert.deepEqual(await readAtLeast(transport, output, 3, setup.rebalanceMs), ["1", "2", "3"]);
  } finally {
    await transport.close();
  }
}

/** A batch's outputs over the broker's largest message (one partition, 2.6 MB) all commit, in order. */
export async function largeOutputCase(setup: ContractSetup, transactional: boolean): Promise<void> {
  const [input, output] = [await setup.topic(1), await setup.topic(1)];
  const transport = setup.transport();
  const padding = "x".repeat(1_024);
  const outputs = Array.from({ length: 2_600 }, (_, i) => `${i} ${padding}`);
  let handled = 0;
  try {
    await transport.publish(input, [record("a", "1")]);
    const member = await transport.subscribe({
      group: uniqueName("contract"),
      topics: [input],
      transactional,
      handler: async (records, context) => {
        await context.commit([{ topic: output, records: outputs.map((o) => record("a", o)) }]);
        handled += records.length;
      },
    });
    await eventually(() => assert.equal(handled, 1), {
      what: "the input record is handled",
      deadlineMs: setup.rebalanceMs,
    });
    await member.stop();
    const read = await readAtLeast(transport, output, outputs.length, setup.rebalanceMs);
    assert.equal(read.length, outputs.length);
    assert.ok(read.every((text, i) => text === outputs[i]), "in order, each once");
  } finally {
    await transport.close();
  }
}

/** The texts of a topic's records, read by a new group until at least `count` arrived. */
async function readAtLeast(
  transport: Transport,
  topic: string,
  count: number,
  deadlineMs: number,
): Promise<string[]> {
  const texts: string[] = [];
  const reader = await transport.subscribe({
    group: uniqueName("reader"),
    topics: [topic],
    handler: (records) => {
      texts.push(...records.map(text));
      return Promise.resolve();
    },
  });
  try {
    await eventually(() => assert.ok(texts.length >= count), {
      what: `${count} records of ${topic}`,
      deadlineMs,
    });
  } finally {
    await reader.stop();
  }
  return texts;
}
