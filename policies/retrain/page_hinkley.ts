/**
 * A Page-Hinkley test for a decrease of the batch MCC (Page 1954; Hinkley 1971), as formulated
 * for data streams (Gama et al., "A survey on concept drift adaptation", 2014). Over the scores
 * x_1..x_t of the current model:
 *
 *   mean_t = (x_1 + ... + x_t) / t
 *   S_t    = alpha * S_(t-1) + (x_t - mean_t + delta),   S_0 = 0
 *   M_t    = max(S_1, ..., S_t)
 *   decrease detected when M_t - S_t > lambda
 *
 * `delta` is the decline per report tolerated as noise, `lambda` the evidence needed, `alpha` in
 * (0, 1] a forgetting factor on the cumulative sum (1: the classic test). A first detection asks
 * for a retrain and opens a guard of `guard` reports; a detection inside the guard asks for an
 * optimisation. After a detection, and when a report comes from another model version, the
 * detector starts afresh, so it learns the level of the model it now judges; the guard keeps
 * counting across the swap.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { batchScore, formatScore } from "./batch_score.ts";
import { Guard } from "./guard.ts";
import { requireInteger, requireNumberIn } from "../params.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";
import { z } from "zod";
import { guardStateSchema } from "./guard.ts";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";

const pageHinkleyStateSchema = z.strictObject({
  modelVersion: z.number().int().nullable(),
  count: z.number().int().nonnegative(),
  mean: z.number(),
  sum: z.number(),
  /** Null before the first score (the maximum of nothing, -Infinity, is not JSON). */
  max: z.number().nullable(),
  guard: guardStateSchema,
});

/** Parameters of the Page-Hinkley policy. */
export interface PageHinkleyParams {
  /** Tolerated decline per report, >= 0. */
  delta: number;
  /** Alarm threshold on the cumulative decline, > 0. */
  lambda: number;
  /** Forgetting factor of the cumulative sum, in (0, 1]. */
  alpha: number;
  /** Scored reports after a retrain during which a further detection means optimise, >= 0. */
  guard: number;
}

/** Detects a drop in the mean batch MCC. */
export class PageHinkleyPolicy implements RetrainPolicy {
  readonly #params: PageHinkleyParams;
  readonly #guard: Guard;
  #modelVersion: number | null = null;
  #count = 0;
  #mean = 0;
  #sum = 0;
  #max = -Infinity;

  /** A policy with the given parameters, checked up front. */
  constructor(params: PageHinkleyParams) {
    requireNumberIn("page_hinkley", "delta", params.delta, [0, 2]);
    requireNumberIn("page_hinkley", "lambda", params.lambda, [0, Infinity], "()");
    requireNumberIn("page_hinkley", "alpha", params.alpha, [0, 1], "(]");
    requireInteger("page_hinkley", "guard", params.guard, 0);
    this.#params = { ...params };
    this.#guard = new Guard(params.guard);
  }

  /** Updates the test with the report's score. */
  observe(report: MetricsReport): Decision | null {
    const score = batchScore(report);
    if (score === null) return null;
    if (report.modelVersion !== this.#modelVersion) {
      this.#modelVersion = report.modelVersion;
      this.#restart();
    }
    const { alpha, delta, lambda } = this.#params;
    this.#count++;
    this.#mean += (score - this.#mean) / this.#count;
    this.#sum = alpha * this.#sum + (score - this.#mean + delta);
    this.#max = Math.max(this.#max, this.#sum);
    const statistic = this.#max - this.#sum;
    const action = this.#guard.step(statistic > lambda);
    if (action === null) return null;
    const mean = this.#mean;
    this.#restart();
    const again = this.#guard.note(action);
    return {
      action,
      reason: `Page-Hinkley detected a decrease${again}: statistic ${formatScore(statistic)} > ` +
        `lambda ${lambda} (batch MCC ${formatScore(score)}, mean ${formatScore(mean)})`,
    };
  }

  /** Forgets the detector, the model version and the guard. */
  reset(): void {
    this.#modelVersion = null;
    this.#restart();
    this.#guard.reset();
  }

  /** The detector, its model version and the guard. */
  snapshot(): PolicyState {
    return {
      modelVersion: this.#modelVersion,
      count: this.#count,
      mean: this.#mean,
      sum: this.#sum,
      max: this.#max === -Infinity ? null : this.#max,
      guard: this.#guard.snapshot(),
    };
  }

  /** Takes up a state `snapshot` gave. */
  restore(state: PolicyState): void {
    const data = parsePolicyState("page_hinkley", pageHinkleyStateSchema, state);
    this.#modelVersion = data.modelVersion;
    this.#count = data.count;
    this.#mean = data.mean;
    this.#sum = data.sum;
    this.#max = data.max ?? -Infinity;
    this.#guard.restore(data.guard);
  }

  #restart(): void {
    this.#count = 0;
    this.#mean = 0;
    this.#sum = 0;
    this.#max = -Infinity;
  }
}
