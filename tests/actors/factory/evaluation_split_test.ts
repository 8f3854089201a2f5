import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { splitForEvaluation } from "../../../actors/factory/evaluation_split.ts";

const events: StreamEvent[] = Array.from({ length: 100 }, (_, i) => ({
  key: `k${i % 3}`,
  timestamp: i * 1000,
  type: "A",
  attributes: {},
}));

Deno.test("holdout puts every test event after every training event, none in both", () => {
  const [fold] = splitForEvaluation(events, { kind: "holdout", testFraction: 0.3 });
  assert.equal(fold.train.length, 70);
  assert.equal(fold.test.length, 30);
  assert.ok(fold.train.at(-1)!.timestamp < fold.test[0].timestamp);
  const trained = new Set(fold.train);
  assert.ok(fold.test.every((e) => !trained.has(e)));
});

Deno.test("walk-forward folds grow the training set and test on the next chunk", () => {
  const folds = splitForEvaluation(events, { kind: "walk_forward", folds: 3 });
  assert.deepEqual(folds.map((f) => [f.train.length, f.test.length]), [[25, 25], [50, 25], [
    75,
    25,
  ]]);
  for (const fold of folds) {
    assert.ok(fold.train.at(-1)!.timestamp < fold.test[0].timestamp);
  }
});

Deno.test("bad schemes are rejected naming the parameter and value", () => {
  assert.throws(
    () => splitForEvaluation(events, { kind: "holdout", testFraction: 1 }),
    /testFraction must be in \(0, 1\): current value is 1/,
  );
  assert.throws(
    () => splitForEvaluation(events, { kind: "walk_forward", folds: 0 }),
    /folds must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => splitForEvaluation(events.slice(0, 1), { kind: "holdout", testFraction: 0.3 }),
    /too small/,
  );
});
