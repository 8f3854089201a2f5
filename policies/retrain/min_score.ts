/**
 * The minimum-score rule: a batch MCC below `minScore` asks for an optimisation at once, whatever
 * the trend, because a model that bad needs new hyper-parameters rather than fresh data.
 *
 * After it fires, the rule holds off for the next `holdOff` scored reports of the same model
 * version (the optimisation it asked for is running, and the optimiser drops instructions while
 * busy); past that it asks again, in case the request was dropped or failed. A report from another
 * model version ends the hold at once: a new model is judged on its own.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { batchScore, formatScore } from "./batch_score.ts";
import { requireInteger, requireNumberIn } from "../params.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";
import { z } from "zod";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";

const minScoreStateSchema = z.strictObject({
  hold: z.strictObject({
    modelVersion: z.number().int(),
    left: z.number().int().nonnegative(),
  }).nullable(),
});

/** Parameters of the minimum-score rule. */
export interface MinScoreParams {
  /** A batch MCC below this means optimise; -1 never fires. */
  minScore: number;
  /** Scored reports of the same model version to stay quiet for after firing, >= 0. */
  holdOff: number;
}

/** Optimises as soon as the batch MCC falls below a floor. */
export class MinScorePolicy implements RetrainPolicy {
  readonly #params: MinScoreParams;
  #hold: { modelVersion: number; left: number } | null = null;

  /** A rule with the given parameters, checked up front. */
  constructor(params: MinScoreParams) {
    requireNumberIn("min_score", "minScore", params.minScore, [-1, 1]);
    requireInteger("min_score", "holdOff", params.holdOff, 0);
    this.#params = { ...params };
  }

  /** Fires on a score below the floor unless holding off after firing on this model. */
  observe(report: MetricsReport): Decision | null {
    const score = batchScore(report);
    if (score === null) return null;
    if (this.#hold !== null) {
      if (this.#hold.modelVersion === report.modelVersion && this.#hold.left > 0) {
        this.#hold.left--;
        return null;
      }
      this.#hold = null;
    }
    if (score >= this.#params.minScore) return null;
    this.#hold = { modelVersion: report.modelVersion, left: this.#params.holdOff };
    return {
      action: "optimise",
      reason: `batch MCC ${formatScore(score)} < minScore ${this.#params.minScore}`,
    };
  }

  /** Ends any hold. */
  reset(): void {
    this.#hold = null;
  }

  /** The hold under way, if any. */
  snapshot(): PolicyState {
    return { hold: this.#hold === null ? null : { ...this.#hold } };
  }

  /** Takes up a state `snapshot` gave. */
  restore(state: PolicyState): void {
    this.#hold = parsePolicyState("min_score", minScoreStateSchema, state).hold;
  }
}
