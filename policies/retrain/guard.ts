/**
 * The escalation shared by the trend and Page-Hinkley policies: a first detection asks for a
 * retrain and opens a guard of `length` reports; a detection inside the guard means the retrain
 * did not help, so it asks for an optimisation and closes the guard (the next detection after
 * that is a first detection again).
 *
 * @module
 */

import { z } from "zod";
import type { RetrainAction } from "./retrain_policy.ts";

/** A guard's state: scored reports it still covers. */
export const guardStateSchema = z.strictObject({ left: z.number().int().nonnegative() });

/** Turns detections into `train` or `optimise` by whether a retrain was asked for recently. */
export class Guard {
  /** Reports after each retrain that the guard covers. */
  readonly length: number;
  #left = 0;

  /** A guard covering the `length` reports after each retrain. */
  constructor(length: number) {
    this.length = length;
  }

  /**
   * Counts one report (call once per report that carries a score) and, when `detected`, returns
   * the action it calls for.
   */
  step(detected: boolean): RetrainAction | null {
    const inGuard = this.#left > 0;
    if (inGuard) this.#left--;
    if (!detected) return null;
    this.#left = inGuard ? 0 : this.length;
    return inGuard ? "optimise" : "train";
  }

  /** What to add to a decision's reason for `action` from `step`. */
  note(action: RetrainAction): string {
    return action === "optimise"
      ? ` again within the guard of ${this.length} reports after a retrain`
      : "";
  }

  /** Closes the guard. */
  reset(): void {
    this.#left = 0;
  }

  /** The reports it still covers. */
  snapshot(): z.infer<typeof guardStateSchema> {
    return { left: this.#left };
  }

  /** Takes up a state `snapshot` gave (checked by the policy that owns the guard). */
  restore(state: z.infer<typeof guardStateSchema>): void {
    this.#left = state.left;
  }
}
