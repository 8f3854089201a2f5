import assert from "node:assert/strict";
import { retentionCandidates } from "../../../policies/collection/retention.ts";
import { buckets } from "./buckets.ts";

const twelve = buckets(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i + 3, null])));

Deno.test("everything past the nine newest is a candidate, oldest first", () => {
  assert.deepEqual(retentionCandidates(twelve, 9, []), [3, 4, 5]);
  assert.deepEqual(retentionCandidates(twelve.toReversed(), 9, []), [3, 4, 5]);
  assert.deepEqual(retentionCandidates(twelve, 12, []), []);
  assert.deepEqual(retentionCandidates(twelve, 10, []), [3, 4]);
});

Deno.test("buckets a dataset version still references are kept", () => {
  assert.deepEqual(retentionCandidates(twelve, 9, [4, 10]), [3, 5]);
  assert.deepEqual(retentionCandidates(twelve, 1, new Set([5, 6, 7, 8, 9, 10, 11, 12, 13])), [
    3,
    4,
  ]);
});

Deno.test("bad keep and duplicate ids are rejected", () => {
  assert.throws(
    () => retentionCandidates(twelve, 0, []),
    /keep must be an integer >= 1: current value is 0/,
  );
  assert.throws(
    () => retentionCandidates([{ id: 1 }, { id: 1 }], 1, []),
    /bucket ids must be distinct: 1 appears more than once/,
  );
});
