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
 * The minimum-score rule (`min_score.ts`) is its own policy; `config/build_policies.ts` combines
 * it with the configured policy through `CompositePolicy`, where optimise beats train.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import type { PolicyState } from "./policy_state.ts";

/** What a retrain policy can ask for: fresh data (`train`) or new hyper-parameters (`optimise`). */
export type RetrainAction = "train" | "optimise";

/** What a policy asks for, and why; the observer adds the triggering report's id. */
export interface Decision {
  action: RetrainAction;
  reason: string;
  /**
   * Where the regime the decision answers began (epoch ms), when a rule knows it is earlier than
   * the judged report's window (`fall.ts`); an optimisation tests its candidates from there.
   */
  since?: number;
}

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
