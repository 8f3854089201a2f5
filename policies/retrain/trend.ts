/**
 * RTCEF's regression policy, the default: fit a least-squares line to the last `k` batch MCCs
 * and treat a slope below `slopeThreshold` as a decline. A first decline asks for a retrain and
 * opens a guard of `guard` reports; a decline inside the guard means the retrain did not help and
 * asks for an optimisation.
 *
 * After a decision the window is cleared, so the next line is fitted to `k` reports that all
 * arrived after the instruction; with the defaults (k = 3, guard = 4) the 3rd and 4th scored
 * reports after a retrain can still escalate it to an optimisation. A report from another model
 * version also restarts the window, so the line never spans a model swap; the guard keeps
 * counting across the swap. Unlike RTCEF, no line is fitted to fewer than `k` reports.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { batchScore, formatScore } from "./batch_score.ts";
import { z } from "zod";
import { Guard, guardStateSchema } from "./guard.ts";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";
import { requireInteger, requireNumberIn } from "../params.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";

/** Parameters of the trend policy. */
export interface TrendParams {
  /** Reports the line is fitted to, >= 2. */
  k: number;
  /** A slope below this (per report, negative) is a decline. */
  slopeThreshold: number;
  /** Scored reports after a retrain during which a further decline means optimise, >= 0. */
  guard: number;
}

const trendStateSchema = z.strictObject({
  window: z.array(z.number()),
  modelVersion: z.number().int().nullable(),
  guard: guardStateSchema,
});

/** Retrains on a declining trend of the batch MCC, optimises when it declines again soon after. */
export class TrendPolicy implements RetrainPolicy {
  readonly #params: TrendParams;
  readonly #guard: Guard;
  #window: number[] = [];
  #modelVersion: number | null = null;

  /** A policy with the given parameters, checked up front. */
  constructor(params: TrendParams) {
    requireInteger("trend", "k", params.k, 2);
    requireNumberIn("trend", "slopeThreshold", params.slopeThreshold, [-Infinity, 0], "()");
    requireInteger("trend", "guard", params.guard, 0);
    this.#params = { ...params };
    this.#guard = new Guard(params.guard);
  }

  /** Adds the report's score to the window and fits the line once the window is full. */
  observe(report: MetricsReport): Decision | null {
    const score = batchScore(report);
    if (score === null) return null;
    if (report.modelVersion !== this.#modelVersion) {
      this.#modelVersion = report.modelVersion;
      this.#window = [];
    }
    this.#window.push(score);
    if (this.#window.length > this.#params.k) this.#window.shift();
    const full = this.#window.length === this.#params.k;
    const slope = full ? leastSquaresSlope(this.#window) : 0;
    const action = this.#guard.step(full && slope < this.#params.slopeThreshold);
    if (action === null) return null;
    const scores = this.#window.map(formatScore).join(", ");
    this.#window = [];
    const again = this.#guard.note(action);
    return {
      action,
      reason: `batch MCC declined${again}: slope ${formatScore(slope)} of (${scores}) < ` +
        `${this.#params.slopeThreshold}`,
    };
  }

  /** Forgets the window, the model version and the guard. */
  reset(): void {
    this.#window = [];
    this.#modelVersion = null;
    this.#guard.reset();
  }

  /** The window, its model version and the guard. */
  snapshot(): PolicyState {
    return {
      window: [...this.#window],
      modelVersion: this.#modelVersion,
      guard: this.#guard.snapshot(),
    };
  }

  /** Takes up a state `snapshot` gave; a window longer than `k` is rejected. */
  restore(state: PolicyState): void {
    const data = parsePolicyState("trend", trendStateSchema, state);
    if (data.window.length > this.#params.k) {
      throw new RangeError(
        `trend policy state rejected: window: holds ${data.window.length} scores, more than k = ${this.#params.k}`,
      );
    }
    this.#window = data.window;
    this.#modelVersion = data.modelVersion;
    this.#guard.restore(data.guard);
  }
}

/** Slope of the least-squares line through (0, y0), (1, y1), ... */
export function leastSquaresSlope(ys: readonly number[]): number {
  if (ys.length < 2) {
    throw new RangeError(`ys must hold at least 2 values: current length is ${ys.length}`);
  }
  const meanX = (ys.length - 1) / 2;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  ys.forEach((y, x) => {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}
