/**
 * Mailbox throughput: Avro envelopes through the Kafka transport (encode + publish, consume +
 * decode) against plain kafkajs moving the same bytes with the same producer settings, in the
 * same run, and the in-process transport's rate.
 *
 * Run: `deno run --allow-all bench/mailbox.ts [messages]` with KAFKA_BROKERS set, or without it
 * to start a broker through `scripts/services/kafka.ts`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { nanoid } from "nanoid";
import { decodeEnvelope, encodeEnvelope, newEnvelope } from "../protocol/codec.ts";
import type { StreamEvent } from "../core/events.ts";
import { InProcessTransport } from "../transport/in_process.ts";
import { KafkaTransport } from "../transport/kafka.ts";
import { startKafka } from "../scripts/services/kafka.ts";
import type { ConsumedRecord, OutgoingRecord, Transport } from "../transport/transport.ts";

/** What to measure. */
export interface MailboxBenchOptions {
  brokers: string[];
  /** Messages per measured Kafka run. Default 50,000. */
  messages?: number;
  /** Records per publish call and largest handler batch. Default 1,000. */
  batch?: number;
  /** Partitions of the benchmark topics. Default 4. */
  partitions?: number;
  /** Kafka runs per path; the fastest counts (a shared machine makes runs noisy). Default 2. */
  rounds?: number;
}

/** Messages per second of one path. */
export interface Rates {
  produce: number;
  consume: number;
  /** Messages over the summed produce and consume time. */
  overall: number;
}

/** Figures of one benchmark run. */
export interface MailboxBenchResult {
  messages: number;
  /** Kafka transport with Avro envelopes: encode + publish, consume + decode. */
  transportAvro: Rates;
  /** Kafka transport moving the pre-encoded bytes: its own cost, without the codec's. */
  transportBytes: Rates;
  /** kafkajs alone moving the pre-encoded bytes, with the same producer settings. */
  plain: Rates;
  /** transportAvro time / plain time (1.0 = no overhead); the aim is <= 1.3. */
  overhead: number;
  /** transportBytes time / plain time: the transport's share of the overhead. */
  transportOverhead: number;
  /** In-process transport with Avro envelopes, publisher and consumer running together, msg/s. */
  inProcessAvro: number;
  /** In-process transport moving bytes, publisher and consumer running together, msg/s. */
  inProcessBytes: number;
}

/** Measures the rates (see module doc). */
export async function benchMailbox(options: MailboxBenchOptions): Promise<MailboxBenchResult> {
  const { brokers, messages = 50_000, batch = 1_000, partitions = 4, rounds = 2 } = options;
  const events = streamEvents(messages);
  const encoded = events.map((event) => encodeEnvelope(newEnvelope("StreamEvent", "bench", event)));
  const encodeEvent = (i: number) => ({
    key: events[i].key,
    value: encodeEnvelope(newEnvelope("StreamEvent", "bench", events[i])),
  });
  const sameBytes = (i: number) => ({ key: events[i].key, value: encoded[i] });
  const decodeAll = (records: ConsumedRecord[]) => {
    for (const record of records) decodeEnvelope(record.value);
  };
  const ignore = () => {};
  const paths = {
    plain: (count: number) => plainKafka(brokers, count, batch, partitions, sameBytes),
    transportAvro: (count: number) =>
      viaTransport(brokers, count, batch, partitions, encodeEvent, decodeAll),
    transportBytes: (count: number) =>
      viaTransport(brokers, count, batch, partitions, sameBytes, ignore),
  };

  // A short warm-up of every path (JIT, connections, metadata), then alternating measured runs.
  for (const run of Object.values(paths)) await run(Math.min(messages, 5 * batch));
  const best = {
    plain: [] as Timing[],
    transportAvro: [] as Timing[],
    transportBytes: [] as Timing[],
  };
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(paths)) {
      best[name as keyof typeof paths].push(await run(messages));
    }
  }
  const [plain, transportAvro, transportBytes] = [
    fastest(best.plain),
    fastest(best.transportAvro),
    fastest(best.transportBytes),
  ];
  const total = ({ produceMs, consumeMs }: Timing) => produceMs + consumeMs;

  return {
    messages,
    transportAvro: rates(messages, transportAvro),
    transportBytes: rates(messages, transportBytes),
    plain: rates(messages, plain),
    overhead: total(transportAvro) / total(plain),
    transportOverhead: total(transportBytes) / total(plain),
    inProcessAvro: await inProcess(messages, batch, partitions, encodeEvent, decodeAll),
    // Bytes move fast enough that a longer run is needed to see the rate.
    inProcessBytes: await inProcess(
      20 * messages,
      batch,
      partitions,
      (i) => sameBytes(i % messages),
      ignore,
    ),
  };
}

interface Timing {
  produceMs: number;
  consumeMs: number;
}

function fastest(timings: Timing[]): Timing {
  return timings.reduce((best, timing) =>
    timing.produceMs + timing.consumeMs < best.produceMs + best.consumeMs ? timing : best
  );
}

function rates(messages: number, { produceMs, consumeMs }: Timing): Rates {
  return {
    produce: messages / (produceMs / 1000),
    consume: messages / (consumeMs / 1000),
    overall: messages / ((produceMs + consumeMs) / 1000),
  };
}

/** Maritime-like events spread over 100 vessels. */
function streamEvents(count: number): StreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: String(227_592_000 + (i % 100)),
    timestamp: 1_443_657_600_000 + i * 60_000,
    type: "",
    attributes: {
      lon: -4.5 + (i % 1000) / 10_000,
      lat: 48.3 + (i % 777) / 10_000,
      speed: (i % 200) / 10,
      heading: i % 360,
      cog: (i * 7) % 360,
      annotation: "00000000",
    },
  }));
}

/** Publishes `count` records made by `record`, then consumes them with `consume`, timing both. */
async function viaTransport(
  brokers: string[],
  count: number,
  batch: number,
  partitions: number,
  record: (index: number) => OutgoingRecord,
  consume: (records: ConsumedRecord[]) => void,
): Promise<Timing> {
  const topic = await createTopic(brokers, partitions);
  const transport = new KafkaTransport({ brokers, clientId: "bench-transport" });
  // Connects the producer and loads the topic's metadata outside the timed run, as for plain.
  await transport.publish(topic, [record(0)]);
  const produceMs = await timed(() => publishAll(transport, topic, count, batch, record));
  const consumeMs = await timed(async () => {
    const consumed = Promise.withResolvers<void>();
    let handled = 0;
    const subscription = await transport.subscribe({
      group: `bench-${nanoid(8)}`,
      topics: [topic],
      maxBatch: batch,
      handler: (records) => {
        consume(records);
        handled += records.length;
        if (handled >= count + 1) consumed.resolve();
        return Promise.resolve();
      },
    });
    await consumed.promise;
    await subscription.stop();
  });
  await transport.close();
  return { produceMs, consumeMs };
}

/** Publishes `count` records in calls of `batch`, keeping two calls in flight. */
async function publishAll(
  transport: Pick<Transport, "publish">,
  topic: string,
  count: number,
  batch: number,
  record: (index: number) => OutgoingRecord,
): Promise<void> {
  let previous: Promise<void> = Promise.resolve();
  for (let from = 0; from < count; from += batch) {
    const records: OutgoingRecord[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) records.push(record(i));
    const sending = transport.publish(topic, records);
    await previous;
    previous = sending;
  }
  await previous;
}

/** The same bytes through a bare kafkajs producer (same settings) and consumer. */
async function plainKafka(
  brokers: string[],
  count: number,
  batch: number,
  partitions: number,
  record: (index: number) => OutgoingRecord,
): Promise<Timing> {
  const topic = await createTopic(brokers, partitions);
  const kafka = new Kafka({ brokers, clientId: "bench-plain", logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const sender = {
    publish: async (topic: string, records: OutgoingRecord[]) => {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((record) => ({
          key: record.key,
          value: Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
        })),
      });
    },
  };
  await producer.connect();
  await sender.publish(topic, [record(0)]);
  const produceMs = await timed(() => publishAll(sender, topic, count, batch, record));
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${nanoid(8)}`, maxWaitTimeInMs: 500 });
  const consumeMs = await timed(async () => {
    const consumed = Promise.withResolvers<void>();
    let handled = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        handled += batch.messages.length;
        if (handled >= count + 1) consumed.resolve();
        return Promise.resolve();
      },
    });
    await consumed.promise;
    await consumer.disconnect();
  });
  return { produceMs, consumeMs };
}

/** Publisher and consumer of the in-process transport running together; messages/s. */
async function inProcess(
  count: number,
  batch: number,
  partitions: number,
  record: (index: number) => OutgoingRecord,
  consume: (records: ConsumedRecord[]) => void,
): Promise<number> {
  const transport = new InProcessTransport({ partitions, capacity: 10 * batch });
  const consumed = Promise.withResolvers<void>();
  let handled = 0;
  const elapsed = await timed(async () => {
    const subscription = await transport.subscribe({
      group: "bench",
      topics: ["events"],
      maxBatch: batch,
      handler: (records) => {
        consume(records);
        handled += records.length;
        if (handled >= count) consumed.resolve();
        return Promise.resolve();
      },
    });
    await publishAll(transport, "events", count, batch, record);
    await consumed.promise;
    await subscription.stop();
  });
  await transport.close();
  return count / (elapsed / 1000);
}

async function createTopic(brokers: string[], partitions: number): Promise<string> {
  const topic = `bench-mailbox-${nanoid(8)}`;
  const admin = new Kafka({ brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

if (import.meta.main) {
  const messages = Deno.args[0] === undefined ? undefined : Number(Deno.args[0]);
  const configured = Deno.env.get("KAFKA_BROKERS");
  const broker = configured === undefined ? await startKafka() : undefined;
  const brokers = (configured ?? broker!.endpoints).split(",");
  const result = await benchMailbox({ brokers, messages }).finally(() => broker?.stop());
  const rate = (value: number) => `${Math.round(value).toLocaleString("en")} msg/s`;
  console.log(`mailbox benchmark, ${result.messages.toLocaleString("en")} messages per Kafka run`);
  for (
    const [label, rates] of [
      ["kafka transport + avro", result.transportAvro],
      ["kafka transport, bytes", result.transportBytes],
      ["plain kafkajs, bytes", result.plain],
    ] as const
  ) {
    console.log(
      `  ${label.padEnd(24)} produce ${rate(rates.produce)}, consume ${rate(rates.consume)}, ` +
        `overall ${rate(rates.overall)}`,
    );
  }
  console.log(`  overhead, transport + avro / plain: ${result.overhead.toFixed(2)}x (aim <= 1.3x)`);
  console.log(`  overhead, transport alone / plain:  ${result.transportOverhead.toFixed(2)}x`);
  console.log(`  in-process transport, bytes:        ${rate(result.inProcessBytes)}`);
  console.log(`  in-process transport + avro:        ${rate(result.inProcessAvro)}`);
}
