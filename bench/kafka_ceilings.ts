/**
 * What the pipeline over Kafka could reach at best on this machine, in events/s of the
 * pipeline's own input records (Avro event batches, one per partition of each replayer slice):
 *
 * - the broker ceiling: Kafka's own perf tools (`ProducerPerformance`, then
 *   `ConsumerPerformance`, 1 MiB batches and fetches, acks=all, no compression) with records of
 *   the input's mean size and as many events each, on a topic with the input's partitions, at
 *   least 10,000 of them; the lower of the two rates;
 * - a client's ceiling: the Kafka transport over that client, with no Retune around it, consuming
 *   the input's records and publishing each batch it is handed to another topic, as the engine's
 *   consume -> produce loop does but with no decoding, forecasting or encoding.
 *
 * @module
 */

import { nanoid } from "nanoid";
import { Kafka, logLevel } from "kafkajs";
import { ensureKafkaToolsJars } from "../scripts/services/kafka.ts";
import { runTool } from "../scripts/services/service_process.ts";
import { KafkaTransport, type KafkaTransportOptions } from "../transport/kafka.ts";
import { PlatformaticKafkaTransport } from "../transport/platformatic_kafka.ts";
import type { OutgoingRecord, Transport } from "../transport/transport.ts";

/** The Kafka clients a ceiling is measured for (`kafka.client`). */
export const CLIENTS = ["kafkajs", "platformatic"] as const;

/** A Kafka client library. */
export type KafkaClient = typeof CLIENTS[number];

/** The records to measure with: the pipeline's input records. */
export interface CeilingInput {
  brokers: string[];
  /** The input's records, in publishing order. */
  records: OutgoingRecord[];
  /** Events the records carry in all. */
  events: number;
  /** The input topic's partitions. */
  partitions: number;
  /** A smoke run: the perf tools move only the input's records, however few. */
  quick?: boolean;
}

/** The broker's ceiling: produce and consume rates, events/s. */
export interface BrokerCeiling {
  produceEventsPerSecond: number;
  consumeEventsPerSecond: number;
  /** The lower of the two. */
  eventsPerSecond: number;
}

const LOG4J = new URL("../scripts/services/kafka/log4j.properties", import.meta.url).href;
/** Batch and fetch size of the perf tools (the broker's default max message size is 1 MiB). */
const BATCH_BYTES = 1_048_576;
/**
 * Least records the perf tools move: fewer, and the JVM's start and warm-up, not the broker, set
 * the rate.
 */
const TOOL_RECORDS = 10_000;
/** Records per send of a client's consume -> produce pass. */
const SEND_RECORDS = 16;
/** Longest a client's consume -> produce pass may take, ms. */
const CLIENT_TIMEOUT_MS = 300_000;

/** Kafka's perf tools over records of the input's mean size. */
export async function brokerCeiling(input: CeilingInput): Promise<BrokerCeiling> {
  const tools = await ensureKafkaToolsJars();
  const java = ["-cp", `${tools}/*`, `-Dlog4j.configuration=${LOG4J}`];
  const bytes = input.records.reduce((sum, record) => sum + record.value.byteLength, 0);
  const recordSize = Math.max(1, Math.round(bytes / input.records.length));
  const eventsPerRecord = input.events / input.records.length;
  const brokers = input.brokers.join(",");
  const records = input.quick ? input.records.length : Math.max(input.records.length, TOOL_RECORDS);
  const topic = await createTopic(input, "ceiling");
  try {
    const produced = await runTool("java", [
      ...java,
      "org.apache.kafka.tools.ProducerPerformance",
      `--topic=${topic}`,
      `--num-records=${records}`,
      `--record-size=${recordSize}`,
      "--throughput=-1",
      "--producer-props",
      `bootstrap.servers=${brokers}`,
      "acks=all",
      `batch.size=${BATCH_BYTES}`,
      "linger.ms=5",
      "compression.type=none",
    ], "openjdk-17-jre-headless");
    // "N records sent, R records/sec (M MB/sec), ..." is its last line.
    const produce = /records sent, ([\d.]+) records\/sec/.exec(produced.trim().split("\n").at(-1)!);
    const consumed = await runTool("java", [
      ...java,
      "org.apache.kafka.tools.ConsumerPerformance",
      `--bootstrap-server=${brokers}`,
      `--topic=${topic}`,
      `--messages=${records}`,
      `--fetch-size=${BATCH_BYTES}`,
      "--timeout=60000",
    ], "openjdk-17-jre-headless");
    // A header line, then one CSV line; fetch.nMsg.sec leaves the group join out, as the
    // pipeline's steady rate does.
    const lines = consumed.trim().split("\n").filter((line) => line.includes(","));
    const header = lines.findIndex((line) => line.startsWith("start.time"));
    const columns = lines[header]?.split(",").map((name) => name.trim()) ?? [];
    const values = lines[header + 1]?.split(",").map((value) => value.trim()) ?? [];
    const consume = Number(values[columns.indexOf("fetch.nMsg.sec")]);
    if (produce === null || !Number.isFinite(consume)) {
      throw new Error(`unreadable perf tool output:\n${produced}\n${consumed}`);
    }
    const produceEventsPerSecond = Number(produce[1]) * eventsPerRecord;
    const consumeEventsPerSecond = consume * eventsPerRecord;
    return {
      produceEventsPerSecond,
      consumeEventsPerSecond,
      eventsPerSecond: Math.min(produceEventsPerSecond, consumeEventsPerSecond),
    };
  } finally {
    await deleteTopics(input.brokers, [topic]);
  }
}

/**
 * One client's consume -> produce rate, events/s: the input published to a topic first, then
 * timed from the first batch handed over to the last one republished.
 */
export async function clientCeiling(client: KafkaClient, input: CeilingInput): Promise<number> {
  const [from, to] = [await createTopic(input, "from"), await createTopic(input, "to")];
  const options: KafkaTransportOptions = {
    brokers: input.brokers,
    clientId: `bench-ceiling-${client}`,
  };
  const transport: Transport = client === "platformatic"
    ? new PlatformaticKafkaTransport(options)
    : new KafkaTransport(options);
  try {
    for (let i = 0; i < input.records.length; i += SEND_RECORDS) {
      await transport.publish(from, input.records.slice(i, i + SEND_RECORDS));
    }
    let moved = 0;
    let first = 0;
    const done = Promise.withResolvers<number>();
    const subscription = await transport.subscribe({
      group: `bench.ceiling.${nanoid(8)}`,
      topics: [from],
      handler: async (records) => {
        if (first === 0) first = performance.now();
        // In sends of about a replayer slice each, as the engine sends: a send of a whole fetch
        // could pass the broker's 1 MiB limit per partition batch.
        for (let i = 0; i < records.length; i += SEND_RECORDS) {
          await transport.publish(to, records.slice(i, i + SEND_RECORDS));
        }
        moved += records.length;
        if (moved >= input.records.length) done.resolve(performance.now());
      },
    });
    const timer = setTimeout(
      () => done.reject(new Error(`${client}: ${moved} of ${input.records.length} records moved`)),
      CLIENT_TIMEOUT_MS,
    );
    try {
      const last = await done.promise;
      return input.events / ((last - first) / 1000);
    } finally {
      clearTimeout(timer);
      await subscription.stop();
    }
  } finally {
    await transport.close();
    await deleteTopics(input.brokers, [from, to]);
  }
}

async function createTopic(input: CeilingInput, purpose: string): Promise<string> {
  const topic = `bench.ceiling.${nanoid(8)}.${purpose}`;
  const admin = new Kafka({ brokers: input.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: input.partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
