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

Deno.test("walk-forward folds are anchored, in stream order, and never test what they train on", () => {
  for (const n of [1, 2, 5, 7]) {
    for (const length of [n + 1, 33, 100]) {
      const stream = events.slice(0, length);
      const folds = splitForEvaluation(stream, { kind: "walk_forward", folds: n });
      assert.equal(folds.length, n, `${n} folds of ${length} events`);
      let tested = 0;
      folds.forEach((fold, k) => {
        const what = `fold ${k} of ${n} over ${length} events`;
        // Anchored: every fold trains on the stream's head, up to where its test begins.
        assert.equal(fold.train[0], stream[0], what);
        assert.deepEqual(
          fold.test,
          stream.slice(fold.train.length, fold.train.length + fold.test.length),
          what,
        );
        assert.ok(fold.test.length > 0, what);
        const trained = new Set(fold.train);
        assert.ok(fold.test.every((e) => !trained.has(e)), what);
        // In order: each test chunk starts where the previous one ended.
        if (k > 0) assert.equal(fold.train.length, tested, what);
        tested = fold.train.length + fold.test.length;
      });
      assert.equal(tested, length, `the last fold tests up to the end of ${length} events`);
    }
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
    () => splitForEvaluation(events, { kind: "walk_forward", folds: 2.5 }),
    /folds must be a positive integer: current value is 2.5/,
  );
  assert.throws(
    () => splitForEvaluation(events.slice(0, 1), { kind: "holdout", testFraction: 0.3 }),
    /too small/,
  );
  assert.throws(
    () => splitForEvaluation(events.slice(0, 5), { kind: "walk_forward", folds: 5 }),
    /dataset of 5 events is too small for 5 walk-forward folds/,
  );
});

Deno.test("a focus cuts the test sets from the events since it; training keeps all before", () => {
  // Events 0..99 at 1 s apart over 3 keys; the focus starts at event 40.
  const folds = splitForEvaluation(events, { kind: "walk_forward", folds: 2 }, {
    since: 40_000,
    minEventsPerKey: 5,
  });
  assert.deepEqual(folds.map((f) => [f.train.length, f.test.length]), [[60, 20], [80, 20]]);
  for (const fold of folds) {
    assert.ok(fold.test.every((e) => e.timestamp >= 40_000));
    assert.equal(fold.train[0].timestamp, 0);
    assert.ok(fold.train.at(-1)!.timestamp < fold.test[0].timestamp);
  }
});

Deno.test("a focus whose test sets would hold too few events per key uses the whole dataset", () => {
  const whole = splitForEvaluation(events, { kind: "walk_forward", folds: 2 });
  const shallow = { since: 40_000, minEventsPerKey: 7 };
  assert.deepEqual(splitForEvaluation(events, { kind: "walk_forward", folds: 2 }, shallow), whole);
  // A focus before the first event, or past the last, is no focus either.
  for (const since of [-1, 200_000]) {
    assert.deepEqual(
      splitForEvaluation(events, { kind: "walk_forward", folds: 2 }, {
        since,
        minEventsPerKey: 1,
      }),
      whole,
    );
  }
});
