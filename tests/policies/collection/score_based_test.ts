import assert from "node:assert/strict";
import { ScoreBasedPolicy } from "../../../policies/collection/score_based.ts";
import { createCollectionPolicy } from "../../../config/build_policies.ts";
import { collectionSection } from "../../fixtures/config_sections.ts";
import { buckets } from "./buckets.ts";

const ids = (refs: { bucket: number; weight: number }[]) => {
  assert.ok(refs.every((r) => r.weight === 1));
  return refs.map((r) => r.bucket);
};

Deno.test("the two newest plus the two best older buckets, in time order", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "score_based" }));
  const closed = buckets({ 1: 0.6, 2: 0.1, 3: 0.7, 4: 0.3, 5: 0.65, 6: 0.0, 7: 0.2 });
  assert.deepEqual(ids(policy.select(closed)), [3, 5, 6, 7]);
});

Deno.test("unscored older buckets rank last and ties go to the newer bucket", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "score_based", k: 4 }));
  const closed = buckets({ 0: null, 1: -0.5, 2: null, 3: 0.4, 4: -0.5, 5: 0.9, 6: 0.9 });
  // Older: 0..4; best are 3 (0.4), then 4 (-0.5, newer than 1).
  assert.deepEqual(ids(policy.select(closed)), [3, 4, 5, 6]);
  const unscored = buckets({ 0: null, 1: null, 2: null, 3: null, 4: null });
  // All unscored: the newer of them.
  assert.deepEqual(ids(policy.select(unscored)), [1, 2, 3, 4]);
});

Deno.test("an odd k takes one more newest than best", () => {
  const policy = new ScoreBasedPolicy({ k: 5 });
  const closed = buckets({ 0: 0.8, 1: 0.1, 2: 0.7, 3: 0.2, 4: 0.3, 5: 0.1, 6: 0.1 });
  assert.deepEqual(ids(policy.select(closed)), [0, 2, 4, 5, 6]);
});

Deno.test("with few buckets, the newest come first and the rest fill in", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "score_based" }));
  assert.deepEqual(ids(policy.select(buckets({ 0: 0.5 }))), [0]);
  assert.deepEqual(ids(policy.select(buckets({ 0: 0.5, 1: 0.2, 2: 0.1 }))), [0, 1, 2]);
  assert.throws(
    () => new ScoreBasedPolicy({ k: 0 }),
    /score_based policy: k must be an integer >= 1: current value is 0/,
  );
});
