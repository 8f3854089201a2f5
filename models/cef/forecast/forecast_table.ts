/**
 * The forecast for every (context, DFA state) pair, computed the first time a run reaches the
 * pair and then looked up, so the forecaster's hot loop is a table read.
 *
 * Two modes:
 * - interval: the shortest interval reaching the threshold (see `shortestInterval`) is a positive
 *   forecast if its spread e - s is at most maxSpread. Otherwise the forecast is NEGATIVE: "no
 *   match expected with enough confidence", over the window [1, horizon], with the probability
 *   of a match within that window.
 * - classification: "a match within the next k events", over [1, k], positive when its
 *   probability reaches the threshold.
 * - argmax (Wayeb's): like interval, but the interval grows around the most likely point (see
 *   `argmaxInterval`) instead of being the shortest.
 * Windows are in events ahead; the forecaster adds the run's counter.
 *
 * @module
 */

import type { ForecastSettings } from "../../model.ts";
import { argmaxInterval, probabilityWithin, shortestInterval } from "./interval.ts";
import type { WaitingTimes } from "./waiting_time.ts";

/** How a waiting-time distribution becomes a forecast. */
export type ForecastMode =
  | { kind: "interval" }
  | { kind: "argmax" }
  | { kind: "classification"; within: number };

const UNKNOWN = 0;
const POSITIVE = 1;
const NEGATIVE = 2;

/** Lazily filled forecasts per pair = context * stateCount + state. */
export class ForecastTable {
  readonly settings: ForecastSettings;
  readonly mode: ForecastMode;
  /** Window start and end, in events ahead. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly probability: Float64Array;
  readonly #status: Uint8Array;
  readonly #waiting: WaitingTimes;
  readonly #stateCount: number;
  readonly #scratch: Float64Array;

  /** Forecasts from `waiting` for `pairCount` pairs of `stateCount` DFA states each context. */
  constructor(
    waiting: WaitingTimes,
    pairCount: number,
    stateCount: number,
    settings: ForecastSettings,
    mode: ForecastMode,
  ) {
    checkSettings(settings, waiting.horizon, mode);
    this.settings = settings;
    this.mode = mode;
    this.#waiting = waiting;
    this.#stateCount = stateCount;
    this.start = new Int32Array(pairCount);
    this.end = new Int32Array(pairCount);
    this.probability = new Float64Array(pairCount);
    this.#status = new Uint8Array(pairCount);
    this.#scratch = new Float64Array(waiting.horizon);
  }

  /** Whether the forecast of `pair` is positive, computing it on first use. */
  positive(pair: number): boolean {
    let status = this.#status[pair];
    if (status === UNKNOWN) status = this.#fill(pair);
    return status === POSITIVE;
  }

  #fill(pair: number): number {
    const context = (pair / this.#stateCount) | 0;
    const distribution = this.#waiting.distribution(
      context,
      pair - context * this.#stateCount,
      this.#scratch,
    );
    const { threshold, horizon, maxSpread } = this.settings;
    let start = 1;
    let end = horizon;
    let probability: number;
    let positive: boolean;
    if (this.mode.kind === "classification") {
      end = this.mode.within;
      probability = probabilityWithin(distribution, end);
      positive = probability >= threshold && probability > 0;
    } else {
      const interval = this.mode.kind === "argmax"
        ? argmaxInterval(distribution, threshold)
        : shortestInterval(distribution, threshold);
      positive = interval !== null && interval.end - interval.start <= maxSpread;
      if (positive) ({ start, end, probability } = interval!);
      else probability = probabilityWithin(distribution, horizon);
    }
    this.start[pair] = start;
    this.end[pair] = end;
    this.probability[pair] = probability;
    const status = positive ? POSITIVE : NEGATIVE;
    this.#status[pair] = status;
    return status;
  }
}

/** Throws a RangeError naming the first setting out of range. */
function checkSettings(
  settings: ForecastSettings,
  horizon: number,
  mode: ForecastMode,
): void {
  const { threshold, maxSpread } = settings;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be in [0, 1]: current value is ${threshold}`);
  }
  if (settings.horizon !== horizon) {
    throw new RangeError(
      `horizon must equal the waiting times' horizon ${horizon}: current value is ${settings.horizon}`,
    );
  }
  if (!Number.isInteger(maxSpread) || maxSpread < 0) {
    throw new RangeError(`maxSpread must be an integer >= 0: current value is ${maxSpread}`);
  }
  if (
    mode.kind === "classification" &&
    !(Number.isInteger(mode.within) && mode.within >= 1 && mode.within <= horizon)
  ) {
    throw new RangeError(
      `within must be an integer in [1, horizon = ${horizon}]: current value is ${mode.within}`,
    );
  }
}
