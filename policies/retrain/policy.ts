/**
 * Retrain policies: what the observer runs over the engine's metrics reports to decide when to
 * ask for a retrain (`train`: same hyper-parameters, fresh data) or a re-optimisation
 * (`optimise`: search the hyper-parameters again).
 *
 * Rules every policy here follows:
 * - A policy is stateful over the series of reports it is shown, in order, and `reset` returns
 *   it to its fresh state.
 * - A report with no forecast resolved in its batch (all confusion counts 0) is ignored entirely:
 *   it enters no window and counts toward no guard, because its MCC of 0 means "no data", not
 *   "bad model" (`batch_score.ts`).
 * - A policy judges one model at a time: a report from another model version than the one its
 *   window (or reference score, or detector) was built on starts that afresh, so a fitted line or
 *   a drop never spans a model swap. A guard survives the swap, since it exists to judge the
 *   model that the retrain produced.
 * - After a policy issues an instruction it clears what led to it, so the next decision rests
 *   only on reports that arrive after the instruction; it never repeats itself on the same
 *   evidence.
 *
 * The minimum-score rule (`min_score.ts`) is its own policy; the factory combines it with the
 * configured policy through `CompositePolicy`, where optimise beats train.
 *
 * @module
 */

import type { Instruction } from "../../protocol/messages.ts";
import type { MetricsReport } from "../../core/metrics_report.ts";
import { CompositePolicy } from "./composite.ts";
import { DIFFERENCE_DEFAULTS, DifferencePolicy } from "./difference.ts";
import { MIN_SCORE_DEFAULTS, MinScorePolicy } from "./min_score.ts";
import { PAGE_HINKLEY_DEFAULTS, PageHinkleyPolicy } from "./page_hinkley.ts";
import { TREND_DEFAULTS, TrendPolicy } from "./trend.ts";
import type { PolicyState } from "./policy_state.ts";

/** What a policy asks for, and why; the observer adds the triggering report's id. */
export type Decision = Pick<Instruction, "action" | "reason">;

/** A retrain policy: stateful over the metrics series, resettable. */
export interface RetrainPolicy {
  /** Takes the next report of the series; a decision means an instruction should be sent. */
  observe(report: MetricsReport): Decision | null;
  /** Forgets the series seen so far. */
  reset(): void;
  /** What it learnt from the series so far, as plain JSON data. */
  snapshot(): PolicyState;
  /**
   * Takes up a state `snapshot` gave on a policy of the same configuration; throws a RangeError
   * naming the first bad field (and then leaves its own state as it was).
   */
  restore(state: PolicyState): void;
}

/**
 * A retrain policy's configuration; omitted parameters take the reference system's defaults.
 * `trend`, `difference` and `page_hinkley` include the minimum-score rule (`minScore` -1 turns it
 * off, since no MCC is below -1).
 */
export type RetrainPolicyConfig =
  | { kind: "trend"; k?: number; slopeThreshold?: number; guard?: number; minScore?: number }
  | { kind: "difference"; trainDrop?: number; optimiseDrop?: number; minScore?: number }
  | {
    kind: "page_hinkley";
    delta?: number;
    lambda?: number;
    alpha?: number;
    guard?: number;
    minScore?: number;
  }
  | { kind: "min_score"; minScore?: number; holdOff?: number }
  | { kind: "composite"; policies: readonly RetrainPolicyConfig[] };

/** Builds the policy a configuration describes; bad parameters throw a RangeError naming them. */
export function createRetrainPolicy(config: RetrainPolicyConfig): RetrainPolicy {
  switch (config.kind) {
    case "trend":
      return withMinScore(
        config.minScore,
        new TrendPolicy({
          k: config.k ?? TREND_DEFAULTS.k,
          slopeThreshold: config.slopeThreshold ?? TREND_DEFAULTS.slopeThreshold,
          guard: config.guard ?? TREND_DEFAULTS.guard,
        }),
      );
    case "difference":
      return withMinScore(
        config.minScore,
        new DifferencePolicy({
          trainDrop: config.trainDrop ?? DIFFERENCE_DEFAULTS.trainDrop,
          optimiseDrop: config.optimiseDrop ?? DIFFERENCE_DEFAULTS.optimiseDrop,
        }),
      );
    case "page_hinkley":
      return withMinScore(
        config.minScore,
        new PageHinkleyPolicy({
          delta: config.delta ?? PAGE_HINKLEY_DEFAULTS.delta,
          lambda: config.lambda ?? PAGE_HINKLEY_DEFAULTS.lambda,
          alpha: config.alpha ?? PAGE_HINKLEY_DEFAULTS.alpha,
          guard: config.guard ?? PAGE_HINKLEY_DEFAULTS.guard,
        }),
      );
    case "min_score":
      return new MinScorePolicy({
        minScore: config.minScore ?? MIN_SCORE_DEFAULTS.minScore,
        holdOff: config.holdOff ?? MIN_SCORE_DEFAULTS.holdOff,
      });
    case "composite":
      if (config.policies.length === 0) {
        throw new RangeError("composite policy: policies must not be empty: current value is []");
      }
      return new CompositePolicy(config.policies.map(createRetrainPolicy));
    default:
      throw new RangeError(
        "kind must be one of trend, difference, page_hinkley, min_score, composite: " +
          `current value is ${(config as { kind: unknown }).kind}`,
      );
  }
}

/** The minimum-score rule in front of `policy`. */
function withMinScore(minScore: number | undefined, policy: RetrainPolicy): RetrainPolicy {
  const rule = new MinScorePolicy({
    minScore: minScore ?? MIN_SCORE_DEFAULTS.minScore,
    holdOff: MIN_SCORE_DEFAULTS.holdOff,
  });
  return new CompositePolicy([rule, policy]);
}
