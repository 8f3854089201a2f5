import assert from "node:assert/strict";
import {
  ExponentialDecayPolicy,
  sampleShare,
} from "../../../policies/collection/exponential_decay.ts";
import { createCollectionPolicy } from "../../../config/build_policies.ts";
import { collectionSection } from "../../fixtures/config_sections.ts";
import { buckets } from "./buckets.ts";

const ten = buckets({
  0: 0.1,
  1: 0.2,
  2: 0.3,
  3: 0.4,
  4: 0.5,
  5: 0.6,
  6: 0.7,
  7: 0.8,
  8: 0.9,
  9: 1,
});

Deno.test("defaults: weights 1, 1/2, 1/4, 1/8 on the four newest buckets", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "exponential_decay" }));
  assert.deepEqual(policy.select(ten), [
    { bucket: 6, weight: 0.125 },
    { bucket: 7, weight: 0.25 },
    { bucket: 8, weight: 0.5 },
    { bucket: 9, weight: 1 },
  ]);
});

Deno.test("the floor cuts off before k", () => {
  const policy = new ExponentialDecayPolicy({ lambda: 0.25, k: 9, floor: 0.05 });
  // 1, 0.25, 0.0625 reach the floor; 0.015625 does not.
  assert.deepEqual(policy.select(ten), [
    { bucket: 7, weight: 0.0625 },
    { bucket: 8, weight: 0.25 },
    { bucket: 9, weight: 1 },
  ]);
});

Deno.test("a weight equal to the floor is kept", () => {
  const policy = new ExponentialDecayPolicy({ lambda: 0.5, k: 9, floor: 0.25 });
  assert.deepEqual(policy.select(ten).map((r) => r.bucket), [7, 8, 9]);
});

Deno.test("bad parameters are rejected, naming them", () => {
  const bad: [object, RegExp][] = [
    [{ lambda: 1, k: 4, floor: 0.05 }, /lambda must be a number in \(0, 1\): current value is 1/],
    [{ lambda: 0.5, k: 0, floor: 0.05 }, /k must be an integer >= 1: current value is 0/],
    [{ lambda: 0.5, k: 4, floor: 0 }, /floor must be a number in \(0, 1\]: current value is 0/],
  ];
  for (const [params, message] of bad) {
    assert.throws(
      () =>
        new ExponentialDecayPolicy(
          params as ConstructorParameters<typeof ExponentialDecayPolicy>[0],
        ),
      { name: "RangeError", message },
    );
  }
});

Deno.test("sampleShare takes contiguous slices, deterministically by seed", () => {
  const events = Array.from({ length: 200 }, (_, i) => i);
  const sample = sampleShare(events, 0.25, 7, 20);
  // 200 events in 20 slices of 10; round(0.25 * 20) = 5 slices.
  assert.equal(sample.length, 50);
  assert.deepEqual(sample, sampleShare(events, 0.25, 7, 20));
  assert.deepEqual(sample, sample.toSorted((a, b) => a - b), "original order is kept");
  const starts = sample.filter((event) => event % 10 === 0);
  assert.equal(starts.length, 5);
  for (const start of starts) {
    assert.deepEqual(
      sample.slice(sample.indexOf(start), sample.indexOf(start) + 10),
      events.slice(start, start + 10),
    );
  }
  const others = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(sampleShare(events, 0.25, seed, 20)));
  assert.ok(new Set(others).size > 1, "other seeds choose other slices");
});

Deno.test("sampleShare keeps everything at weight 1 and at least one slice at any weight", () => {
  const events = Array.from({ length: 95 }, (_, i) => i);
  assert.deepEqual(sampleShare(events, 1, 3, 20), events);
  const tiny = sampleShare(events, 0.001, 3, 20);
  assert.ok(tiny.length === 4 || tiny.length === 5, `one slice of 95/20 events: ${tiny.length}`);
  assert.deepEqual(sampleShare(["a", "b", "c"], 0.5, 1, 20).length, 2);
  assert.deepEqual(sampleShare([], 0.5, 1, 20), []);
});

Deno.test("sampleShare rejects a weight outside (0, 1], a non-integer seed and no slices", () => {
  assert.throws(
    () => sampleShare([1], 0, 1, 20),
    /weight must be a number in \(0, 1\]: current value is 0/,
  );
  assert.throws(() => sampleShare([1], 1.5, 1, 20), /current value is 1\.5/);
  assert.throws(
    () => sampleShare([1], 0.5, 0.5, 20),
    /seed must be a safe integer: current value is 0\.5/,
  );
  assert.throws(
    () => sampleShare([1], 0.5, 1, 0),
    /slices must be an integer >= 1: current value is 0/,
  );
});
