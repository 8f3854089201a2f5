/**
 * Several retrain policies over the same series, as one. Every member sees every report; of the
 * decisions they return, optimise beats train and, between equals, the first member's wins.
 * After a decision, every member that did not itself ask for that action is reset: the model it
 * was judging is about to be replaced, so its window must not carry over.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import type { Decision, RetrainPolicy } from "./retrain_policy.ts";

/** Runs member policies side by side and issues the strongest decision. */
export class CompositePolicy implements RetrainPolicy {
  readonly #members: readonly RetrainPolicy[];

  /** Combines `members`, in priority order. */
  constructor(members: readonly RetrainPolicy[]) {
    if (members.length === 0) {
      throw new RangeError("composite policy: members must not be empty: current value is []");
    }
    this.#members = [...members];
  }

  /** Shows the report to every member and returns the strongest decision. */
  observe(report: MetricsReport): Decision | null {
    const decisions = this.#members.map((member) => member.observe(report));
    let chosen: Decision | null = null;
    for (const decision of decisions) {
      if (decision === null) continue;
      if (chosen === null || (decision.action === "optimise" && chosen.action === "train")) {
        chosen = decision;
      }
    }
    if (chosen === null) return null;
    this.#members.forEach((member, i) => {
      if (decisions[i]?.action !== chosen.action) member.reset();
    });
    return chosen;
  }

  /** Resets every member. */
  reset(): void {
    for (const member of this.#members) member.reset();
  }
}
