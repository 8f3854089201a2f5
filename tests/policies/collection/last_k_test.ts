import assert from "node:assert/strict";
import { createCollectionPolicy } from "../../../config/build_policies.ts";
import { collectionSection } from "../../fixtures/config_sections.ts";
import { buckets } from "./buckets.ts";

Deno.test("the newest k buckets, whole, oldest first", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "last_k" }));
  const closed = buckets({ 3: 0.5, 4: 0.1, 5: null, 6: 0.9, 7: 0.4, 8: 0.2 });
  assert.deepEqual(policy.select(closed), [
    { bucket: 5, weight: 1 },
    { bucket: 6, weight: 1 },
    { bucket: 7, weight: 1 },
    { bucket: 8, weight: 1 },
  ]);
  // Order of the input does not matter: ids are time order.
  assert.deepEqual(policy.select(closed.toReversed()), policy.select(closed));
});

Deno.test("fewer buckets than k are all taken", () => {
  const policy = createCollectionPolicy(collectionSection({ kind: "last_k", k: 3 }));
  assert.deepEqual(policy.select(buckets({ 0: null, 1: null })), [
    { bucket: 0, weight: 1 },
    { bucket: 1, weight: 1 },
  ]);
  assert.deepEqual(policy.select([]), []);
});
