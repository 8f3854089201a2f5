import assert from "node:assert/strict";
import { type RoleEnvironment, type TopicNames, topicNames } from "../../../actors/environment.ts";
import { Replayer } from "../../../actors/replayer.ts";
import type { ReplayerView } from "../../../actors/replayer/replayer_state.ts";
import { eventually } from "../../fixtures/eventually.ts";
import { Supervisor } from "../../../actors/runtime/supervisor.ts";
import { MARITIME_SOURCE } from "../../../models/sources/builtin.ts";
import { parseSourceSpec, type SourceSpec } from "../../../models/sources/spec.ts";
import { decodePayload } from "../../../protocol/codec.ts";
import { defaultConfig } from "../../../config/load.ts";
import type { ReplayerConfig } from "../../../config/schema.ts";
import type { DeadLetter } from "../../../protocol/messages.ts";
import type { StreamEvent } from "../../../core/events.ts";
import { InProcessTransport } from "../../../transport/in_process.ts";
import { KeyPartitioner } from "../../../transport/key_partitioner.ts";
import type { ConsumedRecord, OutgoingRecord, Transport } from "../../../transport/transport.ts";
import { InProcessStateStore } from "../../../state/in_process.ts";

const DAY_MS = 86_400_000;
const PARTITIONS = 4;
const VESSELS = ["227592820", "228037600", "227705102"];

/**
 * The replayer reads its stream from a temp file; its worker partitions with kafkajs, which reads
 * environment variables when it loads.
 */
const files = { read: true, write: true, env: true };

/** A row of the maritime source and the event it stands for. */
function vesselRow(i: number): { row: string; event: StreamEvent } {
  const seconds = 1_443_677_401 + i * 60;
  const mmsi = VESSELS[i % VESSELS.length];
  const [lon, lat, speed, heading, cog] = [-4.5 + i / 1000, 48.3, (i % 20) / 2, i % 360, 90];
  return {
    row: [seconds, mmsi, lon, lat, speed, heading, cog, "00100000"].join(","),
    event: {
      key: mmsi,
      timestamp: seconds * 1000,
      type: "",
      attributes: { lon, lat, speed, heading, cog, mmsi, annotation: "00100000" },
    },
  };
}

/** A bad row, the line it is put on and the reason the replayer must give for it. */
interface BadRow {
  line: number;
  text: string;
  reason: string;
}

/** A vessel stream of `good` rows with `bad` rows put on their lines and one blank line. */
function vesselStream(good: number, bad: BadRow[]) {
  const lines: string[] = [];
  const events: StreamEvent[] = [];
  for (let i = 0; i < good; i++) {
    for (const row of bad.filter((row) => row.line === lines.length + 1)) lines.push(row.text);
    // A blank line is not a row: neither an event nor a dead letter.
    if (i === 10) lines.push("");
    const { row, event } = vesselRow(i);
    lines.push(row);
    events.push(event);
  }
  assert.deepEqual(bad.map((row) => lines[row.line - 1]), bad.map((row) => row.text));
  return { content: lines.join("\n") + "\n", events };
}

/** Bad rows before, between and after the replayer's batches of 1,000 events. */
const BAD_ROWS: BadRow[] = [
  {
    line: 3,
    text: "1443677461,227592820,-4.48,48.35,fast,176.9,178.6,00100000",
    reason: 'speed must be a number: current value is "fast"',
  },
  {
    line: 1_200,
    text: "1443677521,227592820,-4.48",
    reason: "expected 8 columns but found 3",
  },
  {
    line: 2_401,
    text: '1443677521,"227592820,-4.48,48.35,17.8,158.7,159.7,00100000',
    reason: "unterminated quoted field at character 12",
  },
];

/** Keeps what a consumer group received, and says when it received a given number. */
class Received {
  readonly records: ConsumedRecord[] = [];

  handle = (records: ConsumedRecord[]): Promise<void> => {
    this.records.push(...records);
    return Promise.resolve();
  };

  /** Resolves once `count` records arrived; fails after the default deadline. */
  async until(count: number): Promise<void> {
    await eventually(() => this.records.length >= count, { what: `${count} records arrived` });
  }
}

/** What a replay published, decoded. */
interface Replayed {
  /** Records published to the input topic (each a batch of events). */
  inputRecords: number;
  /** Every event published, with the record it came in. */
  inputs: { record: ConsumedRecord; event: StreamEvent }[];
  deadLetters: DeadLetter[];
  /** What the last replayer incarnation reported at the end. */
  stats: ReplayerView;
  /** How many replayer behaviours the supervisor created (1 + restarts). */
  incarnations: number;
}

/**
 * Replays `file` under a supervisor on an in-process transport (through `wrap`, if given) until
 * the replayer is done and the input and dead-letter topics are consumed to their ends.
 */
async function replay(
  file: string,
  source: SourceSpec,
  replayer: Partial<ReplayerConfig> = {},
  wrap: (transport: Transport, topics: TopicNames) => Transport = (transport) => transport,
): Promise<Replayed> {
  const base = defaultConfig();
  const config = { ...base, replayer: { ...base.replayer, ...replayer } };
  const topics = topicNames(config);
  // The replayer uses only the configuration, the topic names and the state store.
  const env = {
    config,
    topics,
    state: new InProcessStateStore("replayer-test"),
  } as unknown as RoleEnvironment;
  const log = new InProcessTransport({ partitions: PARTITIONS });
  const inputs = new Received();
  const deadLetters = new Received();
  await log.subscribe({ group: "test.input", topics: [topics.input], handler: inputs.handle });
  await log.subscribe({
    group: "test.dead",
    topics: [topics.deadLetters],
    handler: deadLetters.handle,
  });
  let current: Replayer | undefined;
  let incarnations = 0;
  const supervisor = new Supervisor({
    name: "test",
    transport: wrap(log, topics),
    backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 },
    children: [{
      name: "replayer",
      // As in the system: a replayer that reached the end of its file is not started again.
      restart: "transient",
      create: (previous) => {
        incarnations++;
        return (current = new Replayer(env, file, source, previous));
      },
    }],
  });
  try {
    await supervisor.start();
    await eventually(() => current?.view().finished === true, {
      what: "the replay finished",
      deadlineMs: 60_000,
    });
    const total = async (topic: string) => (await log.endOffsets(topic)).reduce((a, b) => a + b);
    await inputs.until(await total(topics.input));
    await deadLetters.until(await total(topics.deadLetters));
  } finally {
    await supervisor.stop();
    await log.close();
  }
  return {
    inputRecords: inputs.records.length,
    inputs: inputs.records.flatMap((record) =>
      decodePayload("StreamEventBatch", record.value).events.map((event) => ({ record, event }))
    ),
    deadLetters: deadLetters.records.map((record) => decodePayload("DeadLetter", record.value)),
    stats: current!.view(),
    incarnations,
  };
}

async function withFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, content);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

/** The events of each key, in the order given. */
function byKey(events: readonly StreamEvent[]): Map<string, StreamEvent[]> {
  const keys = new Map<string, StreamEvent[]>();
  for (const event of events) keys.set(event.key, [...(keys.get(event.key) ?? []), event]);
  return keys;
}

/** Checks that the dead letters are `bad`, once each, naming `file`. */
function assertDeadLetters(letters: DeadLetter[], bad: BadRow[], file: string): void {
  assert.deepEqual(
    letters.map((letter) => ({
      line: letter.offset,
      reason: letter.reason,
      text: new TextDecoder().decode(letter.original),
      sourceTopic: letter.sourceTopic,
    })),
    bad.map((row) => ({
      line: row.line,
      reason: `line ${row.line}: ${row.reason}`,
      text: row.text,
      sourceTopic: `file:${file}`,
    })),
  );
}

/**
 * Checks that every event arrived once, on the partition its key maps to, in file order per key.
 */
function assertDelivered(replayed: Replayed, expected: StreamEvent[]): void {
  const partitioner = new KeyPartitioner(PARTITIONS);
  for (const { record, event } of replayed.inputs) {
    assert.equal(record.partition, partitioner.partition(event.key), event.key);
  }
  const arrived = byKey(replayed.inputs.map(({ event }) => event));
  assert.deepEqual([...arrived.keys()].sort(), [...byKey(expected).keys()].sort());
  for (const [key, events] of byKey(expected)) assert.deepEqual(arrived.get(key), events, key);
}

Deno.test({
  name: "every good row arrives once, keyed and in file order per key; bad rows are dead letters",
  permissions: files,
}, async () => {
  const { content, events } = vesselStream(2_500, BAD_ROWS);
  await withFile(content, async (file) => {
    const replayed = await replay(file, MARITIME_SOURCE);
    assertDelivered(replayed, events);
    // The vessels spread over partitions: the key, not one partition, keeps their order.
    assert.ok(new Set(replayed.inputs.map(({ record }) => record.partition)).size > 1);
    // Batched: at most one record per partition for every 1,000 events.
    assert.ok(replayed.inputRecords <= Math.ceil(events.length / 1_000) * PARTITIONS);
    assertDeadLetters(replayed.deadLetters, BAD_ROWS, file);
    const { stats } = replayed;
    assert.equal(stats.sent, events.length);
    assert.equal(stats.rejected, BAD_ROWS.length);
    assert.equal(stats.sent + stats.rejected, events.length + BAD_ROWS.length, "every row");
    assert.equal(stats.finished, true);
    assert.equal(replayed.incarnations, 1);
  });
});

Deno.test({
  name: "a paced replay delivers the same rows in small batches",
  permissions: files,
}, async () => {
  const bad = BAD_ROWS.slice(0, 1);
  const { content, events } = vesselStream(120, bad);
  await withFile(content, async (file) => {
    // 1,000 events per second: published in slices of 50 events, about 120 ms in all.
    const replayed = await replay(file, MARITIME_SOURCE, {
      rate: { kind: "events_per_second", value: 1_000 },
    });
    assertDelivered(replayed, events);
    assertDeadLetters(replayed.deadLetters, bad, file);
    assert.equal(replayed.stats.sent + replayed.stats.rejected, events.length + bad.length);
  });
});

Deno.test({
  name: "a replayer that crashes mid-replay resumes after its last batch without repeats",
  permissions: files,
}, async () => {
  const { content, events } = vesselStream(2_500, BAD_ROWS);
  /** Fails the second publish to the input topic (the batch of events 1,000 to 1,999). */
  const failOnce = (transport: Transport, topics: TopicNames): Transport => {
    let inputPublishes = 0;
    return {
      publish(topic: string, records: OutgoingRecord[]) {
        if (topic === topics.input && ++inputPublishes === 2) {
          return Promise.reject(new Error("broker unavailable"));
        }
        return transport.publish(topic, records);
      },
      subscribe: (options) => transport.subscribe(options),
      partitions: (topic) => transport.partitions(topic),
      endOffsets: (topic) => transport.endOffsets(topic),
      committedOffsets: (group, topic) => transport.committedOffsets(group, topic),
      close: () => transport.close(),
    };
  };
  await withFile(content, async (file) => {
    const replayed = await replay(file, MARITIME_SOURCE, {}, failOnce);
    assert.equal(replayed.incarnations, 2);
    assert.equal(replayed.inputs.length, events.length);
    assertDelivered(replayed, events);
    assertDeadLetters(replayed.deadLetters, BAD_ROWS, file);
    assert.equal(replayed.stats.sent + replayed.stats.rejected, events.length + BAD_ROWS.length);
  });
});

Deno.test({
  name: "month rotation replays from the cut, then the head shifted after the end",
  permissions: files,
}, async () => {
  // One event a day for 45 days over two keys, numbered by `n`; row 3 is bad.
  const source = parseSourceSpec({
    format: "csv",
    columns: ["timestamp", "key", "n"],
    key: "key",
    timestamp: { field: "timestamp", unit: "ms" },
    numeric: ["n"],
  });
  const start = 1_443_657_600_000;
  const rows = Array.from({ length: 45 }, (_, n) => `${start + n * DAY_MS},k${n % 2},${n}`);
  const bad: BadRow = {
    line: 3,
    text: "tomorrow,k0,99",
    reason: 'timestamp must be a number: current value is "tomorrow"',
  };
  rows.splice(bad.line - 1, 0, bad.text);
  await withFile(rows.join("\n"), async (file) => {
    const replayed = await replay(file, source, { rotateMonths: 1 });
    // A month is 30 days: day 30 comes first; days 0..29 follow one day after day 44.
    const order = [...Array.from({ length: 15 }, (_, i) => 30 + i), ...Array(30).keys()];
    const expected = order.map((n): StreamEvent => ({
      key: `k${n % 2}`,
      timestamp: start + (n >= 30 ? n : n + 45) * DAY_MS,
      type: "",
      attributes: { n },
    }));
    assertDelivered(replayed, expected);
    assertDeadLetters(replayed.deadLetters, [bad], file);
    assert.equal(replayed.stats.sent + replayed.stats.rejected, 46);
  });
});

Deno.test({
  name: "a line over the configured limit is dead-lettered in part, once, and the replay goes on",
  permissions: files,
}, async () => {
  // 10 MB on one line, as a broken export might write it.
  const long = `1443677461,227592820,${"9".repeat(10_000_000)}`;
  const { content, events } = vesselStream(1_500, [{ line: 700, text: long, reason: "" }]);
  await withFile(content, async (file) => {
    const replayed = await replay(file, MARITIME_SOURCE, { maxLineLength: 4_096 });
    assertDelivered(replayed, events);
    assert.equal(replayed.incarnations, 1, "no crash");
    assert.equal(replayed.deadLetters.length, 1);
    const [letter] = replayed.deadLetters;
    assert.equal(letter.offset, 700);
    assert.equal(
      letter.reason,
      `line 700: line is ${long.length} characters long, over the limit of 4096`,
    );
    assert.deepEqual([letter.truncated, letter.originalSize], [true, long.length]);
    assert.equal(new TextDecoder().decode(letter.original), long.slice(0, 1_024));
  });
});
