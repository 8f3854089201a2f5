/**
 * Time-ordered splits for testing candidates on data they were not trained on (the reference
 * system tested candidates on their own training data). Events are split by position in the
 * time-ordered dataset, never shuffled, so a test set always lies after its training set.
 *
 * A split may be focused on the events from a stream time `since` on (an optimisation asked
 * because the score fell: the regime since then is the one the next model must serve). The test
 * sets are then cut from those events only, and every training set still holds all the events
 * before its test set: scored on a mix of old and new data, a candidate that suits only the old
 * regime wins, as the drift bench showed (order 2 chosen where the new regime needs order 4).
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";

/** How candidates are evaluated. */
export type EvaluationScheme =
  | { kind: "holdout"; testFraction: number }
  | { kind: "walk_forward"; folds: number };

/** Where a split's test sets are cut from: the events from `since` on. */
export interface EvaluationFocus {
  /** Epoch ms. */
  since: number;
  /**
   * Fewest events per key each focused test set must hold, else the whole dataset is used: a key's
   * test stretch shorter than a forecast horizon is mostly edges (no context at its start,
   * forecasts that cannot resolve at its end), so its score is noise.
   */
  minEventsPerKey: number;
}

/** One training set and the later test set that goes with it. */
export interface Fold {
  train: readonly StreamEvent[];
  test: readonly StreamEvent[];
}

/**
 * Splits a time-ordered dataset into folds; every test event comes after every training event.
 * With a `focus`, the scheme cuts its test sets from the events at or after `focus.since`, unless
 * they are too few for test sets of `focus.minEventsPerKey` events per key, when the whole
 * dataset is used.
 */
export function splitForEvaluation(
  events: readonly StreamEvent[],
  scheme: EvaluationScheme,
  focus: EvaluationFocus | null = null,
): Fold[] {
  const offset = focus === null ? -1 : events.findIndex((e) => e.timestamp >= focus.since);
  if (focus !== null && offset > 0) {
    const before = events.slice(0, offset);
    const focused = tryToSplit(events.slice(offset), scheme);
    if (focused !== null && focused.every((fold) => perKey(fold.test) >= focus.minEventsPerKey)) {
      return focused.map((fold) => ({ train: [...before, ...fold.train], test: fold.test }));
    }
  }
  return splitWhole(events, scheme);
}

/** The fewest events any key has in `events`. */
function perKey(events: readonly StreamEvent[]): number {
  const counts = new Map<string, number>();
  for (const { key } of events) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts.size === 0 ? 0 : Math.min(...counts.values());
}

/** The folds of `events`, or null when they are too few for the scheme. */
function tryToSplit(events: readonly StreamEvent[], scheme: EvaluationScheme): Fold[] | null {
  try {
    return splitWhole(events, scheme);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** The scheme's folds over the whole of `events`. */
function splitWhole(events: readonly StreamEvent[], scheme: EvaluationScheme): Fold[] {
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
