/**
 * What the input and output topics hold at the end of a run, against the replayed file: every
 * record read from the first offset by a consumer group of its own, decoded with the protocol
 * codec, events and forecasts identified by key and stream time; and which factory commands
 * asked for a report.
 *
 * @module
 */

import type { RetuneConfig } from "../../config/schema.ts";
import { decodeEnvelope, decodePayload } from "../../protocol/codec.ts";
import type { FactoryCommand, FactoryReport } from "../../protocol/messages.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import type { ConsumedRecord } from "../../transport/transport.ts";
import { kafkaClient } from "../topics.ts";
import type { StreamAudit } from "./observations.ts";

/** How long reading a topic to its end may take, ms. */
const READ_MS = 120_000;

/** How long a transactional topic's reader must have been idle to count as at its end, ms. */
const QUIET_MS = 5_000;

/** A job's start (a `train` or `opt_init` command) or end (its model, or an `opt_abort`). */
export interface JobMark {
  /** Record timestamp, epoch ms. */
  at: number;
  open: boolean;
}

/**
 * Whether a job was under way at `at`: the optimiser then drops an instruction and owes no
 * command for it (`actors/optimiser.ts`). A job ended by a `failed` report counts as under way
 * until the next mark, so an instruction is never owed by mistake.
 */
export function jobOpenAt(jobs: readonly JobMark[], at: number): boolean {
  let open = false;
  let latest = -Infinity;
  for (const mark of jobs) {
    if (mark.at <= at && mark.at >= latest) {
      latest = mark.at;
      open = mark.open;
    }
  }
  return open;
}

/** Reads both topics to their ends and counts against the stream file (`key,timestamp` rows). */
export async function auditStreams(config: RetuneConfig, stream: string): Promise<StreamAudit> {
  const expected = new Set<string>();
  for (const row of (await Deno.readTextFile(stream)).split("\n")) {
    if (row === "") continue;
    const [, timestamp, key] = row.split(",");
    expected.add(`${key}@${Number(timestamp)}`);
  }
  let inputEvents = 0;
  const inputWork: number[][] = [];
  const commandWork: number[][] = [];
  const reportWork: number[][] = [];
  const instructionWork: number[][] = [];
  const input = new Set<string>();
  const forecast = new Set<string>();
  let detections = 0;
  let forecastEvents = 0;
  const exactlyOnce = config.engine.delivery === "exactly_once";
  await readTopic(config, config.topics.input.name, false, ({ value, partition, offset }) => {
    const { events } = decodePayload("StreamEventBatch", value);
    (inputWork[partition] ??= [])[offset] = events.length;
    for (const event of events) {
      inputEvents++;
      input.add(`${event.key}@${event.timestamp}`);
    }
  });
  await readTopic(config, config.topics.output.name, exactlyOnce, ({ value }) => {
    for (const f of decodePayload("ForecastBatch", value).forecasts) {
      const id = `${f.key}@${f.timestamp}`;
      if (!expected.has(id)) continue;
      forecastEvents++;
      if (forecast.has(id)) continue;
      forecast.add(id);
      if (f.detection) detections++;
    }
  });
  const jobs: JobMark[] = [];
  await readTopic(config, config.topics.factoryCommands.name, false, (command) => {
    // Commands travel in envelopes (`actors/messaging.ts`).
    const envelope = decodeEnvelope(command.value);
    const kind = envelope.type === "FactoryCommand"
      ? (envelope.payload as FactoryCommand).kind
      : undefined;
    (commandWork[command.partition] ??= [])[command.offset] = kind === "opt_abort" ? 0 : 1;
    if (kind === "train" || kind === "opt_init") jobs.push({ at: command.timestamp, open: true });
    if (kind === "opt_abort") jobs.push({ at: command.timestamp, open: false });
  });
  await readTopic(config, config.topics.factoryReports.name, false, (report) => {
    const envelope = decodeEnvelope(report.value);
    // Only a report within a run asks the optimiser for its next command.
    const kind = envelope.type === "FactoryReport"
      ? (envelope.payload as FactoryReport).kind
      : undefined;
    const asks = kind === "opt_ready" || kind === "step_result";
    (reportWork[report.partition] ??= [])[report.offset] = asks ? 1 : 0;
    if (kind === "trained" || kind === "opt_done") jobs.push({ at: report.timestamp, open: false });
  });
  await readTopic(config, config.topics.instructions.name, false, (instruction) => {
    (instructionWork[instruction.partition] ??= [])[instruction.offset] =
      jobOpenAt(jobs, instruction.timestamp) ? 0 : 1;
  });
  return {
    streamEvents: expected.size,
    inputEvents,
    inputDistinct: input.size,
    recordWork: {
      input: inputWork,
      factoryCommands: commandWork,
      factoryReports: reportWork,
      instructions: instructionWork,
    },
    forecastDistinct: forecast.size,
    forecastEvents,
    exactlyOnce,
    detections,
  };
}

/**
 * Hands every record of `topic` to `onRecord`, from the first offset to the current end. A
 * topic written in transactions holds commit markers too, which count in its end offsets but are
 * never read: it is read until nothing came for `QUIET_MS` (every writer stopped before).
 */
async function readTopic(
  config: RetuneConfig,
  topic: string,
  transactional: boolean,
  onRecord: (record: ConsumedRecord) => void,
): Promise<void> {
  const admin = kafkaClient(config).admin();
  await admin.connect();
  let end: number;
  try {
    end = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
  const transport = new KafkaTransport({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-audit`,
    logger: { warn() {}, error() {} },
  });
  let read = 0;
  let lastRead = Date.now();
  const subscription = await transport.subscribe({
    group: `chaos-audit-${crypto.randomUUID()}`,
    topics: [topic],
    start: "earliest",
    handler: (records) => {
      for (const record of records) onRecord(record);
      read += records.length;
      lastRead = Date.now();
      return Promise.resolve();
    },
  });
  try {
    const deadline = Date.now() + READ_MS;
    while (read < end && !(transactional && read > 0 && Date.now() - lastRead > QUIET_MS)) {
      if (Date.now() > deadline) {
        throw new Error(`reading ${topic}: ${read} of ${end} records within ${READ_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await subscription.stop();
    await transport.close();
  }
}
