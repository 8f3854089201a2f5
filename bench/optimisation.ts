/**
 * Optimisation benchmark: the wall time of one hyper-parameter optimisation through the real
 * roles. A Factory and an Optimiser run under the supervisor of a `RetuneSystem` (in-process
 * transport and registry, filesystem stores in a temporary folder). The dataset is four weeks of
 * maritime stream, about 3 million events: the bundled vessel's track replicated over many keys
 * (`replicate` of `bench/cef.ts`: one position a minute per key, each key from another point of the
 * track). It reaches the factory the way the collector hands it over: one-week buckets in the
 * bucket store, registered in the ledger, a dataset version chosen by the configured collection
 * policy, announced in the ledger and on the datasetVersions topic. Once the factory reports it
 * assembled, an `optimise` instruction goes to the optimiser and the clock runs until the
 * optimiser records the finished job: RTCEF's budget (20 evaluations, 10 initial points, GP-hedge)
 * over threshold, order, pMin and gamma, each candidate trained and tested on held-out data in the
 * factory's workers, then the best fitted on the whole dataset and shipped.
 *
 * Run: `deno task bench optimisation -- [--concurrency=1,2] [--events=3000000] [--data=file.csv]`
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import type { BucketRef, DatasetAssembled, DatasetVersion } from "../core/versions.ts";
import type { MessageType, PayloadTypes } from "../protocol/messages.ts";
import type { StreamEvent } from "../core/events.ts";
import { decodeEnvelope, encodeEnvelope, newEnvelope } from "../protocol/codec.ts";
import { defaultConfig } from "../config/load.ts";
import type { RetuneConfig } from "../config/schema.ts";
import { setupLogging } from "../logging/setup.ts";
import type { BucketMeta } from "../policies/collection/collection_policy.ts";
import { createCollectionPolicy } from "../config/build_policies.ts";
import { MARITIME_SOURCE, readEvents } from "../models/sources/read.ts";
import { RetuneSystem } from "../actors/system.ts";
import { replicate } from "./cef.ts";

const BUNDLED_DATA = new URL("../deploy/examples/maritime/vessel_227592820.csv", import.meta.url);
const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;
const WEEKS = 4;
/** Events appended to a bucket at a time, as the collector appends a consumed batch. */
const APPEND_BATCH = 10_000;
/** Longest wait for the factory to assemble the dataset or the optimiser to finish. */
const PATIENCE_MS = 30 * 60_000;
/** Median wall time of one optimisation in the reference system (port pattern). */
const RTCEF_MEDIAN_SECONDS = 4_580;

/** What to benchmark on. */
export interface OptimisationBenchOptions {
  /** Maritime CSV file. Default: the bundled vessel track. */
  dataPath?: string;
  /** Least number of events over the four weeks. Default 3,000,000. */
  events?: number;
  /** Factory worker concurrency of each run (steps in flight too). Default [1, 2]. */
  concurrencies?: number[];
}

/** One timed optimisation. */
export interface OptimisationFigures {
  concurrency: number;
  evaluations: number;
  wallSeconds: number;
  secondsPerEvaluation: number;
  /** CPU seconds of the whole process (every thread, workers included) over the wall time. */
  cpuSeconds: number;
  /** Held-out MCC of the best candidate. */
  bestMcc: number;
  bestParams: string;
  /** Seconds the factory took to assemble the dataset from its buckets (not in the wall time). */
  assemblySeconds: number;
}

/** The benchmark's measurements. */
export interface OptimisationBenchResult {
  dataPath: string;
  events: number;
  keys: number;
  runs: OptimisationFigures[];
}

/** Prints the figures of `benchOptimisation` for the parsed `args`. */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      concurrency: { type: "string", default: "1,2" },
      events: { type: "string", default: "3000000" },
      data: { type: "string" },
    },
  });
  setupLogging({ level: "warning", format: "text" });
  const result = await benchOptimisation({
    dataPath: values.data,
    events: Number(values.events),
    concurrencies: values.concurrency.split(",").map(Number),
  });
  console.log(`data: ${result.dataPath}`);
  console.log(
    `dataset: ${result.events.toLocaleString("en")} events over ${result.keys} keys, ` +
      `${WEEKS} weeks of stream time in ${WEEKS} one-week buckets`,
  );
  const load = Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
  console.log(`${navigator.hardwareConcurrency} cores, load average at the end ${load}`);
  console.log(
    "workers  evals  wall s  s/eval   cpu s  best held-out MCC  best params  (assembly s)",
  );
  for (const r of result.runs) {
    console.log(
      [
        String(r.concurrency).padStart(7),
        String(r.evaluations).padStart(6),
        r.wallSeconds.toFixed(1).padStart(7),
        r.secondsPerEvaluation.toFixed(2).padStart(7),
        r.cpuSeconds.toFixed(1).padStart(7),
        r.bestMcc.toFixed(3).padStart(18),
        ` ${r.bestParams}  (${r.assemblySeconds.toFixed(1)})`,
      ].join(" "),
    );
  }
  console.log(`reference system (RTCEF): median ${RTCEF_MEDIAN_SECONDS.toLocaleString("en")} s`);
  const command = ["deno task bench optimisation", ...(args.length > 0 ? ["--", ...args] : [])];
  console.log(`command: ${command.join(" ")}`);
}

/** Runs one optimisation per concurrency, each on a fresh system and folder. */
export async function benchOptimisation(
  options: OptimisationBenchOptions = {},
): Promise<OptimisationBenchResult> {
  const target = options.events ?? 3_000_000;
  const concurrencies = options.concurrencies ?? [1, 2];
  const dataPath = options.dataPath ?? BUNDLED_DATA.pathname;
  if (!Number.isSafeInteger(target) || target < 1) {
    throw new RangeError(`events must be a positive integer: current value is ${target}`);
  }
  for (const concurrency of concurrencies) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(
        `concurrency must be a positive integer: current value is ${concurrency}`,
      );
    }
  }
  const { events: track } = await readEvents(dataPath, MARITIME_SOURCE);
  if (track.length === 0) {
    throw new RangeError(`dataPath has no events: current value is ${dataPath}`);
  }
  // One position a minute per key: as many keys as it takes to reach `target` in four weeks.
  const perKey = (WEEKS * WEEK_MS) / MINUTE_MS;
  const keys = Math.ceil(target / perKey);
  const stream = replicate(track, keys * perKey, keys);
  const runs: OptimisationFigures[] = [];
  for (const concurrency of concurrencies) runs.push(await timeOptimisation(stream, concurrency));
  return { dataPath, events: stream.length, keys, runs };
}

/** Builds a factory + optimiser system in a temporary folder, feeds it `stream`, optimises. */
async function timeOptimisation(
  stream: readonly StreamEvent[],
  concurrency: number,
): Promise<OptimisationFigures> {
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-optimisation-" });
  const system = await RetuneSystem.build({
    config: configFor(dir, concurrency),
    roles: ["factory", "optimiser"],
  });
  try {
    await system.start();
    const assemblyStarted = performance.now();
    await handOver(system, stream);
    const assemblySeconds = (performance.now() - assemblyStarted) / 1000;

    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await publish(system, system.env.topics.instructions, "Instruction", {
      action: "optimise",
      reason: "benchmark",
      reportId: 0,
    });
    await until(
      () => system.view("optimiser").jobs.length > 0,
      system,
      "the optimiser records the job",
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);

    const optimiser = system.view("optimiser");
    const [job] = optimiser.jobs;
    if (job.status !== "completed") {
      throw new Error(`optimisation with ${concurrency} workers ${job.status}: ${job.reason}`);
    }
    const best = optimiser.previous.reduce((top, e) => (e.mcc > top.mcc ? e : top));
    const { order, threshold, pMin, gamma } = best.params;
    return {
      concurrency,
      evaluations: job.evaluations,
      wallSeconds,
      secondsPerEvaluation: wallSeconds / job.evaluations,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      bestMcc: best.mcc,
      bestParams: `order ${order}, threshold ${threshold.toFixed(3)}, pMin ${
        pMin.toExponential(1)
      }, gamma ${gamma.toExponential(1)}`,
      assemblySeconds,
    };
  } finally {
    await system.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The embedded default configuration, stored in `dir`, with `concurrency` factory workers. */
function configFor(dir: string, concurrency: number): RetuneConfig {
  const config = defaultConfig();
  return {
    ...config,
    storage: { ...config.storage, dir },
    factory: { ...config.factory, concurrency },
  };
}

/**
 * Does the collector's part: writes the stream into one-week buckets, registers them, announces
 * the dataset version the collection policy chooses, and waits until the factory assembled it.
 */
async function handOver(system: RetuneSystem, stream: readonly StreamEvent[]): Promise<void> {
  const { buckets, ledger, config, topics } = system.env;
  const closed: BucketMeta[] = [];
  const start = stream[0].timestamp;
  for (let from = 0; from < stream.length;) {
    const id = Math.floor((stream[from].timestamp - start) / WEEK_MS);
    let to = from;
    while (to < stream.length && Math.floor((stream[to].timestamp - start) / WEEK_MS) === id) to++;
    for (let i = from; i < to; i += APPEND_BATCH) {
      await buckets.append(id, stream.slice(i, Math.min(i + APPEND_BATCH, to)));
    }
    await buckets.close(id);
    await ledger.registerBucket(id);
    closed.push({
      id,
      streamTimeStart: stream[from].timestamp,
      streamTimeEnd: stream[to - 1].timestamp,
      events: to - from,
      score: null,
    });
    from = to;
  }
  const refs: BucketRef[] = createCollectionPolicy(config.collector.policy).select(closed);
  const chosen = closed.filter((bucket) => refs.some((ref) => ref.bucket === bucket.id));
  const version: DatasetVersion = {
    version: 0,
    buckets: refs,
    firstBucket: chosen[0].id,
    lastBucket: chosen.at(-1)!.id,
    streamTimeStart: chosen[0].streamTimeStart,
    streamTimeEnd: chosen.at(-1)!.streamTimeEnd,
    createdAt: Date.now(),
  };
  const assembled: DatasetAssembled[] = [];
  const watch = await system.transport.subscribe({
    group: `bench.assembled.${crypto.randomUUID()}`,
    topics: [topics.datasetsAssembled],
    handler: (records) => {
      for (const record of records) {
        const envelope = decodeEnvelope(record.value);
        if (envelope.type === "DatasetAssembled") assembled.push(envelope.payload);
      }
      return Promise.resolve();
    },
  });
  try {
    await ledger.announce(version);
    await publish(system, topics.datasetVersions, "DatasetVersion", version);
    await until(() => assembled.length > 0, system, "the factory assembles the dataset");
    const [{ events }] = assembled;
    if (events !== stream.length) {
      throw new Error(`the factory assembled ${events} of ${stream.length} events`);
    }
  } finally {
    await watch.stop();
  }
}

/** Publishes one envelope from outside the roles, as another role would. */
async function publish<T extends MessageType>(
  system: RetuneSystem,
  topic: string,
  type: T,
  payload: PayloadTypes[T],
): Promise<void> {
  const envelope = newEnvelope(type, "bench", payload);
  await system.transport.publish(topic, [{ key: null, value: encodeEnvelope(envelope) }]);
}

/** Polls `condition` every 50 ms; fails naming `what` if the system stops or time runs out. */
async function until(condition: () => boolean, system: RetuneSystem, what: string): Promise<void> {
  let stopped = false;
  system.done.finally(() => stopped = true).catch(() => {});
  const deadline = performance.now() + PATIENCE_MS;
  while (!condition()) {
    if (stopped) throw new Error(`the system stopped before ${what}`);
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
