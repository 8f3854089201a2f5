import assert from "node:assert/strict";
import { countContexts } from "../../../../models/cef/pst/context_counts.ts";

function countsOf(
  counts: ReturnType<typeof countContexts>,
  context: number[],
): number[] | undefined {
  const k = counts.symbolCount;
  const code = context.reduce((sum, s, i) => sum + s * k ** i, 0);
  const row = counts.row(context.length, code);
  return row < 0 ? undefined : Array.from(counts.countsOf(context.length, row));
}

Deno.test("counts every context up to the maximum length, most recent symbol first", () => {
  // 0 1 0 1 1 over symbols {0, 1}.
  const counts = countContexts([Int32Array.from([0, 1, 0, 1, 1])], 2, 2);
  assert.equal(counts.total, 5);
  assert.deepEqual(countsOf(counts, []), [2, 3]);
  assert.deepEqual(countsOf(counts, [0]), [0, 2]); // 0 -> 1 twice
  assert.deepEqual(countsOf(counts, [1]), [1, 1]); // 1 -> 0, 1 -> 1
  assert.deepEqual(countsOf(counts, [1, 0]), [1, 1]); // (0 then 1) -> 0, -> 1
  assert.deepEqual(countsOf(counts, [0, 1]), [0, 1]); // (1 then 0) -> 1
  assert.equal(countsOf(counts, [1, 1]), undefined);
  assert.deepEqual(counts.decode(2, 1 + 2 * 0), [1, 0]);
});

Deno.test("no context spans two partitions", () => {
  const counts = countContexts([Int32Array.from([0, 1]), Int32Array.from([2, 2])], 3, 2);
  assert.deepEqual(countsOf(counts, [1]), undefined, "1 ends its partition");
  assert.deepEqual(countsOf(counts, [0]), [0, 1, 0]);
  assert.deepEqual(countsOf(counts, [2]), [0, 0, 1]);
  assert.equal(countsOf(counts, [2, 1]), undefined);
  assert.equal(counts.occurrences(0, 0), 4);
});

Deno.test("bad symbols and orders are rejected", () => {
  assert.throws(
    () => countContexts([Int32Array.from([0, 3])], 3, 2),
    /symbols must be integers in \[0, 3\): current value is 3 at position 1/,
  );
  assert.throws(() => countContexts([], 3, 6), /order must be an integer in \[1, 5\]/);
  assert.throws(() => countContexts([], 0, 2), /symbolCount must be a positive integer/);
});
