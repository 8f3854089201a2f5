import assert from "node:assert/strict";
import { GpHedge } from "../../../policies/search/gp_hedge.ts";
import { Random } from "../../../policies/search/random.ts";

Deno.test("arms start equally likely and the softmax follows the cumulative gains", () => {
  const hedge = new GpHedge(3, 1);
  assert.deepEqual(hedge.probabilities(), [1 / 3, 1 / 3, 1 / 3]);
  hedge.reward([1, 0, -1]);
  hedge.reward([1, 0, 0]);
  assert.deepEqual(hedge.gains, [2, 0, -1]);
  const weights = [Math.exp(2), 1, Math.exp(-1)];
  const total = weights.reduce((s, w) => s + w, 0);
  hedge.probabilities().forEach((p, i) => assert.ok(Math.abs(p - weights[i] / total) < 1e-12));
});

Deno.test("choices are drawn with the softmax probabilities", () => {
  const hedge = new GpHedge(3, 2);
  hedge.reward([0, 1, 0]);
  const random = new Random(5);
  const counts = [0, 0, 0];
  for (let i = 0; i < 5000; i++) counts[hedge.choose(random)]++;
  hedge.probabilities().forEach((p, arm) => {
    assert.ok(Math.abs(counts[arm] / 5000 - p) < 0.03, `arm ${arm}: ${counts[arm]} vs ${p}`);
  });
});

Deno.test("huge gains do not overflow the softmax", () => {
  const hedge = new GpHedge(2, 1);
  hedge.reward([1000, 990]);
  const [first, second] = hedge.probabilities();
  assert.ok(first > 0.99 && second > 0 && Number.isFinite(first));
});

Deno.test("bad arms, eta and rewards are rejected", () => {
  assert.throws(() => new GpHedge(0, 1), /arms must be a positive integer: current value is 0/);
  assert.throws(() => new GpHedge(2, 0), /eta must be finite and > 0: current value is 0/);
  assert.throws(
    () => new GpHedge(2, 1).reward([1]),
    /rewards must have 2 entries: current count is 1/,
  );
  assert.throws(() => new GpHedge(2, 1).reward([1, NaN]), /rewards\[1\] must be finite/);
});
