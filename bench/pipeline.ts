/**
 * The stream side end to end, side by side in one run (issue 12's "Show"): the broker's ceiling
 * (Kafka's own perf tools) and each Kafka client's bare consume -> produce ceiling
 * (`kafka_ceilings.ts`); Retune with 1, 2 and 4 engine processes in one group over Kafka and etcd
 * (`pipeline_engines.ts`), at least once, and an exactly-once row, with the restore time after
 * kill -9 of the engine process (`timeRestore`); every role in one process over
 * Kafka; the embedded pipeline; and the model's own in-process forecasting rate on the same
 * events, with the ratios and aims (pipeline >= 0.5x the broker, embedded >= 0.3x the model,
 * >= 0.9x per added engine).
 *
 * The input is the maritime track replicated over many vessels (bench/cef.ts's `replicate`),
 * written to a temporary CSV the replayer reads. The observer is left out, so no adaptation runs
 * and the engine forecasts with the initial model throughout; it reports every 50,000 events.
 * A run is timed from the moment the replayer starts (nothing is published yet) to the moment a
 * consumer group on the output topic has read the last forecast; the steady rate leaves out the
 * start-up (start to first forecast read: worker or process start, consumer group joins). Below
 * the table it prints what one event costs in each stage alone (parse, encode, decode, forecast,
 * encode the forecast; CPU time, the least of a few passes), which bounds what one thread can do
 * whatever the model's speed, and each run's CPU time per event.
 *
 * Run: `deno task bench pipeline -- [--quick] [--json] [--events=300000] [--keys=128]
 * [--transports=kafka,embedded] [--engines=1,2,4] [--clients=kafkajs,platformatic]
 * [--client=kafkajs|platformatic] [--data=path/to/227592820.csv] [--cpu-profile=<folder>]`.
 * `--quick` is a smoke run (10,000 events, one engine, embedded only); `--json` prints one JSON
 * object last; `--client` is the roles' Kafka client; `--cpu-profile` writes a V8 CPU profile of
 * each one-process run and of each engine process (open them in Chrome DevTools). Kafka and etcd
 * run on KAFKA_BROKERS and ETCD_ENDPOINTS, or on ones started for the run (`scripts/services/`).
 *
 * @module
 */

import { Session } from "node:inspector/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { nanoid } from "nanoid";
import { availableParallelism } from "node:os";
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
import { startEtcd } from "../scripts/services/etcd.ts";
import {
  type BrokerCeiling,
  brokerCeiling,
  type CeilingInput,
  clientCeiling,
  CLIENTS,
  type KafkaClient,
} from "./kafka_ceilings.ts";
import { type EnginesRun, type RestoreRun, timeEngines, timeRestore } from "./pipeline_engines.ts";
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
/** Timed passes of each stage alone; the least CPU time counts. */
const STAGE_PASSES = 3;

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
  /** Measure the broker's and these clients' ceilings (needs `brokers`). Default none. */
  ceilings?: readonly KafkaClient[];
  /** Engine counts to run as separate processes over Kafka and etcd. Default none. */
  engines?: readonly number[];
  /** A smoke run: the perf tools move only the input's records. */
  quick?: boolean;
  /** etcd endpoints; required when `engines` is not empty. */
  etcdEndpoints?: string[];
  /** The Kafka client of the pipeline's roles (`kafka.client`). Default: the configuration's. */
  client?: KafkaClient;
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
  /** Kafka's perf tools on the input's records (when ceilings were asked for). */
  broker?: BrokerCeiling;
  /** Each client's bare consume -> produce rate, events/s. */
  clients: Partial<Record<KafkaClient, number>>;
  /** One run per engine count, at least once. */
  engines: EnginesRun[];
  /** The exactly-once run, or why there is none. */
  exactlyOnce: EnginesRun | string;
  /** The engine process's comeback from kill -9 (exactly once), or why there is none. */
  restore: RestoreRun | string;
  /** The Kafka client the pipeline's roles used. */
  client: KafkaClient;
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
    const loaded = await loadConfig(CONFIG);
    const base = options.client === undefined
      ? loaded
      : { ...loaded, kafka: { ...loaded.kafka, client: options.client } };
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
    const ceilingInput: CeilingInput = {
      brokers: options.brokers ?? [],
      records: batches(events).map((batch) => ({
        key: batch[0].key,
        value: encodePayload("StreamEventBatch", { events: batch }),
      })),
      events: events.length,
      partitions: base.topics.input.partitions,
      quick: options.quick,
    };
    const ceilings = options.ceilings ?? [];
    const broker = ceilings.length > 0 ? await brokerCeiling(ceilingInput) : undefined;
    const clients: Partial<Record<KafkaClient, number>> = {};
    for (const client of ceilings) clients[client] = await clientCeiling(client, ceilingInput);
    const engineRuns: EnginesRun[] = [];
    const forecastCount = runs[0]?.forecasts ?? forecasts.length;
    const enginesOptions = (engines: number, engine?: Record<string, unknown>) => ({
      base: benchConfig(base, "kafka", options.brokers ?? [], dir, { reportEvery }),
      brokers: options.brokers ?? [],
      etcdEndpoints: options.etcdEndpoints ?? [],
      input,
      forecasts: forecastCount,
      engines,
      dir,
      engine,
      profileDir: options.profileDir,
    });
    for (const engines of options.engines ?? []) {
      engineRuns.push(await timeEngines(enginesOptions(engines)));
    }
    // One engine, exactly once, where the configuration has the key (issue 12's item 2).
    const exactlyOnce = !("delivery" in base.engine)
      ? "n/a: engine.delivery not available"
      : engineRuns.length === 0
      ? "not run: no engine runs asked for"
      : await timeEngines(enginesOptions(1, { delivery: "exactly_once" }));
    const restore = typeof exactlyOnce === "string"
      ? exactlyOnce
      : await timeRestore(enginesOptions(1, { delivery: "exactly_once" }));
    return {
      events: events.length,
      keys,
      model: { ...modelTiming, eventsPerSecond: modelEventsPerSecond },
      stages,
      runs,
      broker,
      clients,
      engines: engineRuns,
      exactlyOnce,
      restore,
      client: base.kafka.client,
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
  // CPU time, the least of a few passes: other work on the machine moves it far less than wall
  // time, and the first pass also warms the code up.
  const perEvent = async (stage: () => unknown) => {
    let least = Infinity;
    for (let pass = 0; pass < STAGE_PASSES; pass++) {
      const started = now();
      await stage();
      least = Math.min(least, between(started, now()).cpuSeconds);
    }
    return (least * 1e6) / events.length;
  };
  const readAndParse = await perEvent(async () => {
    // Chunked, as the replayer reads.
    for await (const _ of streamEventChunks(input, MARITIME_SOURCE, () => {})) {
      // Reading and parsing is the whole work.
    }
  });
  // Batched as the replayer and the engine batch them (see `batches`).
  const eventBatches = batches(events);
  const encode = () =>
    eventBatches.map((batch) => encodePayload("StreamEventBatch", { events: batch }));
  const encodeEvent = await perEvent(encode);
  const encoded = encode();
  const decodeEvent = await perEvent(() => {
    for (const bytes of encoded) decodePayload("StreamEventBatch", bytes);
  });
  const forecastBatches = batches(forecasts);
  const encodeForecast = await perEvent(() => {
    for (const batch of forecastBatches) {
      encodePayload("ForecastBatch", { forecasts: batch, model: "" });
    }
  });
  return {
    readAndParse,
    encodeEvent,
    decodeEvent,
    forecast: (model.cpuSeconds * 1e6) / events.length,
    encodeForecast,
  };
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
    storage: { ...base.storage, dir: storageDir },
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
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      events: { type: "string" },
      keys: { type: "string", default: "128" },
      transports: { type: "string" },
      engines: { type: "string" },
      clients: { type: "string", default: CLIENTS.join(",") },
      client: { type: "string" },
      data: { type: "string" },
      "cpu-profile": { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick;
  const transports = listArgument(
    "transports",
    values.transports ?? (quick ? "embedded" : TRANSPORTS.join(",")),
    TRANSPORTS,
  );
  const clients = values.clients === ""
    ? []
    : listArgument("clients", values.clients, CLIENTS) as KafkaClient[];
  const engines = (values.engines ?? (quick ? "1" : "1,2,4")).split(",").filter((e) => e !== "")
    .map((text) => integerArgument("engines", text.trim()));
  // Problems of the roles and of the clients show on stderr; the table goes to stdout.
  setupLogging({ level: "warning", format: "text" });
  const needsKafka = transports.includes("kafka") || clients.length > 0 || engines.length > 0;
  const configured = Deno.env.get("KAFKA_BROKERS")?.trim() || undefined;
  const broker = needsKafka && configured === undefined ? await startKafka() : undefined;
  const configuredEtcd = Deno.env.get("ETCD_ENDPOINTS")?.trim() || undefined;
  const etcd = engines.length > 0 && configuredEtcd === undefined ? await startEtcd() : undefined;
  // The profiles' folder is made here, not at the first profile written minutes into the run.
  if (values["cpu-profile"] !== undefined) {
    await Deno.mkdir(values["cpu-profile"], { recursive: true });
  }
  const result = await benchPipeline({
    events: integerArgument("events", values.events ?? (quick ? "10000" : "300000")),
    keys: integerArgument("keys", values.keys),
    transports: transports as PipelineTransport[],
    brokers: (configured ?? broker?.endpoints)?.split(","),
    etcdEndpoints: (configuredEtcd ?? etcd?.endpoints)?.split(","),
    dataPath: values.data,
    profileDir: values["cpu-profile"],
    ceilings: clients,
    engines,
    quick,
    client: values.client === undefined
      ? undefined
      : listArgument("client", values.client, CLIENTS)[0] as KafkaClient,
  }).finally(async () => {
    await etcd?.stop();
    await broker?.stop();
  });
  printTable(result, args);
  if (values.json) console.log(JSON.stringify(summaryOf(result)));
}

/** The one-line JSON summary `--json` prints last. */
export function summaryOf(result: PipelineBenchResult): Record<string, unknown> {
  const byTransport = (transport: PipelineTransport) =>
    result.runs.find((r) => r.transport === transport)?.eventsPerSecond ?? null;
  return {
    events: result.events,
    keys: result.keys,
    client: result.client,
    cores: availableParallelism(),
    broker_ceiling_eps: result.broker?.eventsPerSecond ?? null,
    broker_produce_eps: result.broker?.produceEventsPerSecond ?? null,
    broker_consume_eps: result.broker?.consumeEventsPerSecond ?? null,
    client_ceiling_eps: result.clients,
    pipeline_eps: Object.fromEntries(result.engines.map((r) => [r.engines, r.eventsPerSecond])),
    pipeline_steady_eps: Object.fromEntries(
      result.engines.map((r) => [r.engines, r.steadyEventsPerSecond]),
    ),
    pipeline_one_process_kafka_eps: byTransport("kafka"),
    exactly_once_eps: typeof result.exactlyOnce === "string"
      ? null
      : result.exactlyOnce.eventsPerSecond,
    engine_restore_s: typeof result.restore === "string" ? null : result.restore.restoreSeconds,
    embedded_eps: byTransport("embedded"),
    model_in_process_eps: result.model.eventsPerSecond,
  };
}

/** A comma-separated list of names, each one of `allowed`. */
function listArgument(name: string, text: string, allowed: readonly string[]): string[] {
  const names = text.split(",").map((item) => item.trim());
  if (!names.every((item) => allowed.includes(item))) {
    throw new RangeError(
      `--${name} must list some of ${allowed.join(", ")}: current value is ${text}`,
    );
  }
  return names;
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
  const ratio = (value: number, of: number | undefined) =>
    of === undefined ? "" : `${(value / of).toFixed(2)}x`;
  const broker = result.broker?.eventsPerSecond;
  const model = result.model.eventsPerSecond;
  const one = result.engines.find((r) => r.engines === 1)?.eventsPerSecond;
  const header = ["path", "events/s", "steady ev/s", "x broker", "x 1 engine", "x model", "aim"];
  const rows: string[][] = [header];
  if (result.broker !== undefined) {
    rows.push([
      `broker ceiling (Kafka perf tools; produce ${count(result.broker.produceEventsPerSecond)}, ` +
      `consume ${count(result.broker.consumeEventsPerSecond)})`,
      count(result.broker.eventsPerSecond),
      "",
      "1.00x",
      "",
      "",
      "",
    ]);
  }
  for (const [client, eps] of Object.entries(result.clients)) {
    rows.push([
      `client ceiling ${client}, bare consume->produce`,
      count(eps),
      "",
      ratio(eps, broker),
      "",
      "",
      "",
    ]);
  }
  for (const r of result.engines) {
    rows.push([
      `Retune, ${r.engines} engine process${r.engines > 1 ? "es" : ""}, at least once`,
      count(r.eventsPerSecond),
      count(r.steadyEventsPerSecond),
      ratio(r.eventsPerSecond, broker),
      ratio(r.eventsPerSecond, one),
      "",
      r.engines === 1 ? ">= 0.5x broker" : `>= ${(1 + 0.9 * (r.engines - 1)).toFixed(1)}x 1 engine`,
    ]);
  }
  if (result.engines.length > 0 || result.broker !== undefined) {
    const eo = result.exactlyOnce;
    rows.push(
      typeof eo === "string"
        ? ["Retune, 1 engine process, exactly once", eo, "", "", "", "", ""]
        : [
          "Retune, 1 engine process, exactly once",
          count(eo.eventsPerSecond),
          count(eo.steadyEventsPerSecond),
          ratio(eo.eventsPerSecond, broker),
          ratio(eo.eventsPerSecond, one),
          "",
          ">= 0.7x at least once",
        ],
    );
  }
  for (const r of result.runs) {
    rows.push([
      r.transport === "kafka"
        ? "Retune over Kafka, every role in one process"
        : "embedded pipeline",
      count(r.eventsPerSecond),
      count(r.steadyEventsPerSecond),
      r.transport === "kafka" ? ratio(r.eventsPerSecond, broker) : "",
      "",
      ratio(r.eventsPerSecond, model),
      r.transport === "kafka" ? "" : ">= 0.3x model",
    ]);
  }
  rows.push(["model in-process", count(model), "", "", "", "1.00x", ""]);
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  console.log(
    `${count(result.events)} events over ${result.keys} keys; ${availableParallelism()} cores; ` +
      `Retune's Kafka client: ${result.client}`,
  );
  for (const cells of rows) {
    console.log(
      cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
        .join("  ").trimEnd(),
    );
  }
  const { restore } = result;
  if (result.engines.length > 0 || result.broker !== undefined) {
    console.log(
      typeof restore === "string"
        ? `restore after kill -9 of the engine process: ${restore}`
        : `restore after kill -9 of the engine process (exactly once, a third of the way in, ` +
          `a new process started at once): ${restore.restoreSeconds.toFixed(1)} s from the kill ` +
          `to every input partition resumed (${restore.processStartSeconds.toFixed(1)} s of it ` +
          `the new process starting); ${restore.resumed} partitions from their checkpoints, ` +
          `${restore.afresh} afresh, longest checkpoint read ${restore.longestCheckpointReadMs} ms`,
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
  for (const r of result.runs) {
    // CPU time moves far less with other work on the machine than wall time does.
    console.log(
      `${r.transport === "kafka" ? "every role in one process over Kafka" : "embedded"}: ${
        us((r.cpuSeconds * 1e6) / r.events)
      } us of CPU per event (the process, every thread)`,
    );
  }
  console.log(`command: deno task bench pipeline${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`);
}
