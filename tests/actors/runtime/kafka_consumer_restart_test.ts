/**
 * Crash and shutdown of a mailbox consumer over the real broker. The consumer
 * (`slow_consumer.ts`) runs in its own process so it can be killed like a real one.
 */

import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { KafkaTransport } from "../../../transport/kafka.ts";
import { kafkaBrokers, uniqueName } from "../../fixtures/services.ts";
import { eventually } from "../../fixtures/eventually.ts";

const brokers = await kafkaBrokers();
const keys = Array.from({ length: 20 }, (_, i) => `key${i}`);
const perKey = 100;
const total = keys.length * perKey;
const consumerScript = new URL("./slow_consumer.ts", import.meta.url).pathname;

/** A topic of 4 partitions (created with the admin client) holding `perKey` records per key. */
async function mailboxWithBacklog(): Promise<string> {
  const topic = uniqueName("test-mailbox");
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const transport = new KafkaTransport({ brokers, clientId: "backlog" });
  const encoder = new TextEncoder();
  for (let seq = 0; seq < perKey; seq += 25) {
    const records = [];
    for (let step = seq; step < seq + 25; step++) {
      for (const key of keys) records.push({ key, value: encoder.encode(`${key} ${step}`) });
    }
    await transport.publish(topic, records);
  }
  await transport.close();
  return topic;
}

/** Starts the consumer process, recording to `output`. */
function startConsumer(topic: string, group: string, output: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      `--allow-read`,
      `--allow-write=${output}`,
      consumerScript,
      topic,
      group,
      output,
      "20",
    ],
    env: { KAFKA_BROKERS: brokers.join(",") },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Complete lines recorded so far, as [key, seq] (a line cut by SIGKILL is not a record). */
async function recorded(output: string): Promise<[string, number][]> {
  const text = await Deno.readTextFile(output).catch(() => "");
  return text.split("\n").slice(0, -1).map((line) => {
    const [key, seq] = line.split(" ");
    return [key, Number(seq)];
  });
}

/** Whether the group committed every partition of the topic up to its end. */
async function committedAll(topic: string, group: string): Promise<boolean> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.every(({ partition, high }) =>
      partitions.find((committed) => committed.partition === partition)?.offset === high
    );
  } finally {
    await admin.disconnect();
  }
}

/** Seqs per key, in the order they were handled. */
function byKey(records: [string, number][]): Map<string, number[]> {
  const seqs = new Map<string, number[]>(keys.map((key) => [key, []]));
  for (const [key, seq] of records) seqs.get(key)!.push(seq);
  return seqs;
}

function assertConsecutive(seqs: number[], label: string): void {
  seqs.forEach((seq, index) => assert.equal(seq, seqs[0] + index, `${label}: ${seqs.join(",")}`));
}

/** Waits for the process to end, returning its status and what it wrote to stderr. */
async function ended(
  child: Deno.ChildProcess,
): Promise<{ status: Deno.CommandStatus; stderr: string }> {
  const { code, signal, success, stderr } = await child.output();
  return { status: { code, signal, success }, stderr: new TextDecoder().decode(stderr) };
}

const permissions: Deno.PermissionOptions = {
  net: ["127.0.0.1"],
  env: true,
  run: [Deno.execPath()],
  read: true,
  write: true,
};

Deno.test({
  name: "a consumer killed with SIGKILL loses nothing and keeps per-key order when restarted",
  permissions,
  async fn() {
    const topic = await mailboxWithBacklog();
    const group = uniqueName("group");
    const directory = await Deno.makeTempDir({ prefix: "retune-consumer-" });
    const [first, second] = [`${directory}/first.txt`, `${directory}/second.txt`];
    try {
      const killed = startConsumer(topic, group, first);
      await eventually(async () => (await recorded(first)).length >= 400, {
        what: "the first consumer recorded 400 records",
        deadlineMs: 60_000,
        everyMs: 100,
      });
      killed.kill("SIGKILL");
      assert.equal((await ended(killed)).status.signal, "SIGKILL");
      const beforeKill = await recorded(first);
      assert.ok(beforeKill.length < total, "the kill must land part way");

      const restarted = startConsumer(topic, group, second);
      await eventually(() => committedAll(topic, group), {
        what: "the group committed every record",
        deadlineMs: 60_000,
        everyMs: 100,
      });
      restarted.kill("SIGTERM");
      const { status, stderr } = await ended(restarted);
      assert.equal(status.code, 0, stderr);

      const firstRun = byKey(beforeKill);
      const secondRun = byKey(await recorded(second));
      for (const key of keys) {
        const [before, after] = [firstRun.get(key)!, secondRun.get(key)!];
        // Each run handles a key's records in order, without gaps; the restart may only repeat
        // what the first run handled but had not committed (a suffix of it).
        assertConsecutive(before, `${key} before the kill`);
        assertConsecutive(after, `${key} after the restart`);
        if (before.length > 0) assert.equal(before[0], 0, `${key} starts at 0`);
        const resumedAt = after.length > 0 ? after[0] : perKey;
        assert.ok(resumedAt <= before.length, `${key}: resumed at ${resumedAt}, a gap`);
        if (after.length > 0) assert.equal(after.at(-1), perKey - 1, `${key} complete`);
        else assert.equal(before.length, perKey, `${key} complete`);
      }
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  },
});

Deno.test({
  name: "SIGTERM makes the consumer commit what it handled, so a restart does not see it again",
  permissions,
  async fn() {
    const topic = await mailboxWithBacklog();
    const group = uniqueName("group");
    const directory = await Deno.makeTempDir({ prefix: "retune-consumer-" });
    const [first, second] = [`${directory}/first.txt`, `${directory}/second.txt`];
    try {
      const stopped = startConsumer(topic, group, first);
      await eventually(async () => (await recorded(first)).length >= 400, {
        what: "the first consumer recorded 400 records",
        deadlineMs: 60_000,
        everyMs: 100,
      });
      stopped.kill("SIGTERM");
      const firstEnd = await ended(stopped);
      assert.equal(firstEnd.status.code, 0, firstEnd.stderr);
      const beforeStop = await recorded(first);
      assert.ok(beforeStop.length < total, "the stop must land part way");

      const restarted = startConsumer(topic, group, second);
      await eventually(() => committedAll(topic, group), {
        what: "the group committed every record",
        deadlineMs: 60_000,
        everyMs: 100,
      });
      restarted.kill("SIGTERM");
      const secondEnd = await ended(restarted);
      assert.equal(secondEnd.status.code, 0, secondEnd.stderr);

      const afterRestart = await recorded(second);
      const handledBefore = new Set(beforeStop.map((record) => record.join(" ")));
      const seenAgain = afterRestart.filter((record) => handledBefore.has(record.join(" ")));
      assert.deepEqual(seenAgain, [], "the restart saw records committed at shutdown");
      assert.equal(
        new Set([...handledBefore, ...afterRestart.map((r) => r.join(" "))]).size,
        total,
      );
      assert.equal(beforeStop.length + afterRestart.length, total);
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  },
});
