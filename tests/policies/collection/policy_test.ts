import assert from "node:assert/strict";
import {
  type CollectionPolicyConfig,
  createCollectionPolicy,
} from "../../../policies/collection/policy.ts";
import type { CollectionPolicyConfig as ConfigFileSection } from "../../../config/schema.ts";
import { buckets } from "./buckets.ts";

Deno.test("the factory rejects an unknown kind and bad parameters, naming them", () => {
  assert.throws(
    () => createCollectionPolicy({ kind: "lastk" } as unknown as CollectionPolicyConfig),
    /kind must be one of last_k, exponential_decay, score_based: current value is lastk/,
  );
  assert.throws(
    () => createCollectionPolicy({ kind: "last_k", k: 1.5 }),
    /last_k policy: k must be an integer >= 1: current value is 1\.5/,
  );
  assert.throws(
    () => createCollectionPolicy({ kind: "exponential_decay", lambda: 2 }),
    /lambda must be a number in \(0, 1\): current value is 2/,
  );
});

Deno.test("a validated configuration-file section is accepted as it is", () => {
  const section: ConfigFileSection = { kind: "score_based", k: 2 };
  assert.deepEqual(createCollectionPolicy(section).select(buckets({ 0: 0.9, 1: 0.1, 2: 0.5 })), [
    { bucket: 0, weight: 1 },
    { bucket: 2, weight: 1 },
  ]);
});
