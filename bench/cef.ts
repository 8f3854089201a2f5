/**
 * Native CEF benchmark on the maritime port-entering pattern. The AIS track of one vessel is
 * replicated over many partition keys (each key starts at a different point of the track, one
 * position a minute, keys interleaved by time) to at least a million events. It measures
 * - recognition only (the pattern compiler's `Recognizer`, second pass),
 * - recognition + forecasting with a PST of order 2 and 4 (training on the first 750,000
 *   events, timed), first pass (waiting times computed as pairs are reached) and warm pass
 *   (every forecast a table lookup),
 * - the forecasting/recognition throughput ratio;
 * - with `WAYEB_JAR` set, the same stream through the real Wayeb jar, side by side
 *   (`cef_wayeb.ts`).
 *
 * Run: deno run --allow-read bench/cef.ts [path/to/227592820.csv]
 * The default data file is ../shared/data/maritime/227592820.csv relative to the repository,
 * falling back to the bundled deploy/examples/maritime/vessel_227592820.csv.
 *
 * @module
 */

import type { StreamEvent } from "../core/events.ts";
import type { ForecastSettings } from "../models/model.ts";
import { CefModel } from "../models/cef/model.ts";
import { Recognizer } from "../models/cef/recognizer.ts";
import { MARITIME_SOURCE, readEvents } from "../models/sources/read.ts";
import { benchWayeb, type WayebFigures } from "./cef_wayeb.ts";

const REPOSITORY = new URL("../", import.meta.url);
const SHARED_DATA = new URL("../shared/data/maritime/227592820.csv", REPOSITORY);
const BUNDLED_DATA = new URL("deploy/examples/maritime/vessel_227592820.csv", REPOSITORY);
const EXAMPLES = new URL("deploy/examples/maritime/", REPOSITORY);

/** What to benchmark on. */
export interface CefBenchOptions {
  /** A Wayeb jar to run the same stream through (default: none). */
  wayebJar?: string;
  /** Maritime CSV file; default: the shared data set, else the bundled sample. */
  dataPath?: string;
  /** Least number of events of the replicated stream. Default 1,000,000. */
  events?: number;
  /** Number of partition keys. Default 128. */
  partitions?: number;
  /** Events trained on. Default 750,000. */
  trainEvents?: number;
  /** PST orders to forecast with. Default [2, 4]. */
  orders?: number[];
}

/** Forecasting throughput with one PST. */
export interface ForecastingFigures {
  order: number;
  treeNodes: number;
  trainSeconds: number;
  firstPassEventsPerSecond: number;
  warmEventsPerSecond: number;
  /** Warm forecasting throughput over recognition throughput. */
  ratioToRecognition: number;
}

/** The benchmark's measurements. */
export interface CefBenchResult {
  dataPath: string;
  events: number;
  partitions: number;
  matches: number;
  trainEvents: number;
  recognitionEventsPerSecond: number;
  forecasting: ForecastingFigures[];
  /** The same stream through Wayeb, when a jar was given. */
  wayeb: WayebFigures | null;
}

const SETTINGS: ForecastSettings = { threshold: 0.5, horizon: 200, maxSpread: 200 };

/** Runs the benchmark. */
export async function benchCef(options: CefBenchOptions = {}): Promise<CefBenchResult> {
  const target = options.events ?? 1_000_000;
  const partitions = options.partitions ?? 128;
  const trainEvents = options.trainEvents ?? 750_000;
  const orders = options.orders ?? [2, 4];
  const dataPath = options.dataPath ?? await defaultDataPath();
  const { events: track } = await readEvents(dataPath, MARITIME_SOURCE);
  if (track.length === 0) {
    throw new RangeError(`dataPath has no events: current value is ${dataPath}`);
  }
  const stream = replicate(track, target, partitions);

  const model = new CefModel({
    kind: "pst",
    pattern: await Deno.readTextFile(new URL("port_entering.pattern", EXAMPLES)),
    declarations: await Deno.readTextFile(new URL("port_entering.declarations", EXAMPLES)),
  });

  const recognizer = new Recognizer(model.compiled);
  let matches = 0;
  // The first pass counts the matches and warms the JIT up; the second is timed.
  for (const event of stream) if (recognizer.step(event).detection) matches++;
  const recognitionSeconds = timed(() => {
    for (const event of stream) recognizer.step(event);
  });
  const recognitionEventsPerSecond = stream.length / recognitionSeconds;

  const forecasting: ForecastingFigures[] = [];
  for (const order of orders) {
    const started = performance.now();
    const artifact = await model.train(stream.slice(0, trainEvents), {
      order,
      threshold: SETTINGS.threshold,
      pMin: 0.001,
      gamma: 0.001,
      alpha: 0,
      r: 1.05,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const forecaster = await model.load(artifact, SETTINGS, 1);
    const pass = () => {
      for (const event of stream) forecaster.process(event);
    };
    const firstPassSeconds = timed(pass);
    const warmSeconds = timed(pass);
    const warmEventsPerSecond = stream.length / warmSeconds;
    forecasting.push({
      order,
      treeNodes: artifact.kind === "pst" ? artifact.tree.nodes.length : 0,
      trainSeconds,
      firstPassEventsPerSecond: stream.length / firstPassSeconds,
      warmEventsPerSecond,
      ratioToRecognition: warmEventsPerSecond / recognitionEventsPerSecond,
    });
  }
  const wayeb = options.wayebJar === undefined ? null : await benchWayeb({
    jar: options.wayebJar,
    pattern: await Deno.readTextFile(new URL("port_entering.pattern", EXAMPLES)),
    declarations: await Deno.readTextFile(new URL("port_entering.declarations", EXAMPLES)),
    stream,
    trainEvents,
    settings: SETTINGS,
  });
  return {
    wayeb,
    dataPath,
    events: stream.length,
    partitions,
    matches,
    trainEvents,
    recognitionEventsPerSecond,
    forecasting,
  };
}

/**
 * At least `target` events over `partitions` keys: key j replays the track cyclically from
 * offset j * |track| / partitions, one position a minute from a common start; the stream
 * interleaves the keys in time order.
 */
export function replicate(
  track: readonly StreamEvent[],
  target: number,
  partitions: number,
): StreamEvent[] {
  const perKey = Math.ceil(target / partitions);
  const start = track[0].timestamp;
  const stream: StreamEvent[] = [];
  for (let i = 0; i < perKey; i++) {
    for (let j = 0; j < partitions; j++) {
      const source = track[(Math.floor((j * track.length) / partitions) + i) % track.length];
      stream.push({
        key: `vessel-${j}`,
        timestamp: start + i * 60_000,
        type: source.type,
        attributes: source.attributes,
      });
    }
  }
  return stream;
}

async function defaultDataPath(): Promise<string> {
  for (const candidate of [SHARED_DATA, BUNDLED_DATA]) {
    try {
      await Deno.stat(candidate);
      return candidate.pathname;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `no maritime data: pass a path, or provide ${SHARED_DATA.pathname} or ${BUNDLED_DATA.pathname}`,
  );
}

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

if (import.meta.main) {
  const result = await benchCef({ dataPath: Deno.args[0], wayebJar: Deno.env.get("WAYEB_JAR") });
  const rate = (eventsPerSecond: number) => `${Math.round(eventsPerSecond).toLocaleString("en")}/s`;
  console.log(`data: ${result.dataPath}`);
  console.log(
    `stream: ${
      result.events.toLocaleString("en")
    } events over ${result.partitions} keys, ${result.matches} matches`,
  );
  console.log(`recognition only: ${rate(result.recognitionEventsPerSecond)}`);
  for (const f of result.forecasting) {
    console.log(
      `PST m=${f.order} (${f.treeNodes} nodes): train on ${
        result.trainEvents.toLocaleString("en")
      } events ${f.trainSeconds.toFixed(2)} s; forecasting first pass ${
        rate(f.firstPassEventsPerSecond)
      }, warm ${rate(f.warmEventsPerSecond)} (${
        (f.ratioToRecognition * 100).toFixed(0)
      }% of recognition)`,
    );
  }
  const w = result.wayeb;
  if (w !== null) {
    console.log(
      `Wayeb 0.6 (WAYEB_JAR), same stream: recognition ${rate(w.recognitionEventsPerSecond)} ` +
        `(${w.matches} matches; ${w.recognitionWallSeconds.toFixed(1)} s wall with the JVM and ` +
        `file reading); PST m=2: learnSPST ${w.trainWallSeconds.toFixed(1)} s wall, forecasting ` +
        `${rate(w.forecastingEventsPerSecond)} (${w.forecastingWallSeconds.toFixed(1)} s wall)`,
    );
  }
}
