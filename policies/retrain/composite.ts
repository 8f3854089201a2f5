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
import { z } from "zod";
import { parsePolicyState, type PolicyState } from "./policy_state.ts";

const compositeStateSchema = z.strictObject({ members: z.array(z.unknown()) });

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

  /** Every member's state, in order. */
  snapshot(): PolicyState {
    return { members: this.#members.map((member) => member.snapshot()) };
  }

  /**
   * Takes up a state `snapshot` gave; when a member rejects its part, the members before it go
   * back to what they were, so a rejected state changes nothing.
   */
  restore(state: PolicyState): void {
    const { members } = parsePolicyState("composite", compositeStateSchema, state);
    if (members.length !== this.#members.length) {
      throw new RangeError(
        `composite policy state rejected: members: holds ${members.length} states for ` +
          `${this.#members.length} members`,
      );
    }
    const before = this.#members.map((member) => member.snapshot());
    this.#members.forEach((member, i) => {
      try {
        member.restore(members[i]);
      } catch (error) {
        this.#members.slice(0, i).forEach((earlier, j) => earlier.restore(before[j]));
        const reason = error instanceof Error ? error.message : String(error);
        throw new RangeError(`composite policy state rejected: members.${i}: ${reason}`);
      }
    });
  }
}
