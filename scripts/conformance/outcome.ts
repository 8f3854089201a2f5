/**
 * What the runner concludes for one case: it passes, it fails, or Retune deliberately accepts
 * what Wayeb refuses (a listed extension); always with a one-line reason.
 *
 * @module
 */

import type { Tier } from "./corpus.ts";

/** The verdict on one case. */
export type Verdict = "pass" | "fail" | "extension";

/** One case's result. */
export interface Outcome {
  readonly name: string;
  readonly kind: "recognition" | "forecasting";
  readonly tier: Tier;
  readonly verdict: Verdict;
  readonly reason: string;
}
