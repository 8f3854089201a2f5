import assert from "node:assert/strict";
import type { Forecast } from "../../core/events.ts";
import type { StepResult } from "../../models/model.ts";
import { OnlineScorer } from "../../models/online_scorer.ts";

/** A step of partition `key` at `counter`, with a forecast over [counter+s, counter+e] if given. */
function step(
  key: string,
  counter: number,
  detection: boolean,
  window: { s: number; e: number; positive: boolean } | null = null,
): StepResult {
  const forecast: Forecast | null = window === null ? null : {
    key,
    counter,
    timestamp: counter,
    start: counter + window.s,
    end: counter + window.e,
    probability: 0.5,
    positive: window.positive,
    detection,
    modelVersion: 1,
  };
  return { detection, forecast };
}

function counts(scorer: OnlineScorer) {
  const { tp, tn, fp, fn } = scorer.takeBatch().cumulative;
  return { tp, tn, fp, fn };
}

Deno.test("a positive forecast is a true positive when a match falls in its window", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 2, e: 4, positive: true })); // window [3, 5]
  scorer.observe("a", step("a", 2, false));
  assert.equal(scorer.pending, 1);
  scorer.observe("a", step("a", 3, true));
  assert.equal(scorer.pending, 0);
  assert.deepEqual(counts(scorer), { tp: 1, tn: 0, fp: 0, fn: 0 });
});

Deno.test("a positive forecast is a false positive once its window closes without a match", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 1, e: 2, positive: true })); // window [2, 3]
  scorer.observe("a", step("a", 2, false));
  assert.equal(scorer.pending, 1, "still open at its last-but-one counter");
  scorer.observe("a", step("a", 3, false));
  assert.equal(scorer.pending, 0);
  scorer.observe("a", step("a", 4, true)); // too late
  assert.deepEqual(counts(scorer), { tp: 0, tn: 0, fp: 1, fn: 0 });
});

Deno.test("a match at the window's last counter counts, one before its first does not", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 2, e: 3, positive: true })); // [3, 4]
  scorer.observe("a", step("a", 2, true)); // before the window: no effect
  assert.equal(scorer.pending, 1);
  scorer.observe("a", step("a", 3, false));
  scorer.observe("a", step("a", 4, true));
  assert.deepEqual(counts(scorer), { tp: 1, tn: 0, fp: 0, fn: 0 });
});

Deno.test("negative forecasts are false negatives when a match falls in their window", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 1, e: 3, positive: false })); // [2, 4]
  scorer.observe("a", step("a", 2, false, { s: 1, e: 1, positive: false })); // [3, 3]
  scorer.observe("a", step("a", 3, false));
  assert.deepEqual(counts(scorer), { tp: 0, tn: 1, fp: 0, fn: 0 });
  scorer.observe("a", step("a", 4, true));
  assert.deepEqual(counts(scorer), { tp: 0, tn: 1, fp: 0, fn: 1 });
});

Deno.test("matches count only for forecasts of their own partition", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 1, e: 2, positive: true }));
  scorer.observe("b", step("b", 1, false, { s: 1, e: 2, positive: false }));
  scorer.observe("b", step("b", 2, true));
  scorer.observe("a", step("a", 2, false));
  scorer.observe("a", step("a", 3, false));
  assert.deepEqual(counts(scorer), { tp: 0, tn: 0, fp: 1, fn: 1 });
});

Deno.test("events without a forecast advance the partition's counter", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 5, false, { s: 2, e: 2, positive: true })); // [7, 7]
  scorer.observe("a", { detection: false, forecast: null }); // 6
  scorer.observe("a", { detection: true, forecast: null }); // 7
  assert.deepEqual(counts(scorer), { tp: 1, tn: 0, fp: 0, fn: 0 });
});

Deno.test("batches hold what was resolved since the last one; cumulative holds everything", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 1, e: 1, positive: true }));
  scorer.observe("a", step("a", 2, true, { s: 1, e: 1, positive: false }));
  let { batch, cumulative } = scorer.takeBatch();
  assert.deepEqual([batch.tp, batch.fn], [1, 0]);
  scorer.observe("a", step("a", 3, true));
  ({ batch, cumulative } = scorer.takeBatch());
  assert.deepEqual([batch.tp, batch.tn, batch.fp, batch.fn], [0, 0, 0, 1]);
  assert.deepEqual([cumulative.tp, cumulative.fn], [1, 1]);
  assert.equal(cumulative.mcc, 0, "no negative outcome: MCC undefined, reported as 0");
  ({ batch } = scorer.takeBatch());
  assert.deepEqual([batch.tp, batch.tn, batch.fp, batch.fn], [0, 0, 0, 0]);
});

Deno.test("flush resolves open windows as misses and reports how many", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 1, e: 10, positive: true }));
  scorer.observe("b", step("b", 1, false, { s: 1, e: 10, positive: false }));
  scorer.observe("b", step("b", 2, false, { s: 1, e: 10, positive: true }));
  assert.equal(scorer.flush(), 3);
  assert.equal(scorer.pending, 0);
  assert.deepEqual(counts(scorer), { tp: 0, tn: 1, fp: 2, fn: 0 });
  assert.equal(scorer.flush(), 0);
});

Deno.test("memory holds only unresolved forecasts", () => {
  const scorer = new OnlineScorer();
  for (let counter = 1; counter <= 10_000; counter++) {
    scorer.observe("a", step("a", counter, counter % 7 === 0, { s: 1, e: 5, positive: true }));
    assert.ok(scorer.pending <= 5);
  }
  const m = scorer.metrics();
  assert.equal(m.forecasts, 10_000);
  assert.equal(m.events, 10_000);
  assert.equal(m.matches, 1428);
  assert.equal(m.tp + m.fp, 10_000 - scorer.pending);
});

Deno.test("metrics average spread and distance over positive forecasts", () => {
  const scorer = new OnlineScorer();
  scorer.observe("a", step("a", 1, false, { s: 2, e: 4, positive: true }));
  scorer.observe("a", step("a", 2, false, { s: 4, e: 10, positive: true }));
  scorer.observe("a", step("a", 3, false, { s: 1, e: 200, positive: false }));
  const m = scorer.metrics();
  assert.equal(m.spread, (2 + 6) / 2);
  assert.equal(m.distance, (2 + 4) / 2);
  assert.equal(m.forecasts, 3);
});

Deno.test("a forecast whose window does not lie ahead of its counter is rejected", () => {
  const scorer = new OnlineScorer();
  assert.throws(
    () => scorer.observe("a", step("a", 4, false, { s: 0, e: 3, positive: true })),
    /counter < start <= end: current value is counter 4, \[4, 7\]/,
  );
  assert.throws(() => scorer.observe("a", step("a", 5, false, { s: 3, e: 2, positive: true })));
});

Deno.test("a scorer restored from its snapshot scores on as the original does", () => {
  const original = new OnlineScorer();
  original.observe("a", step("a", 1, false, { s: 2, e: 4, positive: true }));
  original.observe("b", step("b", 1, false, { s: 1, e: 3, positive: false }));
  original.observe("a", step("a", 2, false, { s: 1, e: 2, positive: true }));
  const restored = OnlineScorer.restore(JSON.parse(JSON.stringify(original.snapshot())));
  assert.equal(restored.pending, original.pending);
  for (const scorer of [original, restored]) {
    scorer.observe("a", step("a", 3, true));
    scorer.observe("b", step("b", 2, false));
    scorer.observe("b", step("b", 3, false));
    scorer.observe("b", step("b", 4, false));
  }
  assert.deepEqual(restored.metrics(), original.metrics());
  assert.deepEqual(restored.takeBatch(), original.takeBatch());
  assert.throws(() => OnlineScorer.restore({ partitions: [["a", 1, [1, 2]]] }), /malformed/);
});

Deno.test("takeBatchOf sums the batches of several scorers and starts new ones", () => {
  const [one, two] = [new OnlineScorer(), new OnlineScorer()];
  one.observe("a", step("a", 1, false, { s: 1, e: 1, positive: true }));
  one.observe("a", step("a", 2, true));
  two.observe("b", step("b", 1, false, { s: 1, e: 1, positive: false }));
  two.observe("b", step("b", 2, false));
  const { batch } = OnlineScorer.takeBatchOf([one, two]);
  assert.deepEqual([batch.tp, batch.tn, batch.fp, batch.fn], [1, 1, 0, 0]);
  assert.equal(OnlineScorer.takeBatchOf([one, two]).batch.tp, 0);
});
