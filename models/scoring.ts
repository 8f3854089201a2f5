/**
 * Confusion counts to scores. Every score that would divide by zero is 0, so a report is always
 * a set of plain numbers (the undefined cases are listed on `scoresOf`).
 *
 * @module
 */

import type { Scores } from "../core/scores.ts";
import type { ModelMetrics } from "./model.ts";

/** Resolved forecasts by outcome. */
export interface Confusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** No forecast resolved yet. */
export function emptyConfusion(): Confusion {
  return { tp: 0, tn: 0, fp: 0, fn: 0 };
}

/** Adds `counts` into `sum`, in place. */
export function addConfusion(sum: Confusion, counts: Confusion): void {
  sum.tp += counts.tp;
  sum.tn += counts.tn;
  sum.fp += counts.fp;
  sum.fn += counts.fn;
}

/**
 * Precision, recall, F1, specificity and MCC of `counts`. Undefined cases, each reported as 0:
 * precision with no positive forecast (tp + fp = 0); recall with no forecast a match fell in
 * (tp + fn = 0); F1 when precision + recall = 0; specificity with no negative outcome
 * (tn + fp = 0); MCC when any of tp + fp, tp + fn, tn + fp, tn + fn is 0 (its denominator).
 */
export function scoresOf(counts: Confusion): Scores {
  const { tp, tn, fp, fn } = counts;
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a non-negative integer: current value is ${value}`);
    }
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = ratio(2 * precision * recall, precision + recall);
  const specificity = ratio(tn, tn + fp);
  const denominator = Math.sqrt(tp + fp) * Math.sqrt(tp + fn) * Math.sqrt(tn + fp) *
    Math.sqrt(tn + fn);
  const mcc = ratio(tp * tn - fp * fn, denominator);
  return { tp, tn, fp, fn, precision, recall, f1, specificity, mcc };
}

/**
 * Combines the metrics of the splits of a cross-validation into a candidate's score: each score
 * (precision, recall, F1, specificity, MCC) is the mean of the splits' scores, so every split
 * counts alike however many forecasts it resolved; counts add up, and spread and distance are
 * averaged over all positive forecasts (tp + fp per split). One split gives its own metrics.
 */
export function meanOverSplits(perSplit: readonly ModelMetrics[]): ModelMetrics {
  if (perSplit.length === 1) return { ...perSplit[0] };
  const total = { tp: 0, tn: 0, fp: 0, fn: 0, events: 0, matches: 0, forecasts: 0 };
  const mean = { precision: 0, recall: 0, f1: 0, specificity: 0, mcc: 0 };
  let spreadSum = 0;
  let distanceSum = 0;
  for (const split of perSplit) {
    for (const field of Object.keys(total) as (keyof typeof total)[]) total[field] += split[field];
    for (const field of Object.keys(mean) as (keyof typeof mean)[]) {
      mean[field] += split[field] / perSplit.length;
    }
    const positives = split.tp + split.fp;
    spreadSum += split.spread * positives;
    distanceSum += split.distance * positives;
  }
  const positives = total.tp + total.fp;
  return {
    ...total,
    ...mean,
    spread: ratio(spreadSum, positives),
    distance: ratio(distanceSum, positives),
  };
}

/** The scores of `metrics`, without its counts of events, matches and forecasts. */
export function scoresPart(metrics: ModelMetrics): Scores {
  const { tp, tn, fp, fn, precision, recall, f1, specificity, mcc } = metrics;
  return { tp, tn, fp, fn, precision, recall, f1, specificity, mcc };
}

/** `numerator / denominator`, or 0 when the denominator is 0. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
