import assert from "node:assert/strict";
import type { ModelMetrics } from "../../models/model.ts";
import { meanOverSplits, scoresOf, scoresPart } from "../../models/scoring.ts";
import { assertClose } from "../fixtures/assert_close.ts";

Deno.test("scores of a hand-checked confusion matrix", () => {
  // precision 6/8, recall 6/10, specificity 80/82,
  // MCC = (6*80 - 2*4) / sqrt(8 * 10 * 82 * 84) = 472 / sqrt(551040).
  const s = scoresOf({ tp: 6, tn: 80, fp: 2, fn: 4 });
  assertClose(s.precision, 0.75);
  assertClose(s.recall, 0.6);
  assertClose(s.f1, (2 * 0.75 * 0.6) / 1.35);
  assertClose(s.specificity, 80 / 82);
  assertClose(s.mcc, 472 / Math.sqrt(551040));
  assert.deepEqual([s.tp, s.tn, s.fp, s.fn], [6, 80, 2, 4]);
});

Deno.test("perfect and perfectly wrong forecasts have MCC 1 and -1", () => {
  assertClose(scoresOf({ tp: 3, tn: 5, fp: 0, fn: 0 }).mcc, 1);
  assertClose(scoresOf({ tp: 0, tn: 0, fp: 4, fn: 2 }).mcc, -1);
});

Deno.test("every undefined score is 0", () => {
  // No positive forecast: precision, F1 and MCC undefined.
  const noPositive = scoresOf({ tp: 0, tn: 7, fp: 0, fn: 3 });
  assert.equal(noPositive.precision, 0);
  assert.equal(noPositive.recall, 0);
  assert.equal(noPositive.f1, 0);
  assert.equal(noPositive.specificity, 1);
  assert.equal(noPositive.mcc, 0);
  // No match anywhere (tp + fn = 0): recall and MCC undefined.
  const noMatch = scoresOf({ tp: 0, tn: 5, fp: 2, fn: 0 });
  assert.equal(noMatch.recall, 0);
  assert.equal(noMatch.mcc, 0);
  assertClose(noMatch.specificity, 5 / 7);
  // No negative outcome (tn + fp = 0): specificity and MCC undefined.
  const allHits = scoresOf({ tp: 4, tn: 0, fp: 0, fn: 1 });
  assert.equal(allHits.specificity, 0);
  assert.equal(allHits.mcc, 0);
  assertClose(allHits.precision, 1);
  // Nothing resolved at all.
  assert.deepEqual(scoresOf({ tp: 0, tn: 0, fp: 0, fn: 0 }), {
    tp: 0,
    tn: 0,
    fp: 0,
    fn: 0,
    precision: 0,
    recall: 0,
    f1: 0,
    specificity: 0,
    mcc: 0,
  });
});

Deno.test("counts must be non-negative integers", () => {
  assert.throws(
    () => scoresOf({ tp: -1, tn: 0, fp: 0, fn: 0 }),
    /tp must be a non-negative integer: current value is -1/,
  );
  assert.throws(() => scoresOf({ tp: 0, tn: 0.5, fp: 0, fn: 0 }), /tn must be/);
});

Deno.test("the mean over splits averages scores, adds counts and weights spread by positives", () => {
  const split = (tp: number, fp: number, spread: number, distance: number): ModelMetrics => ({
    ...scoresOf({ tp, tn: 10, fp, fn: 1 }),
    events: 100,
    matches: 5,
    forecasts: tp + fp + 11,
    spread,
    distance,
  });
  const splits = [split(3, 1, 10, 2), split(0, 0, 0, 0), split(1, 3, 4, 6)];
  const mean = meanOverSplits(splits);
  assert.deepEqual([mean.tp, mean.tn, mean.fp, mean.fn], [4, 30, 4, 3]);
  assert.equal(mean.events, 300);
  assert.equal(mean.matches, 15);
  assert.equal(mean.forecasts, 41);
  assertClose(mean.spread, (10 * 4 + 4 * 4) / 8);
  assertClose(mean.distance, (2 * 4 + 6 * 4) / 8);
  for (const score of ["precision", "recall", "f1", "specificity", "mcc"] as const) {
    assertClose(mean[score], (splits[0][score] + splits[1][score] + splits[2][score]) / 3);
  }
  // Not the score of the pooled counts: every split weighs alike.
  assert.notEqual(mean.mcc, scoresOf({ tp: 4, tn: 30, fp: 4, fn: 3 }).mcc);
  assert.equal(meanOverSplits([]).mcc, 0);
});

Deno.test("the mean over one split is that split", () => {
  const only: ModelMetrics = {
    ...scoresOf({ tp: 2, tn: 7, fp: 1, fn: 3 }),
    events: 50,
    matches: 4,
    forecasts: 13,
    spread: 3,
    distance: 9,
  };
  assert.deepEqual(meanOverSplits([only]), only);
  assert.deepEqual(scoresPart(only), scoresOf({ tp: 2, tn: 7, fp: 1, fn: 3 }));
});
