/**
 * The stream side end to end: events/s of replayer -> input topic -> engine -> output topic, with
 * every role in one process, over the real Kafka broker (Avro on the wire) and over the
 * in-process transport, each against the model's own in-process forecasting rate measured in the
 * same run on the same events. The aims are Kafka >= 0.3 and embedded >= 0.7 of the model's rate.
 *
 * The input is the maritime track replicated over many vessels (bench/cef.ts's `replicate`),
 * written to a temporary CSV the replayer reads. The observer is left out, so no adaptation runs
 * and the engine forecasts with the initial model throughout; it reports every 50,000 events.
 * A run is timed from the moment the replayer starts (nothing was published yet) to the moment a
 * consumer group on the output topic has read the last forecast.
 *
 * Run: `deno task bench pipeline -- [--events=300000] [--keys=128] [--transports=kafka,embedded]
 * [--data=path/to/227592820.csv] [--cpu-profile=<folder>]`; the last writes a V8 CPU profile of
 * each timed run (open it in Chrome DevTools). Kafka runs on KAFKA_BROKERS, or on a broker started for the
 * run through `scripts/services/kafka.ts`.
 *
 * @module
 */

import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { nanoid } from "nanoid";
import type { StreamEvent } from "../protocol/messages.ts";
import { loadConfig } from "../protocol/config/load.ts";
import type { RetuneConfig, TopicPurpose } from "../protocol/config/schema.ts";
import type { Subscription, Transport } from "../protocol/transport/transport.ts";
import { createModel, modelSpecOf } from "../models/create_model.ts";
import { MARITIME_SOURCE, readEvents } from "../models/sources/read.ts";
import { RetuneSystem, ROLES } from "../actors/system.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../scripts/topics.ts";
import { startKafka } from "../scripts/services/kafka.ts";
import { replicate } from "./cef.ts";

const REPOSITORY = new URL("../", import.meta.url);
const CONFIG = fileURLToPath(new URL("deploy/examples/embedded.yaml", REPOSITORY));
const SHARED_DATA = new URL("../shared/data/maritime/227592820.csv", REPOSITORY);
const BUNDLED_DATA = new URL("deploy/examples/maritime/vessel_227592820.csv", REPOSITORY);
/** Longest the output may trail the engine once it processed the whole input, ms. */
const DRAIN_TIMEOUT_MS = 60_000;

/** The transports a pipeline run can use. */
export const TRANSPORTS = ["kafka", "embedded"] as const;

/** A transport a pipeline run uses: Kafka or in-process. */
export type PipelineTransport = typeof TRANSPORTS[number];

/** What to benchmark. */
export interface PipelineBenchOptions {
  /** Least number of events replayed. Default 300,000. */
  events?: number;
  /** Partition keys (vessels) the track is replicated over. Default 128. */
  keys?: number;
  /** Transports to run, in order. Default both, Kafka first. */
  transports?: readonly PipelineTransport[];
  /** Kafka bootstrap brokers; required when `transports` includes kafka. */
  brokers?: string[];
  /** Maritime CSV file; default: the shared data set, else the bundled sample. */
  dataPath?: string;
  /** Metrics report cadence of the engine, in events. Default 50,000. */
  reportEvery?: number;
  /** Folder to write a V8 CPU profile of each timed run to (`<transport>.cpuprofile`). */
  profileDir?: string;
}

/** One end-to-end run. */
export interface PipelineFigures {
  transport: PipelineTransport;
  events: number;
  forecasts: number;
  seconds: number;
  eventsPerSecond: number;
  /** Pipeline rate over the model's in-process forecasting rate. */
  ratio: number;
}

/** The benchmark's measurements. */
export interface PipelineBenchResult {
  events: number;
  keys: number;
  /** `forecaster.process` alone over the same events with the same initial model, events/s. */
  modelEventsPerSecond: number;
  runs: PipelineFigures[];
}

/** Runs the benchmark (see the module doc). */
export async function benchPipeline(
  options: PipelineBenchOptions = {},
): Promise<PipelineBenchResult> {
  const {
    events: target = 300_000,
    keys = 128,
    transports = TRANSPORTS,
    reportEvery = 50_000,
  } = options;
  requirePositiveInteger("events", target);
  requirePositiveInteger("keys", keys);
  requirePositiveInteger("reportEvery", reportEvery);
  if (transports.includes("kafka") && !(options.brokers?.length)) {
    throw new RangeError(
      `brokers must name at least one broker for a Kafka run: current value is ${
        JSON.stringify(options.brokers)
      }`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-pipeline-" });
  try {
    const input = `${dir}/stream.csv`;
    const { events: track } = await readEvents(
      options.dataPath ?? await defaultDataPath(),
      MARITIME_SOURCE,
    );
    await Deno.writeTextFile(input, toMaritimeCsv(replicate(track, target, keys)));
    // The replayer reads the same file, so both sides see exactly these events.
    const { events } = await readEvents(input, MARITIME_SOURCE);
    const base = await loadConfig(CONFIG);
    const modelEventsPerSecond = await modelRate(base, events);
    const runs: PipelineFigures[] = [];
    for (const transport of transports) {
      const config = benchConfig(base, transport, options.brokers ?? [], `${dir}/${transport}`, {
        reportEvery,
      });
      const profile = options.profileDir === undefined
        ? undefined
        : `${options.profileDir}/${transport}.cpuprofile`;
      const { seconds, forecasts } = await timePipeline(config, input, events.length, profile);
      const eventsPerSecond = events.length / seconds;
      runs.push({
        transport,
        events: events.length,
        forecasts,
        seconds,
        eventsPerSecond,
        ratio: eventsPerSecond / modelEventsPerSecond,
      });
    }
    return { events: events.length, keys, modelEventsPerSecond, runs };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Trains the initial model as the factory does (same events, same parameters), then times a
 * freshly loaded forecaster's pass over `events`, as the engine's first pass is, after one
 * warm-up pass on another forecaster.
 */
async function modelRate(config: RetuneConfig, events: readonly StreamEvent[]): Promise<number> {
  const { initialParams, initialTraining, forecast } = config.model;
  const model = createModel(await modelSpecOf(config.model, config.storage.dir));
  const artifact = await model.train(events.slice(0, initialTraining.events), initialParams);
  const settings = { ...forecast, threshold: initialParams.threshold };
  const pass = async () => {
    const forecaster = await model.load(artifact, settings, 0);
    const started = performance.now();
    for (const event of events) forecaster.process(event);
    return (performance.now() - started) / 1000;
  };
  await pass();
  return events.length / await pass();
}

/** The example configuration on `transport`, with topics and storage of the run's own. */
function benchConfig(
  base: RetuneConfig,
  transport: PipelineTransport,
  brokers: string[],
  storageDir: string,
  engine: { reportEvery: number },
): RetuneConfig {
  const id = nanoid(8);
  const topics = Object.fromEntries(
    Object.entries(base.topics).map(([purpose, topic]) => [
      purpose,
      { ...topic, name: `bench.pipeline.${id}.${purpose}` },
    ]),
  ) as Record<TopicPurpose, RetuneConfig["topics"][TopicPurpose]>;
  return {
    ...base,
    transport: transport === "kafka" ? "kafka" : "in-process",
    kafka: { ...base.kafka, brokers: transport === "kafka" ? brokers : base.kafka.brokers },
    etcd: undefined,
    topics,
    storage: { dir: storageDir },
    engine: { ...base.engine, report: { everyEvents: engine.reportEvery } },
    replayer: { ...base.replayer, rate: { kind: "max" }, rotateMonths: undefined },
  };
}

/** Runs the roles but the observer on `input`; seconds from the replay's start to the last forecast read. */
async function timePipeline(
  config: RetuneConfig,
  input: string,
  events: number,
  profilePath: string | undefined,
): Promise<{ seconds: number; forecasts: number }> {
  const kafka = config.transport === "kafka" ? kafkaClient(config).admin() : undefined;
  if (kafka !== undefined) {
    await kafka.connect();
    await createTopics(kafka, topicSpecs(config));
  }
  const system = await RetuneSystem.build({
    config,
    roles: ROLES,
    without: ["observer"],
    input,
  });
  try {
    const output = await countRecords(system.transport, config.topics.output.name);
    const profiler = profilePath === undefined ? undefined : await startProfiler();
    await system.start();
    const started = performance.now();
    if (system.stats.replayer.sent > 0) {
      throw new Error("the replayer published before the clock started");
    }
    await system.waitForEndOfInput();
    const { engine, replayer, deadLetters } = system.stats;
    if (replayer.sent !== events || engine.eventsProcessed !== events || deadLetters > 0) {
      throw new Error(
        `expected ${events} events replayed and forecast, none dead-lettered: replayed ${replayer.sent}, ` +
          `processed ${engine.eventsProcessed}, dead letters ${deadLetters}`,
      );
    }
    await output.drained(engine.forecasts, DRAIN_TIMEOUT_MS);
    if (profiler !== undefined) await profiler.stopInto(profilePath!);
    await output.subscription.stop();
    return { seconds: (output.lastAt - started) / 1000, forecasts: engine.forecasts };
  } finally {
    await system.stop();
    if (kafka !== undefined) {
      await deleteTopics(kafka, topicSpecs(config));
      await kafka.disconnect();
    }
  }
}

/** The V8 sampling profiler of this process, started. */
async function startProfiler(): Promise<{ stopInto(path: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 250 });
  await session.post("Profiler.start");
  return {
    async stopInto(path) {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      await Deno.writeTextFile(path, JSON.stringify(profile));
    },
  };
}

/** A consumer group counting a topic's records, with the time the latest batch arrived. */
interface RecordCount {
  readonly subscription: Subscription;
  readonly count: number;
  readonly lastAt: number;
  /** Resolves once `count` reached `expected`; rejects after `timeoutMs`. */
  drained(expected: number, timeoutMs: number): Promise<void>;
}

async function countRecords(transport: Transport, topic: string): Promise<RecordCount> {
  const state = { count: 0, lastAt: 0 };
  const subscription = await transport.subscribe({
    group: `bench.pipeline.output.${nanoid(8)}`,
    topics: [topic],
    maxBatch: 5_000,
    handler: (records) => {
      state.count += records.length;
      state.lastAt = performance.now();
      return Promise.resolve();
    },
  });
  return {
    subscription,
    get count() {
      return state.count;
    },
    get lastAt() {
      return state.lastAt;
    },
    async drained(expected, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (state.count < expected) {
        if (performance.now() > deadline) {
          throw new Error(
            `output has ${state.count} of ${expected} forecasts after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** Events as maritime CSV rows, the vessel key in the mmsi column. */
function toMaritimeCsv(events: readonly StreamEvent[]): string {
  const rows = events.map((event) => {
    const a = event.attributes;
    return `${event.timestamp / 1000},${event.key},${a.lon},${a.lat},${a.speed},${a.heading},` +
      `${a.cog},${a.annotation}`;
  });
  return rows.join("\n") + "\n";
}

async function defaultDataPath(): Promise<string> {
  for (const candidate of [SHARED_DATA, BUNDLED_DATA]) {
    try {
      await Deno.stat(candidate);
      return fileURLToPath(candidate);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `no maritime data: pass --data, or provide ${fileURLToPath(SHARED_DATA)} or ${
      fileURLToPath(BUNDLED_DATA)
    }`,
  );
}

function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive integer: current value is ${value}`);
  }
}

/** `deno task bench pipeline -- [options]`: runs the benchmark and prints its table. */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "300000" },
      keys: { type: "string", default: "128" },
      transports: { type: "string", default: TRANSPORTS.join(",") },
      data: { type: "string" },
      "cpu-profile": { type: "string" },
    },
    strict: true,
  });
  const transports = values.transports.split(",").map((name) => name.trim());
  for (const name of transports) {
    if (!(TRANSPORTS as readonly string[]).includes(name)) {
      throw new RangeError(
        `--transports must list ${
          TRANSPORTS.join(" and/or ")
        }: current value is ${values.transports}`,
      );
    }
  }
  const needsKafka = transports.includes("kafka");
  const configured = Deno.env.get("KAFKA_BROKERS")?.trim() || undefined;
  const broker = needsKafka && configured === undefined ? await startKafka() : undefined;
  const brokers = (configured ?? broker?.endpoints)?.split(",");
  const result = await benchPipeline({
    events: Number(values.events),
    keys: Number(values.keys),
    transports: transports as PipelineTransport[],
    brokers,
    dataPath: values.data,
    profileDir: values["cpu-profile"],
  }).finally(() => broker?.stop());
  printTable(result, args);
}

function printTable(result: PipelineBenchResult, args: string[]): void {
  const rate = (value: number) => Math.round(value).toLocaleString("en");
  const rows = [
    ["path", "events", "seconds", "events/s", "ratio", "aim"],
    [
      "model in-process",
      result.events.toLocaleString("en"),
      (result.events / result.modelEventsPerSecond).toFixed(2),
      rate(result.modelEventsPerSecond),
      "1.00",
      "",
    ],
    ...result.runs.map((r) => [
      r.transport === "kafka" ? "pipeline kafka" : "pipeline embedded",
      r.events.toLocaleString("en"),
      r.seconds.toFixed(2),
      rate(r.eventsPerSecond),
      r.ratio.toFixed(2),
      r.transport === "kafka" ? ">= 0.30" : ">= 0.70",
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  console.log(`${result.events.toLocaleString("en")} events over ${result.keys} keys`);
  for (const row of rows) {
    console.log(
      row.map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])
      ).join("  "),
    );
  }
  console.log(`command: deno task bench pipeline${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`);
}
