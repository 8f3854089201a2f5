/**
 * Many small models on one engine and one shared training pool (`deno task bench fleet`):
 * - the engine's rate over the same events with one model taking every key against a fleet of
 *   `--models` models, one key each (a lane per model, the router choosing lanes by key), each
 *   run in the embedded system with only the engine role, its models in the catalogue before it
 *   starts; every lane reports twice over the run in both;
 * - the heap per model: the fleet's heap over the one model's, per extra model, after the runs;
 * - a retrain of every model of the fleet on its own events through the shared fair pool
 *   (`actors/factory/fair_pool.ts`) of `factory.concurrency` workers (`--workers`), each candidate
 *   scored by anchored walk-forward cross-validation with 5 splits and fitted on the whole;
 * - the scheduled weekly retrain of a fleet of `--scheduled` models (default 100; all roles in one
 *   embedded process, no observer): each model's collector fires its schedule's tick on the
 *   stream, announcing a dataset of its window and asking for a retrain, which its optimiser
 *   sends to its factory, which assembles it and trains on the shared pool with walk-forward CV
 *   (5 splits): the time from the first tick until every model shipped its new version, and,
 *   before it, the time until every model's initial version was trained (one pass over the
 *   stream for all of them).
 * Ratios are against the one-model run of the same invocation: after a warm-up run, the two
 * alternate `--rounds` times (default 2) and the best of each counts. `--json`: the figures as one
 * object on the last line. `--quick`: 100 models over 30,000 events, 20 scheduled (a smoke test).
 *
 * Run: `deno task bench fleet -- [--models=1000] [--events=1000000] [--workers=2] [--rounds=2]
 * [--scheduled=100] [--quick] [--json]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.ts";
import type { RetuneConfig } from "../config/schema.ts";
import type { StreamEvent } from "../core/events.ts";
import { RetuneSystem } from "../actors/system.ts";
import { encodeData } from "../protocol/codec.ts";
import { KeyPartitioner } from "../transport/key_partitioner.ts";
import type { OutgoingRecord } from "../transport/transport.ts";
import { driftStream, REGIMES } from "../scripts/drift_stream.ts";
import { createModel } from "../models/create_model.ts";
import { modelSpecOf } from "../config/build_model.ts";
import { FairPool } from "../actors/factory/fair_pool.ts";
import { WorkerPool } from "../actors/factory/worker_pool.ts";
import type { TrainingJob, TrainingResult } from "../actors/factory/training_job.ts";
import { encodeDataset } from "../actors/factory/dataset_file.ts";
import { FilesystemArtifactStore } from "../storage/filesystem_artifact_store.ts";
import { setupLogging } from "../logging/setup.ts";
import { generate } from "../scripts/generate_drift.ts";
import { SERVICE_ROLES } from "../config/roles.ts";

const DRIFT_CONFIG = new URL("../deploy/examples/drift.yaml", import.meta.url);

/** V8's collector, exposed with `--v8-flags=--expose-gc`. */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Events per input record, as the replayer's slices make them. */
const BATCH_EVENTS = 1_000;

/** How often the scheduled run reads the fleet's views, ms. */
const POLL_MS = 50;

/** Longest one engine run may take, ms. */
const RUN_DEADLINE_MS = 600_000;

/** One engine run. */
export interface EngineRun {
  models: number;
  seconds: number;
  eventsPerSecond: number;
  /** Heap in use at the end of the run, bytes. */
  heapBytes: number;
}

/** The benchmark's figures. */
export interface FleetBenchResult {
  events: number;
  models: number;
  one: EngineRun;
  fleet: EngineRun;
  /** The fleet's events/s over the one model's. */
  ratio: number;
  /** Extra heap per model of the fleet, KiB. */
  kibPerModel: number;
  retrain: {
    models: number;
    workers: number;
    evaluation: string;
    eventsPerModel: number;
    seconds: number;
    modelsPerSecond: number;
  };
  /** The scheduled retrain through collector ticks, optimisers and factories. */
  scheduled: {
    models: number;
    workers: number;
    evaluation: string;
    /** Events of each model's stream (its window covers them all). */
    eventsPerModel: number;
    /** From the start until every model's initial version was trained. */
    initialSeconds: number;
    /** From the first tick until every model shipped the version it asked for. */
    seconds: number;
    modelsPerSecond: number;
  };
}

/** `deno task bench fleet` (see the module doc). */
export async function run(args: string[]): Promise<void> {
  if (collectGarbage === undefined) {
    // The heap per model is only measurable after a collection: run again with V8's exposed.
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--v8-flags=--expose-gc",
        `--config=${fileURLToPath(new URL("../deno.json", import.meta.url))}`,
        fileURLToPath(import.meta.url),
        ...args,
      ],
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`bench/fleet.ts exited with code ${code}`);
    return;
  }
  const { values } = parseArgs({
    args,
    options: {
      models: { type: "string" },
      events: { type: "string" },
      workers: { type: "string", default: "2" },
      rounds: { type: "string", default: "2" },
      scheduled: { type: "string" },
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const models = positive("--models", values.models ?? (values.quick ? "100" : "1000"));
  const events = positive("--events", values.events ?? (values.quick ? "30000" : "1000000"));
  const workers = positive("--workers", values.workers);
  const rounds = positive("--rounds", values.rounds);
  const scheduled = positive("--scheduled", values.scheduled ?? (values.quick ? "20" : "100"));
  const only = values.only;
  if (only !== undefined && only !== "scheduled") {
    throw new RangeError(`--only must be "scheduled": current value is ${only}`);
  }
  if (events < models * 10) {
    throw new RangeError(
      `--events must be at least 10 per model (${models * 10}): current value is ${events}`,
    );
  }
  setupLogging({ level: "error", format: "text" });
  if (only === "scheduled") {
    const result = await benchScheduled({
      models: scheduled,
      eventsPerModel: events / models,
      workers,
    });
    console.log(scheduledLine(result));
    if (values.json) console.log(JSON.stringify(result));
    return;
  }
  const result = await benchFleet({ models, events, workers, rounds, scheduled });
  console.log(table(result));
  if (values.json) console.log(JSON.stringify(result));
}

/** The scheduled weekly retrain alone (`--only=scheduled`), in a directory of its own. */
export async function benchScheduled(
  options: { models: number; eventsPerModel: number; workers: number },
): Promise<FleetBenchResult["scheduled"]> {
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-fleet-" });
  try {
    const base = await loadConfig(DRIFT_CONFIG.pathname, { env: {} });
    return await timeScheduledRetrain(
      base,
      dir,
      options.models,
      Math.round(options.eventsPerModel),
      options.workers,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the benchmark. */
export async function benchFleet(
  options: { models: number; events: number; workers: number; rounds: number; scheduled: number },
): Promise<FleetBenchResult> {
  const { models, events, workers } = options;
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-fleet-" });
  try {
    const base = await loadConfig(DRIFT_CONFIG.pathname, { env: {} });
    const stream = [
      ...driftStream({
        events,
        keys: models,
        seed: 1,
        driftAt: [0.5],
        regimes: [REGIMES.runs, REGIMES.alternating],
      }),
    ].map(({ event }) => event);
    const spec = await modelSpecOf(base.model, dir);
    const artifact = new TextEncoder().encode(JSON.stringify(
      await createModel(spec).train(stream.slice(0, 5_000), base.model.initialParams),
    ));
    // A first run warms the JIT up; then the two alternate, and the best of each counts.
    await timeEngine(base, `${dir}/warm`, stream, artifact, 1);
    const ones: EngineRun[] = [];
    const fleets: EngineRun[] = [];
    for (let round = 0; round < options.rounds; round++) {
      ones.push(await timeEngine(base, `${dir}/one${round}`, stream, artifact, 1));
      fleets.push(await timeEngine(base, `${dir}/fleet${round}`, stream, artifact, models));
    }
    const one = best(ones);
    const fleet = best(fleets);
    const retrain = await timeRetrain(base, `${dir}/retrain`, stream, models, workers);
    const scheduled = await timeScheduledRetrain(
      base,
      `${dir}/scheduled`,
      options.scheduled,
      Math.round(events / models),
      workers,
    );
    return {
      events,
      models,
      one,
      fleet,
      ratio: fleet.eventsPerSecond / one.eventsPerSecond,
      kibPerModel: Math.max(0, fleet.heapBytes - one.heapBytes) / Math.max(1, models - 1) / 1024,
      retrain,
      scheduled,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The engine alone over `stream`, with one model for every key or one model per key. */
async function timeEngine(
  base: RetuneConfig,
  dir: string,
  stream: StreamEvent[],
  artifact: Uint8Array,
  models: number,
): Promise<EngineRun> {
  const perLane = Math.max(1, Math.floor(stream.length / models / 2));
  const config: RetuneConfig = {
    ...base,
    storage: { ...base.storage, dir },
    engine: { ...base.engine, report: { everyEvents: perLane } },
    models: models === 1 ? undefined : Array.from({ length: models }, (_, i) => ({
      name: `m${String(i).padStart(4, "0")}`,
      select: { keys: [`k${i}`] },
    })),
  };
  const system = await RetuneSystem.build({ config, roles: ["engine"] });
  try {
    for (const { env } of system.models) {
      const artifactUri = await env.artifacts.put("models", "v0.json", artifact);
      await env.catalog.record({
        version: 0,
        artifactUri,
        creationMethod: "initial",
        params: env.config.model.initialParams,
        metrics: {
          tp: 0,
          tn: 0,
          fp: 0,
          fn: 0,
          precision: 0,
          recall: 0,
          f1: 0,
          specificity: 0,
          mcc: 0,
        },
        datasetVersion: -1,
        productionMs: 0,
        createdAt: Date.now(),
      });
    }
    const topic = system.env.topics.input;
    const records = inputRecords(
      stream,
      new KeyPartitioner(await system.transport.partitions(topic)),
    );
    await system.start();
    await until(() => system.view("engine").swaps.length >= models, "every lane has its model");
    const started = performance.now();
    await system.transport.publish(topic, records);
    await until(() => system.view("engine").eventsProcessed >= stream.length, "every event done");
    const seconds = (performance.now() - started) / 1000;
    collectGarbage?.();
    return {
      models,
      seconds,
      eventsPerSecond: stream.length / seconds,
      heapBytes: Deno.memoryUsage().heapUsed,
    };
  } finally {
    await system.stop();
  }
}

/** Retrains every model on its key's events through the shared fair pool. */
async function timeRetrain(
  base: RetuneConfig,
  dir: string,
  stream: StreamEvent[],
  models: number,
  workers: number,
): Promise<FleetBenchResult["retrain"]> {
  const artifacts = new FilesystemArtifactStore(`${dir}/artifacts`);
  const byKey = new Map<string, StreamEvent[]>();
  for (const event of stream) {
    let events = byKey.get(event.key);
    if (events === undefined) byKey.set(event.key, events = []);
    events.push(event);
  }
  const spec = await modelSpecOf(base.model, dir);
  const scheme = { kind: "walk_forward" as const, folds: 5 };
  const jobs: { model: string; job: TrainingJob }[] = [];
  for (let i = 0; i < models; i++) {
    const model = `m${String(i).padStart(4, "0")}`;
    const datasetUri = await artifacts.put(
      "datasets",
      `${model}.jsonl`,
      encodeDataset(byKey.get(`k${i}`)!),
    );
    jobs.push({
      model,
      job: {
        model: spec,
        storage: { kind: "fs", buckets: `${dir}/buckets`, artifacts: `${dir}/artifacts` },
        datasetUri,
        scheme,
        params: base.model.initialParams,
        settings: { ...base.model.forecast, threshold: base.model.initialParams.threshold },
        fitFull: true,
      },
    });
  }
  const pool = new WorkerPool<TrainingJob, TrainingResult>(
    new URL("../actors/factory/training_worker.ts", import.meta.url),
    workers,
  );
  const fair = new FairPool((job: TrainingJob) => pool.run(job), {
    size: workers,
    perModel: 1,
    release: () => pool.close(),
  });
  try {
    const started = performance.now();
    await Promise.all(jobs.map(({ model, job }) => fair.run(model, job)));
    const seconds = (performance.now() - started) / 1000;
    return {
      models,
      workers,
      evaluation: "walk_forward, 5 splits",
      eventsPerModel: Math.round(stream.length / models),
      seconds,
      modelsPerSecond: models / seconds,
    };
  } finally {
    fair.close();
  }
}

/**
 * A fleet of `models` in one embedded process of every role but the observer, on a stream of
 * `eventsPerModel` per model whose schedule ticks once, at 80% of its stream time, on a window
 * of all of it: how long until every model's initial version, then from the first tick until
 * every model shipped its scheduled retrain.
 */
async function timeScheduledRetrain(
  base: RetuneConfig,
  dir: string,
  models: number,
  eventsPerModel: number,
  workers: number,
): Promise<FleetBenchResult["scheduled"]> {
  await Deno.mkdir(dir, { recursive: true });
  const input = `${dir}/stream.csv`;
  await generate({
    out: input,
    format: "csv",
    options: {
      events: models * eventsPerModel,
      keys: models,
      seed: 1,
      driftAt: [],
      regimes: [REGIMES.runs],
    },
  });
  // One event per key every second of stream time (`driftStream`'s step).
  const spanMs = eventsPerModel * 1_000;
  const config: RetuneConfig = {
    ...base,
    storage: { ...base.storage, dir },
    model: { ...base.model, initialTraining: { events: Math.ceil(eventsPerModel / 4) } },
    engine: { ...base.engine, report: { everyEvents: eventsPerModel } },
    collector: {
      ...base.collector,
      bucket: { byEvents: Math.ceil(eventsPerModel / 5) },
      keep: 10,
      schedule: { every: Math.floor(spanMs * 0.8), window: spanMs },
    },
    factory: {
      ...base.factory,
      concurrency: workers,
      modelConcurrency: 1,
      evaluation: { kind: "walk_forward", folds: 5 },
    },
    models: Array.from({ length: models }, (_, i) => ({
      name: `m${String(i).padStart(4, "0")}`,
      select: { keys: [`k${i}`] },
    })),
  };
  const system = await RetuneSystem.build({
    config,
    roles: SERVICE_ROLES,
    without: ["observer", "serving"],
    input,
  });
  const shipped = (least: number) =>
    system.viewsOf("factory").every((view) => view.modelsShipped.length >= least);
  try {
    const started = performance.now();
    await system.start();
    await until(() => shipped(1), "every model's initial version", POLL_MS);
    const initialSeconds = (performance.now() - started) / 1000;
    await until(
      () => system.viewsOf("collector").some((view) => view.retrainsScheduled > 0),
      "the first schedule tick",
      POLL_MS,
    );
    const ticked = performance.now();
    await until(() => shipped(2), "every model's scheduled retrain", POLL_MS);
    const seconds = (performance.now() - ticked) / 1000;
    return {
      models,
      workers,
      evaluation: "walk_forward, 5 splits",
      eventsPerModel,
      initialSeconds,
      seconds,
      modelsPerSecond: models / seconds,
    };
  } finally {
    await system.stop();
  }
}

/** The stream as input records of up to `BATCH_EVENTS` events, one per partition per slice. */
function inputRecords(stream: StreamEvent[], partitioner: KeyPartitioner): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  for (let from = 0; from < stream.length; from += BATCH_EVENTS) {
    for (const group of partitioner.groupByPartition(stream.slice(from, from + BATCH_EVENTS))) {
      records.push({ key: group[0].key, value: encodeData("StreamEventBatch", { events: group }) });
    }
  }
  return records;
}

/**
 * Waits until `condition` holds, testing it every `everyMs` (a fleet's views cost a read of
 * every model: the scheduled run tests them less often, not to take the roles' CPU).
 */
async function until(condition: () => boolean, what: string, everyMs = 5): Promise<void> {
  const deadline = performance.now() + RUN_DEADLINE_MS;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`not done within ${RUN_DEADLINE_MS} ms: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The run with the highest rate (the one least disturbed by the machine's other work). */
function best(runs: EngineRun[]): EngineRun {
  return runs.reduce((a, b) => b.eventsPerSecond > a.eventsPerSecond ? b : a);
}

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new RangeError(`${name} must be a positive integer: current value is ${value}`);
  }
  return number;
}

function table(result: FleetBenchResult): string {
  const { one, fleet, retrain, scheduled } = result;
  const rate = (run: EngineRun) =>
    `${Math.round(run.eventsPerSecond).toLocaleString("en")} events/s`;
  return [
    `engine over ${result.events.toLocaleString("en")} events:`,
    `  1 model:       ${rate(one)} (${one.seconds.toFixed(2)} s)`,
    `  ${String(fleet.models).padEnd(5)} models:  ${rate(fleet)} (${
      fleet.seconds.toFixed(2)
    } s), ` +
    `${result.ratio.toFixed(2)}x the one model's`,
    `heap per extra model: ${result.kibPerModel.toFixed(0)} KiB`,
    `retrain of ${retrain.models} models (${retrain.eventsPerModel} events each, ${retrain.evaluation}) ` +
    `on ${retrain.workers} workers: ${retrain.seconds.toFixed(2)} s ` +
    `(${retrain.modelsPerSecond.toFixed(0)} models/s)`,
    scheduledLine(scheduled),
  ].join("\n");
}

function scheduledLine(scheduled: FleetBenchResult["scheduled"]): string {
  return `scheduled retrain of ${scheduled.models} models (${scheduled.eventsPerModel} events ` +
    `each, ${scheduled.evaluation}) through collector ticks, optimisers and factories on ` +
    `${scheduled.workers} workers: ${scheduled.seconds.toFixed(2)} s from the first tick ` +
    `(${scheduled.modelsPerSecond.toFixed(1)} models/s); initial versions after ` +
    `${scheduled.initialSeconds.toFixed(2)} s`;
}

if (import.meta.main) await run(Deno.args);
