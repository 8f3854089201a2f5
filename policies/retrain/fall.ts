/**
 * The fall rule, around the configured policy: it keeps the level the batch MCC held (the last
 * scored report that no rule decided on and that was not a fall) and calls a report whose batch
 * MCC lies more than `margin` below that level a fall. During a fall:
 * - a retrain the policy asks for on a model version's first fall becomes an optimisation: a fall
 *   that deep is not what fresh data with the same hyper-parameters repairs (the drift bench's
 *   gradual card-fraud-like stream: a retrain at the fall from 0.72 to 0.42 scored 0.04 the week
 *   after);
 * - every decision says where the fall began (`Decision.since`), so an optimisation asked on its
 *   second or third week tests its candidates on all the data since the score fell, not on its
 *   own week only (the gradual maritime-like stream: focused on the second week of the transition
 *   only, the optimum scored 0.2 after it; on both, 0.89).
 * - a fall no rule decides on asks for an optimisation once it has lasted `reports` scored
 *   reports, once per model version: a model stuck far below the level at a steady score has no
 *   slope, no drop and, if its validation MCC was as low, no gap (the gradual maritime-like
 *   stream under another optimiser seed: an optimum held 0.23 for eight weeks where the level
 *   was 0.78).
 * A decision on a report that is no fall (a dip within the margin) keeps the level as it was, so
 * a retrain on noise does not lower it.
 *
 * The level spans model versions on purpose (it is what the next model must reach again), so
 * unlike the policies it wraps it is not reset when a decision replaces the model.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { batchScore, formatScore } from "./batch_score.ts";
import { z } from "zod";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";
import { requireInteger, requireNumberIn } from "../params.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";

/** Parameters of the fall rule. */
export interface FallParams {
  /** A batch MCC more than this below the level is a fall, in (0, 2]. */
  margin: number;
  /** Scored reports of a fall no rule decided on before it asks for an optimisation, >= 1. */
  reports: number;
}

const fallStateSchema = z.strictObject({
  inner: z.unknown(),
  level: z.number().nullable(),
  since: z.number().nullable(),
  fallen: z.array(z.number()),
  askedFor: z.number().int().nullable(),
});

/** Optimises rather than retrains at a fall below the level; dates decisions from its start. */
export class FallPolicy implements RetrainPolicy {
  readonly #inner: RetrainPolicy;
  readonly #margin: number;
  readonly #reports: number;
  /** Batch MCC of the last scored report no rule decided on and that was no fall. */
  #level: number | null = null;
  /** Start of the first report of the fall under way (epoch ms). */
  #since: number | null = null;
  /** Batch MCCs of the fall under way. */
  #fallen: number[] = [];
  /** The model version a decision during the fall was last made on. */
  #askedFor: number | null = null;

  /** The rule around `inner`, its parameters checked up front. */
  constructor(inner: RetrainPolicy, params: FallParams) {
    requireNumberIn("fall", "margin", params.margin, [0, 2], "(]");
    requireInteger("fall", "reports", params.reports, 1);
    this.#inner = inner;
    this.#margin = params.margin;
    this.#reports = params.reports;
  }

  /** The inner decision, dated from the fall under way; an optimisation where a fall calls for one. */
  observe(report: MetricsReport): Decision | null {
    const decision = this.#inner.observe(report);
    const score = batchScore(report);
    if (score === null) return decision;
    const level = this.#level;
    if (level === null || score >= level - this.#margin) {
      this.#since = null;
      this.#fallen = [];
      if (decision === null) this.#level = score;
      return decision;
    }
    const since = this.#since ??= report.streamTimeStart;
    this.#fallen.push(score);
    const first = this.#askedFor !== report.modelVersion;
    if (decision === null && (!first || this.#fallen.length < this.#reports)) return null;
    this.#askedFor = report.modelVersion;
    if (decision !== null && (decision.action === "optimise" || !first)) {
      return { ...decision, since };
    }
    const fell = `more than ${this.#margin} below the level ${formatScore(level)} the score held`;
    return {
      action: "optimise",
      reason: decision === null
        ? `batch MCC stayed ${fell} for ${this.#fallen.length} reports: ` +
          `(${this.#fallen.map(formatScore).join(", ")})`
        : `batch MCC ${formatScore(score)} fell ${fell} (${decision.reason})`,
      since,
    };
  }

  /** Resets the inner policy and forgets the level and the fall. */
  reset(): void {
    this.#inner.reset();
    this.#level = null;
    this.#since = null;
    this.#fallen = [];
    this.#askedFor = null;
  }

  /** The inner policy's state, the level and the fall under way. */
  snapshot(): PolicyState {
    return {
      inner: this.#inner.snapshot(),
      level: this.#level,
      since: this.#since,
      fallen: [...this.#fallen],
      askedFor: this.#askedFor,
    };
  }

  /** Takes up a state `snapshot` gave; the inner policy checks its own part. */
  restore(state: PolicyState): void {
    const data = parsePolicyState("fall", fallStateSchema, state);
    this.#inner.restore(data.inner as PolicyState);
    this.#level = data.level;
    this.#since = data.since;
    this.#fallen = data.fallen;
    this.#askedFor = data.askedFor;
  }
}
