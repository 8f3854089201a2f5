/**
 * The stream side end to end: events/s of replayer -> input topic -> engine -> output topic, with
 * every role in one process, over the real Kafka broker (Avro on the wire) and over the
 * in-process transport, each against the model's own in-process forecasting rate measured in the
 * same run on the same events. The aims are Kafka >= 0.3 and embedded >= 0.7 of the model's rate.
 *
 * The input is the maritime track replicated over many vessels (bench/cef.ts's `replicate`),
 * written to a temporary CSV the replayer reads. The observer is left out, so no adaptation runs
 * and the engine forecasts with the initial model throughout; it reports every 50,000 events.
 * A run is timed from the moment the replayer starts (nothing is published yet) to the moment a
 * consumer group on the output topic has read the last forecast. Beside wall time it reports the
 * CPU time the process used meanwhile (all its threads, not the broker's), which says more than
 * wall time on a busy machine. It also reports the start-up (start to first forecast read: worker
 * start, consumer group joins) and the steady rate after it. Below the table it prints what one event costs in each stage
 * alone (parse, encode, decode, forecast, encode the forecast), which bounds what one thread can
 * do whatever the model's speed.
 *
 * Run: `deno task bench pipeline -- [--events=300000] [--keys=128] [--transports=kafka,embedded]
 * [--data=path/to/227592820.csv] [--cpu-profile=<folder>]`; the last writes a V8 CPU profile of
 * each timed run (open it in Chrome DevTools). Kafka runs on KAFKA_BROKERS, or on a broker
 * started for the run through `scripts/services/kafka.ts`.
 *
 * @module
 */

import { Session } from "node:inspector/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { nanoid } from "nanoid";
import { decodeData, decodePayload, encodePayload } from "../protocol/codec.ts";
import type { Forecast, StreamEvent } from "../core/events.ts";
import { inTrainingHead } from "../core/training_head.ts";
import { loadConfig } from "../config/load.ts";
import { setupLogging } from "../logging/setup.ts";
import type { RetuneConfig, TopicPurpose } from "../config/schema.ts";
import type { Transport } from "../transport/transport.ts";
import { createModel } from "../models/create_model.ts";
import { modelSpecOf } from "../config/build_model.ts";
import { MARITIME_SOURCE, readEvents, streamEventChunks } from "../models/sources/read.ts";
import { RetuneSystem } from "../actors/system.ts";
import { SERVICE_ROLES } from "../config/roles.ts";
import { createTopics, deleteTopics, kafkaClient, topicSpecs } from "../scripts/topics.ts";
import { startKafka } from "../scripts/services/kafka.ts";
import { KeyPartitioner } from "../transport/key_partitioner.ts";
import { replicate } from "./cef.ts";

const REPOSITORY = new URL("../", import.meta.url);
const CONFIG = fileURLToPath(new URL("deploy/examples/embedded.yaml", REPOSITORY));
const SHARED_DATA = new URL("../shared/data/maritime/227592820.csv", REPOSITORY);
const BUNDLED_DATA = new URL("deploy/examples/maritime/vessel_227592820.csv", REPOSITORY);
/** Longest the output may trail the engine once it processed the whole input, ms. */
const DRAIN_TIMEOUT_MS = 60_000;
/** Events per replayer publish, and the example's input partitions (stage costs batch as they do). */
const REPLAYER_BATCH = 1_000;
const PARTITIONS = 4;
/** Timed passes of the model alone; the fastest counts. */
const MODEL_PASSES = 3;

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

/** Wall and CPU time of a timed stretch. */
export interface Timing {
  seconds: number;
  /** CPU time of the whole process (every thread) meanwhile. */
  cpuSeconds: number;
}

/** One end-to-end run. */
export interface PipelineFigures extends Timing {
  transport: PipelineTransport;
  events: number;
  forecasts: number;
  eventsPerSecond: number;
  /** Pipeline rate over the model's in-process forecasting rate. */
  ratio: number;
  /** Seconds from the start to the first forecast read: start-up (workers, group joins). */
  firstForecastSeconds: number;
  /** Events over the time from the first forecast read to the last: the rate once running. */
  steadyEventsPerSecond: number;
}

/** The benchmark's measurements. */
export interface PipelineBenchResult {
  events: number;
  keys: number;
  /** `forecaster.process` alone over the same events with the same initial model. */
  model: Timing & { eventsPerSecond: number };
  /** Microseconds per event of each stage of the pipeline alone (module doc). */
  stages: StageCosts;
  runs: PipelineFigures[];
}

/**
 * What one event costs in each stage, alone, in microseconds: the replayer reads and parses its
 * row and encodes it (in a batch), the engine and the collector decode it (over Kafka each of
 * them; in one process the engine reuses what the replayer encoded), the engine forecasts and
 * encodes the forecast (in a batch). In one process all of it shares one thread.
 */
export interface StageCosts {
  readAndParse: number;
  encodeEvent: number;
  decodeEvent: number;
  forecast: number;
  encodeForecast: number;
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
  if (transports.includes("kafka") && !options.brokers?.length) {
    throw new RangeError(
      `brokers must name a broker for a Kafka run: current value is ${
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
    // Read back as the replayer reads it, so both sides see exactly the same events.
    const { events } = await readEvents(input, MARITIME_SOURCE);
    const base = await loadConfig(CONFIG);
    const { timing: modelTiming, forecasts } = await timeModel(base, events);
    const modelEventsPerSecond = events.length / modelTiming.seconds;
    const stages = await timeStages(input, events, forecasts, modelTiming);
    const runs: PipelineFigures[] = [];
    for (const transport of transports) {
      const config = benchConfig(base, transport, options.brokers ?? [], `${dir}/${transport}`, {
        reportEvery,
      });
      const profile = options.profileDir === undefined
        ? undefined
        : `${options.profileDir}/${transport}.cpuprofile`;
      const { forecasts, firstForecastSeconds, ...timing } = await timePipeline(
        config,
        input,
        events.length,
        profile,
      );
      const eventsPerSecond = events.length / timing.seconds;
      runs.push({
        transport,
        events: events.length,
        forecasts,
        ...timing,
        eventsPerSecond,
        ratio: eventsPerSecond / modelEventsPerSecond,
        firstForecastSeconds,
        steadyEventsPerSecond: events.length / (timing.seconds - firstForecastSeconds),
      });
    }
    return {
      events: events.length,
      keys,
      model: { ...modelTiming, eventsPerSecond: modelEventsPerSecond },
      stages,
      runs,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Trains the initial model as the factory does (same events, same parameters), then times
 * freshly loaded forecasters over `events`, as the engine's first pass is: the fastest of a few
 * passes, after a warm-up pass that keeps the forecasts.
 */
async function timeModel(
  config: RetuneConfig,
  events: readonly StreamEvent[],
): Promise<{ timing: Timing; forecasts: Forecast[] }> {
  const { initialParams, initialTraining, forecast } = config.model;
  const model = createModel(await modelSpecOf(config.model, config.storage.dir));
  const head = events.filter((e, i) =>
    inTrainingHead(initialTraining, i, events[0].timestamp, e.timestamp)
  );
  const artifact = await model.train(head, initialParams);
  const settings = { ...forecast, threshold: initialParams.threshold };
  const forecasts: Forecast[] = [];
  const warmUp = await model.load(artifact, settings, 0);
  for (const event of events) {
    const step = warmUp.process(event);
    if (step.forecast !== null) forecasts.push(step.forecast);
  }
  let fastest: Timing | undefined;
  for (let i = 0; i < MODEL_PASSES; i++) {
    const forecaster = await model.load(artifact, settings, 0);
    const started = now();
    for (const event of events) forecaster.process(event);
    const timing = between(started, now());
    if (fastest === undefined || timing.seconds < fastest.seconds) fastest = timing;
  }
  return { timing: fastest!, forecasts };
}

/** Times each stage alone on the run's events (see `StageCosts`). */
async function timeStages(
  input: string,
  events: readonly StreamEvent[],
  forecasts: readonly Forecast[],
  model: Timing,
): Promise<StageCosts> {
  const perEvent = (timing: Timing) => (timing.seconds * 1e6) / events.length;
  let started = now();
  // Chunked, as the replayer reads.
  for await (const _ of streamEventChunks(input, MARITIME_SOURCE, () => {})) {
    // Reading and parsing is the whole work.
  }
  const readAndParse = perEvent(between(started, now()));
  // Batched as the replayer and the engine batch them (see `batches`).
  const eventBatches = batches(events);
  started = now();
  const encoded = eventBatches.map((batch) => encodePayload("StreamEventBatch", { events: batch }));
  const encodeEvent = perEvent(between(started, now()));
  started = now();
  for (const bytes of encoded) decodePayload("StreamEventBatch", bytes);
  const decodeEvent = perEvent(between(started, now()));
  const forecastBatches = batches(forecasts);
  started = now();
  for (const batch of forecastBatches) encodePayload("ForecastBatch", { forecasts: batch });
  const encodeForecast = perEvent(between(started, now()));
  return { readAndParse, encodeEvent, decodeEvent, forecast: perEvent(model), encodeForecast };
}

/** Items in slices of a replayer batch, each split by partition: the records they travel in. */
function batches<I extends { key: string }>(items: readonly I[]): I[][] {
  const partitioner = new KeyPartitioner(PARTITIONS);
  const records: I[][] = [];
  for (let i = 0; i < items.length; i += REPLAYER_BATCH) {
    records.push(...partitioner.groupByPartition(items.slice(i, i + REPLAYER_BATCH)));
  }
  return records;
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
    replayer: { ...base.replayer, rate: { kind: "max" }, rotateMonths: 0 },
  };
}

/** Runs every role but the observer on `input`: from the replay's start to the last forecast read. */
async function timePipeline(
  config: RetuneConfig,
  input: string,
  events: number,
  profilePath: string | undefined,
): Promise<Timing & { forecasts: number; firstForecastSeconds: number }> {
  const admin = config.transport === "kafka" ? kafkaClient(config).admin() : undefined;
  if (admin !== undefined) {
    await admin.connect();
    await createTopics(admin, topicSpecs(config));
  }
  try {
    const system = await RetuneSystem.build({
      config,
      roles: SERVICE_ROLES,
      without: ["observer"],
      input,
    });
    try {
      const output = await watchOutput(system.transport, config.topics.output.name);
      const profiler = profilePath === undefined ? undefined : await startProfiler();
      await system.start();
      const started = now();
      if (system.view("replayer").sent > 0) {
        throw new Error("the replayer published before the clock started");
      }
      await system.waitForEndOfInput();
      const engine = system.view("engine");
      const replayer = system.view("replayer");
      const { deadLetters } = system;
      if (replayer.sent !== events || engine.eventsProcessed !== events || deadLetters > 0) {
        throw new Error(
          `expected ${events} events replayed and processed, none dead-lettered: replayed ` +
            `${replayer.sent}, processed ${engine.eventsProcessed}, dead letters ${deadLetters}`,
        );
      }
      const { last, firstWall } = await output.drained(engine.forecasts);
      if (profiler !== undefined) await profiler.stopInto(profilePath!);
      return {
        ...between(started, last),
        forecasts: engine.forecasts,
        firstForecastSeconds: (firstWall - started.wall) / 1000,
      };
    } finally {
      await system.stop();
    }
  } finally {
    if (admin !== undefined) {
      await deleteTopics(admin, topicSpecs(config));
      await admin.disconnect();
    }
  }
}

/** A point in wall and process CPU time. */
interface Instant {
  wall: number;
  cpu: ReturnType<typeof process.cpuUsage>;
}

function now(): Instant {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

function between(from: Instant, to: Instant): Timing {
  const cpuMicros = to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system;
  return { seconds: (to.wall - from.wall) / 1000, cpuSeconds: cpuMicros / 1e6 };
}

/** A consumer group counting the output's records. */
interface OutputWatch {
  /**
   * Once `expected` forecasts were read: when the last of them arrived (CPU: when noticed), and
   * the wall time the first arrived.
   */
  drained(expected: number): Promise<{ last: Instant; firstWall: number }>;
}

async function watchOutput(transport: Transport, topic: string): Promise<OutputWatch> {
  let count = 0;
  let expected = Infinity;
  let firstWall = 0;
  let lastWall = 0;
  const done = Promise.withResolvers<{ last: Instant; firstWall: number }>();
  // The CPU clock is read once, at the end: reading it costs a system call.
  const finish = () => done.resolve({ last: { ...now(), wall: lastWall }, firstWall });
  const subscription = await transport.subscribe({
    group: `bench.pipeline.output.${nanoid(8)}`,
    topics: [topic],
    maxBatch: 5_000,
    handler: (records) => {
      for (const record of records) {
        count += decodeData("ForecastBatch", record.value).forecasts.length;
      }
      lastWall = performance.now();
      if (firstWall === 0 && count > 0) firstWall = lastWall;
      if (count >= expected) finish();
      return Promise.resolve();
    },
  });
  return {
    async drained(total) {
      expected = total;
      if (count >= expected) finish();
      const timer = setTimeout(
        () => done.reject(new Error(`output has ${count} of ${total} forecasts after the input`)),
        DRAIN_TIMEOUT_MS,
      );
      try {
        return await done.promise;
      } finally {
        clearTimeout(timer);
        await subscription.stop();
      }
    },
  };
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
  if (!transports.every((name) => (TRANSPORTS as readonly string[]).includes(name))) {
    throw new RangeError(
      `--transports must list kafka and/or embedded: current value is ${values.transports}`,
    );
  }
  // Problems of the roles and of kafkajs show on stderr; the table goes to stdout.
  setupLogging({ level: "warning", format: "text" });
  const configured = Deno.env.get("KAFKA_BROKERS")?.trim() || undefined;
  const broker = transports.includes("kafka") && configured === undefined
    ? await startKafka()
    : undefined;
  const result = await benchPipeline({
    events: integerArgument("events", values.events),
    keys: integerArgument("keys", values.keys),
    transports: transports as PipelineTransport[],
    brokers: (configured ?? broker?.endpoints)?.split(","),
    dataPath: values.data,
    profileDir: values["cpu-profile"],
  }).finally(() => broker?.stop());
  printTable(result, args);
}

function integerArgument(name: string, text: string): number {
  const value = Number(text);
  if (!(/^\d+$/.test(text) && Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`--${name} must be a positive integer: current value is ${text}`);
  }
  return value;
}

function printTable(result: PipelineBenchResult, args: string[]): void {
  const count = (value: number) => Math.round(value).toLocaleString("en");
  const model = result.model;
  const rows = [
    ["path", "events", "seconds", "cpu s", "events/s", "ratio", "aim", "start-up s", "steady ev/s"],
    [
      "model in-process",
      count(result.events),
      model.seconds.toFixed(2),
      model.cpuSeconds.toFixed(2),
      count(model.eventsPerSecond),
      "1.00",
      "",
      "",
      "",
    ],
    ...result.runs.map((r) => [
      `pipeline ${r.transport}`,
      count(r.events),
      r.seconds.toFixed(2),
      r.cpuSeconds.toFixed(2),
      count(r.eventsPerSecond),
      r.ratio.toFixed(3),
      r.transport === "kafka" ? ">= 0.3" : ">= 0.7",
      r.firstForecastSeconds.toFixed(2),
      count(r.steadyEventsPerSecond),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  console.log(`${count(result.events)} events over ${result.keys} keys`);
  for (const cells of rows) {
    console.log(
      cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
        .join("  "),
    );
  }
  const { readAndParse, encodeEvent, decodeEvent, forecast, encodeForecast } = result.stages;
  const embedded = readAndParse + encodeEvent + forecast + encodeForecast;
  const us = (value: number) => value.toFixed(2);
  console.log(
    `per event, each stage alone (us): read+parse ${us(readAndParse)}, encode ${
      us(encodeEvent)
    }, decode ${us(decodeEvent)} (over Kafka, by the engine and the collector each), ` +
      `forecast ${us(forecast)}, encode forecast ${us(encodeForecast)}; embedded sum ${
        us(embedded)
      } us = ${count(1e6 / embedded)} events/s at most on one thread`,
  );
  console.log(`command: deno task bench pipeline${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`);
}
