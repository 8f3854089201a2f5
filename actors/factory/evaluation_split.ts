/**
 * Time-ordered splits for testing candidates on data they were not trained on (the reference
 * system tested candidates on their own training data). Events are split by position in the
 * time-ordered dataset, never shuffled, so a test set always lies after its training set.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";

/** How candidates are evaluated. */
export type EvaluationScheme =
  | { kind: "holdout"; testFraction: number }
  | { kind: "walk_forward"; folds: number };

/** One training set and the later test set that goes with it. */
export interface Fold {
  train: readonly StreamEvent[];
  test: readonly StreamEvent[];
}

/** Splits a time-ordered dataset into folds; every test event comes after every training event. */
export function splitForEvaluation(
  events: readonly StreamEvent[],
  scheme: EvaluationScheme,
): Fold[] {
  if (scheme.kind === "holdout") {
    const { testFraction } = scheme;
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new RangeError(
        `testFraction must be in (0, 1): current value is ${testFraction}`,
      );
    }
    const cut = Math.round(events.length * (1 - testFraction));
    if (cut === 0 || cut === events.length) {
      throw new RangeError(
        `dataset of ${events.length} events is too small to hold out ${testFraction} of it`,
      );
    }
    return [{ train: events.slice(0, cut), test: events.slice(cut) }];
  }
  const { folds } = scheme;
  if (!Number.isInteger(folds) || folds < 1) {
    throw new RangeError(`folds must be a positive integer: current value is ${folds}`);
  }
  const chunks = folds + 1;
  if (events.length < chunks) {
    throw new RangeError(
      `dataset of ${events.length} events is too small for ${folds} walk-forward folds`,
    );
  }
  const bound = (i: number) => Math.round((events.length * i) / chunks);
  return Array.from({ length: folds }, (_, i) => ({
    train: events.slice(0, bound(i + 1)),
    test: events.slice(bound(i + 1), bound(i + 2)),
  }));
}
