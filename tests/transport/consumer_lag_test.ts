import assert from "node:assert/strict";
import { consumerLag, totalLag } from "../../transport/consumer_lag.ts";

/** A transport whose log ends and committed offsets are given. */
function offsets(ends: number[], committed: number[]) {
  return {
    endOffsets: () => Promise.resolve(ends),
    committedOffsets: () => Promise.resolve(committed),
  };
}

Deno.test("lag is the log end less the committed offset; all of it where nothing was committed", async () => {
  const lags = await consumerLag(offsets([10, 7, 0], [4, -1, -1]), "g", "t");
  assert.deepEqual(lags, [
    { topic: "t", group: "g", partition: 0, end: 10, committed: 4, lag: 6 },
    { topic: "t", group: "g", partition: 1, end: 7, committed: -1, lag: 7 },
    { topic: "t", group: "g", partition: 2, end: 0, committed: -1, lag: 0 },
  ]);
  assert.equal(totalLag(lags), 13);
});

Deno.test("a partition the broker names no committed offset for counts as none", async () => {
  const lags = await consumerLag(offsets([5, 5], [5]), "g", "t");
  assert.deepEqual(lags.map((lag) => [lag.committed, lag.lag]), [[5, 0], [-1, 5]]);
});
