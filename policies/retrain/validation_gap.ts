/**
 * The validation-gap policy: judges a model by the level it should reach, not by changes. A model
 * whose batch MCC stays more than `margin` below the MCC it reached on its held-out validation
 * data when it was made (the report's `modelValidationMcc`) for `reports` scored reports in a row
 * asks for a retrain; the same again within the guard of `guard` reports after that retrain asks
 * for an optimisation, since fresh data did not close the gap. A model an optimisation made asks
 * for an optimisation instead, after `optimisedReports` reports (fewer: its validation MCC was
 * measured on the newest regime, so a gap says at once that its parameters do not fit it): the
 * drift bench's gradual maritime-like stream held a fresh optimum at 0.2 for three weeks while
 * the rule waited, and a retrain with its parameters scored no better.
 *
 * A steady poor score has no slope and no drop, so the trend, difference and Page-Hinkley policies
 * never see it; this one does. A report without a validation score counts as no evidence. The
 * streak restarts on a report of another model version, and is cleared after a decision.
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

/** Parameters of the validation-gap policy. */
export interface ValidationGapParams {
  /** A batch MCC more than this below the validation MCC is a gap, in (0, 2]. */
  margin: number;
  /** Scored reports in a row with a gap before it asks, >= 1. */
  reports: number;
  /** Scored reports in a row with a gap before a model an optimisation made asks, >= 1. */
  optimisedReports: number;
  /** Scored reports after a retrain during which a further gap means optimise, >= 0. */
  guard: number;
}

const validationGapStateSchema = z.strictObject({
  streak: z.array(z.number()),
  modelVersion: z.number().int().nullable(),
  guard: guardStateSchema,
});

/** Retrains a model that stays well below its validation score; optimises if that persists. */
export class ValidationGapPolicy implements RetrainPolicy {
  readonly #params: ValidationGapParams;
  readonly #guard: Guard;
  /** Batch MCCs of the current run of reports with a gap. */
  #streak: number[] = [];
  #modelVersion: number | null = null;

  /** A policy with the given parameters, checked up front. */
  constructor(params: ValidationGapParams) {
    requireNumberIn("validation_gap", "margin", params.margin, [0, 2], "(]");
    requireInteger("validation_gap", "reports", params.reports, 1);
    requireInteger("validation_gap", "optimisedReports", params.optimisedReports, 1);
    requireInteger("validation_gap", "guard", params.guard, 0);
    this.#params = { ...params };
    this.#guard = new Guard(params.guard);
  }

  /** Extends or breaks the streak of gaps; a full streak is a detection. */
  observe(report: MetricsReport): Decision | null {
    const score = batchScore(report);
    const validation = report.modelValidationMcc;
    if (score === null || validation === null) return null;
    if (report.modelVersion !== this.#modelVersion) {
      this.#modelVersion = report.modelVersion;
      this.#streak = [];
    }
    const gap = validation - score > this.#params.margin;
    this.#streak = gap ? [...this.#streak, score] : [];
    const madeByOptimisation = report.creationMethod === "optimise";
    const needed = madeByOptimisation ? this.#params.optimisedReports : this.#params.reports;
    const stepped = this.#guard.step(this.#streak.length >= needed);
    if (stepped === null) return null;
    const optimised = stepped === "train" && madeByOptimisation;
    const action = optimised ? "optimise" : stepped;
    const scores = this.#streak.map(formatScore).join(", ");
    this.#streak = [];
    return {
      action,
      reason: `batch MCC stayed more than ${this.#params.margin} below model ` +
        `v${report.modelVersion}'s validation MCC ${formatScore(validation)}` +
        `${optimised ? ", a model an optimisation made" : this.#guard.note(action)}: (${scores})`,
    };
  }

  /** Forgets the streak, the model version and the guard. */
  reset(): void {
    this.#streak = [];
    this.#modelVersion = null;
    this.#guard.reset();
  }

  /** The streak, its model version and the guard. */
  snapshot(): PolicyState {
    return {
      streak: [...this.#streak],
      modelVersion: this.#modelVersion,
      guard: this.#guard.snapshot(),
    };
  }

  /** Takes up a state `snapshot` gave; a streak no rule would have let grow is rejected. */
  restore(state: PolicyState): void {
    const data = parsePolicyState("validation_gap", validationGapStateSchema, state);
    const longest = Math.max(this.#params.reports, this.#params.optimisedReports);
    if (data.streak.length >= longest) {
      throw new RangeError(
        `validation_gap policy state rejected: streak: holds ${data.streak.length} scores, ` +
          `not fewer than ${longest} (reports, optimisedReports)`,
      );
    }
    this.#streak = data.streak;
    this.#modelVersion = data.modelVersion;
    this.#guard.restore(data.guard);
  }
}
