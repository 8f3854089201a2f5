/**
 * A retrain policy restricted to one action, for ablations: every decision of the inner policy
 * becomes a retrain (fresh data, same hyper-parameters) or an optimisation (new hyper-parameters),
 * as RTCEF compared "retrain only" and "optimise only" with the two together.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import type { PolicyState } from "./policy_state.ts";
import type { Decision, RetrainAction, RetrainPolicy } from "./retrain_policy.ts";

/** Asks for `action` whenever the inner policy asks for anything. */
export class SingleActionPolicy implements RetrainPolicy {
  readonly #inner: RetrainPolicy;
  readonly #action: RetrainAction;

  /** Restricts `inner` to `action`. */
  constructor(inner: RetrainPolicy, action: RetrainAction) {
    if (action !== "train" && action !== "optimise") {
      throw new RangeError(`action must be 'train' or 'optimise': current value is '${action}'`);
    }
    this.#inner = inner;
    this.#action = action;
  }

  /** The inner decision, with the action replaced and the reason saying so. */
  observe(report: MetricsReport): Decision | null {
    const decision = this.#inner.observe(report);
    if (decision === null || decision.action === this.#action) return decision;
    return {
      ...decision,
      action: this.#action,
      reason: `${decision.reason} (asked to ${decision.action}; ${this.#action} only)`,
    };
  }

  /** Resets the inner policy. */
  reset(): void {
    this.#inner.reset();
  }

  /** The inner policy's state. */
  snapshot(): PolicyState {
    return this.#inner.snapshot();
  }

  /** Takes up a state the inner policy's `snapshot` gave. */
  restore(state: PolicyState): void {
    this.#inner.restore(state);
  }
}
