/**
 * The difference policy: compares each batch MCC with the one before it. A drop greater than
 * `trainDrop` and at most `optimiseDrop` asks for a retrain; a drop greater than `optimiseDrop`
 * asks for an optimisation.
 *
 * The reference is the previous scored report of the same model version (consecutive reports, as
 * in RTCEF): a slow slide is the trend policy's business, this one reacts to sudden falls. After a
 * decision the reference is dropped, so the next comparison is between two reports that both
 * arrived after the instruction; a report from another model version also drops it, so a drop
 * never spans a model swap.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { batchScore, formatScore } from "./batch_score.ts";
import { requireNumberIn } from "../params.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";
import { z } from "zod";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";

const differenceStateSchema = z.strictObject({
  previous: z.number().nullable(),
  modelVersion: z.number().int().nullable(),
});

/** Parameters of the difference policy. */
export interface DifferenceParams {
  /** A drop above this (and at most `optimiseDrop`) means train, > 0. */
  trainDrop: number;
  /** A drop above this means optimise, > `trainDrop`. */
  optimiseDrop: number;
}

/** Reacts to a sudden fall of the batch MCC between consecutive reports. */
export class DifferencePolicy implements RetrainPolicy {
  readonly #params: DifferenceParams;
  #previous: number | null = null;
  #modelVersion: number | null = null;

  /** A policy with the given parameters, checked up front. */
  constructor(params: DifferenceParams) {
    requireNumberIn("difference", "trainDrop", params.trainDrop, [0, 2], "(]");
    requireNumberIn(
      "difference",
      "optimiseDrop",
      params.optimiseDrop,
      [params.trainDrop, 2],
      "(]",
    );
    this.#params = { ...params };
  }

  /** Compares the report's score with the previous one. */
  observe(report: MetricsReport): Decision | null {
    const score = batchScore(report);
    if (score === null) return null;
    if (report.modelVersion !== this.#modelVersion) {
      this.#modelVersion = report.modelVersion;
      this.#previous = null;
    }
    const previous = this.#previous;
    this.#previous = score;
    if (previous === null) return null;
    const drop = previous - score;
    const action = drop > this.#params.optimiseDrop
      ? "optimise"
      : drop > this.#params.trainDrop
      ? "train"
      : null;
    if (action === null) return null;
    this.#previous = null;
    const limit = action === "optimise"
      ? `> ${this.#params.optimiseDrop}`
      : `in (${this.#params.trainDrop}, ${this.#params.optimiseDrop}]`;
    return {
      action,
      reason: `batch MCC dropped ${formatScore(drop)} (${formatScore(previous)} -> ` +
        `${formatScore(score)}), ${limit}`,
    };
  }

  /** Forgets the reference score and model version. */
  reset(): void {
    this.#previous = null;
    this.#modelVersion = null;
  }

  /** The reference score and its model version. */
  snapshot(): PolicyState {
    return { previous: this.#previous, modelVersion: this.#modelVersion };
  }

  /** Takes up a state `snapshot` gave. */
  restore(state: PolicyState): void {
    const data = parsePolicyState("difference", differenceStateSchema, state);
    this.#previous = data.previous;
    this.#modelVersion = data.modelVersion;
  }
}
